"""`syncline up` with no Salesforce app configured: a newcomer's first run, as a real process tree."""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests

from sandbox.mailservers import free_port
from tests.sandbox.conftest import make_instance

REPO = Path(__file__).resolve().parents[2]
TOKEN_LINE = re.compile(r"^API token\s+(slk_\S+)")


class UpProcess:
    """`python -m app up` in its own process group; stdout collected by a reader thread."""

    def __init__(self, instance: Path, port: int, *args: str, **extra_env: str) -> None:
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("SALESFORCE_", "SYNCLINE_", "DATABASE_URL", "REDIS_URL"))}
        env.update(SYNCLINE_INSTANCE_DIR=str(instance), SYNCLINE_ENV="development", LOG_LEVEL="WARNING", **extra_env)
        self.lines: list[str] = []
        self.proc = subprocess.Popen([sys.executable, "-m", "app", "up", "--port", str(port), *args], cwd=instance.parent,
                                     env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                     start_new_session=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for_line(self, pattern: re.Pattern, timeout: float) -> re.Match:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            for line in list(self.lines):
                if match := pattern.match(line):
                    return match
            time.sleep(0.2)
        raise AssertionError(f"no line matching {pattern.pattern!r}:\n" + "\n".join(self.lines[-40:]))

    def wait_for_token(self, timeout: float) -> str:
        return self.wait_for_line(TOKEN_LINE, timeout).group(1)

    def stop(self) -> None:
        """Ctrl-C first, so the sandbox stops its own servers (they run in sessions of their own
        and would outlive a SIGKILL of `up`); SIGKILL only if that hangs."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()


def _descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (read from /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pid: int) -> bool:
    """Running (a zombie waiting for an init that does not reap counts as gone)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False


def _embedded_redis_pid(instance: Path) -> int:
    settings = json.loads((instance / "redis.rdb.settings").read_text())
    return int(Path(settings["pidfile"]).read_text())


def _session(ca_path: str | None = None) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    if ca_path:
        session.verify = ca_path
    return session


def _sign_in(api: str, instance: Path) -> dict:
    """The browser's part of "Sign in with Salesforce", against the sandbox emulator."""
    login = _session().get(f"{api}/api/v1/auth/salesforce/login", allow_redirects=False)
    assert login.status_code == 302, login.text
    ca = str(instance / "sandbox" / "salesforce" / "emulator-ca.pem")
    approve = _session(ca).get(login.headers["Location"], allow_redirects=False)
    assert approve.status_code == 302 and approve.headers["Location"].startswith(f"{api}/api/v1/auth/"), approve.text
    callback = _session().get(approve.headers["Location"])
    assert callback.status_code == 200, callback.text
    return callback.json()


def _first_finished_session(api: str, token: str, timeout: float) -> dict:
    """The newcomer's view: poll the dashboard until the first sync session has finished."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sessions = _session().get(f"{api}/api/v1/mailboxes/mine/dashboard",
                                  headers={"Authorization": f"Bearer {token}"}).json()["sessions"]
        if sessions and sessions[-1]["status"] != "running":
            return sessions[-1]
        time.sleep(0.5)
    raise AssertionError(f"no sync session finished within {timeout} s")


@pytest.fixture
def instance():
    folder = make_instance()
    yield folder
    shutil.rmtree(folder.parent, ignore_errors=True)


def test_up_runs_the_sandbox_answers_with_the_printed_token_and_stops_without_orphans(instance):
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    up = UpProcess(instance, port)
    try:
        token = up.wait_for_token(timeout=30)
        assert _session().get(f"{api}/api/v1/ready").status_code == 200
        dashboard = _session().get(f"{api}/api/v1/mailboxes/mine/dashboard",
                                   headers={"Authorization": f"Bearer {token}"})
        assert dashboard.status_code == 200 and dashboard.json()["mailbox"]["address"] == "ann@sandbox-co.test"
        session = _first_finished_session(api, token, timeout=60)
        assert session["status"] == "succeeded", session
        counts = session["counts"]
        assert counts["calendar"]["created"] >= 5  # 4 seeded meetings (a series expands) + the Salesforce Event
        assert counts["tasks"]["created"] == 2 and counts["contacts"]["created"] >= 2
        if "mail" in counts:  # Dovecot present: both emails marked for Salesforce are saved
            assert counts["mail"]["created"] == 2
        assert _sign_in(api, instance)["user"]["email"] == "ann@sandbox-co.test"
        started = _descendants(up.proc.pid) | {_embedded_redis_pid(instance)}
        assert len(started) >= 5  # api (gunicorn + its worker), worker, scheduler, radicale (+ dovecot)
        up.proc.send_signal(signal.SIGINT)
        assert up.proc.wait(timeout=40) == 0, "\n".join(up.lines[-30:])
        assert not [pid for pid in started if _alive(pid)]
        # Others may at most pass through (as root, Dovecot's mail processes run as nobody); never read.
        assert _mode(instance) in (0o700, 0o711) and _mode(instance / "sandbox") in (0o700, 0o711)
        assert _private_files(instance) and _private_files(instance / "sandbox")
        assert _private_files(instance / "sandbox" / "salesforce") and _mode(instance / "sandbox" / "salesforce") == 0o700
    finally:
        up.stop()


def _mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def _private_files(folder: Path) -> bool:
    """Every regular file directly in ``folder`` is 0600 (and there is at least one); the emulator's
    CA certificate is public by nature (clients are given it), its key is not."""
    files = {p.name: _mode(p) for p in folder.iterdir() if p.is_file() and p.name != "emulator-ca.pem"}
    assert files and files == {name: 0o600 for name in files}, files
    return True


def test_up_with_a_salesforce_app_configured_runs_no_sandbox(instance):
    port = free_port()
    api = f"http://127.0.0.1:{port}"
    up = UpProcess(instance, port, SALESFORCE_CLIENT_ID="operator-app")
    try:
        up.wait_for_line(re.compile(r"^Syncline API on "), timeout=30)
        deadline = time.monotonic() + 30
        while not _answers(f"{api}/api/v1/ready") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _answers(f"{api}/api/v1/ready")
        up.proc.send_signal(signal.SIGINT)
        assert up.proc.wait(timeout=40) == 0
        assert not (instance / "sandbox").exists()
        assert _mode(instance) == 0o700 and {"syncline.db", "secret.key", "redis.rdb"} <= {
            p.name for p in instance.iterdir()} and _private_files(instance)
        assert not [line for line in up.lines if line.startswith(("sandbox ready", "=== Syncline sandbox"))]
    finally:
        up.stop()


def _answers(url: str) -> bool:
    try:
        return _session().get(url, timeout=1).status_code == 200
    except requests.RequestException:
        return False
