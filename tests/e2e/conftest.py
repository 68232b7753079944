"""End-to-end world: the API (test client), a REAL `python -m app worker` process, Radicale,
Dovecot and the HTTPS Salesforce emulator, on a private SQLite file and Redis.

Everything is started once per session and shared; each test makes its own emulator org,
Syncline user and mail accounts, so tests never see each other's data.
"""
from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from app import create_app
from app.migrate import upgrade
from tests.conftest import emulator_overrides, make_test_config
from tests.factories import Factory
from tests.realservers.fixtures import *  # noqa: F401,F403
from tests.realservers.fixtures import LOOPBACK_MAIL_HOSTS
from tests.servers import PrivateRedis

ROOT = Path(__file__).resolve().parents[2]


class WorkerProcess:
    """One `python -m app worker` subprocess (or another long-running command, ready once its log
    shows ``ready``); `kill()` is SIGKILL, `stop()` a graceful SIGTERM."""

    def __init__(self, env: dict[str, str], log_path: Path, command: tuple[str, ...] = ("worker",),
                 ready: str = "Listening on") -> None:
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "app", *command], env=env, cwd=ROOT,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_listening(ready)

    def _wait_listening(self, ready: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"process exited: {self.log()[-2000:]}")
            if self.log().count(ready) > 0:
                time.sleep(0.5)     # RQ logs "Listening" just before its signal handlers are set
                return
            time.sleep(0.1)
        raise RuntimeError(f"process did not start: {self.log()[-2000:]}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


@dataclass
class E2E:
    """The shared world; `worker` may be replaced by a test that kills it."""

    app: object
    emu: object
    radicale: object
    dovecot: object
    env: dict
    tmp: Path
    worker: WorkerProcess | None = None
    graph: object = None     # the Microsoft Graph fake (sandbox/graph) the worker trusts
    google: object = None    # the Google Workspace fake (sandbox/google) the worker trusts

    @property
    def rt(self):
        return self.app.extensions["syncline"]

    def start_worker(self) -> WorkerProcess:
        if self.worker is not None:
            self.worker.stop()
        self.worker = WorkerProcess(self.env, self.tmp / f"worker-{secrets.token_hex(3)}.log")
        return self.worker


@pytest.fixture(scope="session")
def e2e(tmp_path_factory, salesforce_emulator, radicale_server, dovecot_server) -> Iterator[E2E]:
    from sandbox.google import GoogleFake
    from sandbox.graph import GraphFake

    tmp = tmp_path_factory.mktemp("e2e")
    graph = GraphFake().start()
    google = GoogleFake().start()
    redis = PrivateRedis(str(tmp))
    database_url = f"sqlite:///{tmp / 'e2e.db'}"
    upgrade(database_url)
    key = Fernet.generate_key().decode()
    overrides = emulator_overrides(salesforce_emulator)
    config = make_test_config(tmp, database_url, redis.url, **overrides).with_overrides(
        secret_keys=(key,), allowed_mail_hosts=LOOPBACK_MAIL_HOSTS, graph_ca_bundle=graph.ca_path,
        google_ca_bundle=google.ca_path)
    env = {**os.environ, "SYNCLINE_ENV": "test", "DATABASE_URL": database_url, "REDIS_URL": redis.url,
           "SYNCLINE_SECRET_KEYS": key, "SYNCLINE_INSTANCE_DIR": str(tmp / "instance"), "SECRET_KEY": "e2e",
           "SALESFORCE_CLIENT_ID": overrides["salesforce_client_id"],
           "SALESFORCE_CLIENT_SECRET": overrides["salesforce_client_secret"],
           "SALESFORCE_LOGIN_URL": overrides["salesforce_login_url"],
           "SALESFORCE_ALLOWED_HOSTS": ",".join(overrides["salesforce_allowed_hosts"]),
           "SALESFORCE_CA_BUNDLE": overrides["salesforce_ca_bundle"], "LOG_LEVEL": "INFO",
           "SYNCLINE_ALLOWED_MAIL_HOSTS": ",".join(LOOPBACK_MAIL_HOSTS), "SYNCLINE_GRAPH_CA_BUNDLE": graph.ca_path,
           "SYNCLINE_GOOGLE_CA_BUNDLE": google.ca_path}
    world = E2E(create_app(config), salesforce_emulator, radicale_server, dovecot_server, env, tmp, graph=graph,
                google=google)
    world.start_worker()
    yield world
    if world.worker is not None:
        world.worker.stop()
    world.rt.db.dispose()
    redis.stop()
    graph.stop()
    google.stop()


@pytest.fixture
def factory(e2e) -> Factory:
    return Factory(e2e.app)
