"""The world a fault-matrix run needs, started in order and always torn down in reverse:
a restartable Redis, PostgreSQL (or SQLite), the HTTPS Salesforce emulator, Radicale behind a
fault proxy, Dovecot when installed, and the product's worker and scheduler as supervised
child processes (restarted when they die, as a service manager would)."""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import ExitStack
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet

from app.config import Config
from app.runtime import Runtime
from bench.fault_matrix.database import BenchDatabase
from bench.fault_matrix.redis_server import RestartableRedis
from bench.fault_matrix.timescale import TimeScale
from sandbox.mailservers import DavFaultProxy, DovecotServer, RadicaleServer, ServerUnavailable
from sandbox.salesforce import SalesforceEmulator

LOOPBACK_MAIL_HOSTS = ("127.0.0.1",)  # the mail servers the bench starts; the product refuses internal hosts otherwise

ROOT = Path(__file__).resolve().parents[2]
RESTART_DELAY_S = 1.0


class SupervisedProcess:
    """A product process (`worker`/`scheduler`) restarted by a watcher thread when it exits."""

    def __init__(self, role: str, env: dict[str, str], log_dir: Path) -> None:
        self.role, self.env, self.log_dir = role, env, log_dir
        self.restarts = 0
        self.pids: list[int] = []
        self.proc: subprocess.Popen | None = None
        self._stopping = threading.Event()
        self._start()
        self._watcher = threading.Thread(target=self._watch, name=f"supervise-{role}", daemon=True)
        self._watcher.start()

    def _start(self) -> None:
        log = open(self.log_dir / f"{self.role}-{self.restarts}.log", "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "bench.fault_matrix.timescale", self.role],
                                     env=self.env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL, start_new_session=True)
        self.pids.append(self.proc.pid)
        log.close()

    def _watch(self) -> None:
        while not self._stopping.wait(0.2):
            if self.proc is not None and self.proc.poll() is not None:
                self._stopping.wait(RESTART_DELAY_S)
                if not self._stopping.is_set():
                    self.restarts += 1
                    self._start()

    def time_patches(self) -> list[str]:
        """What the first process reported it scaled (`time scale: interval …s, name=value, …`)."""
        log = (self.log_dir / f"{self.role}-0.log").read_text(errors="replace")
        line = next((x for x in log.splitlines() if x.startswith("time scale: ")), "")
        return [p.strip() for p in line.split(",")[1:]]

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost host does; the watcher restarts it."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)

    def terminate(self) -> None:
        """SIGTERM (warm shutdown: the worker finishes its job first); no restart afterwards."""
        self._stopping.set()
        self._watcher.join(timeout=5)
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)

    def wait_stopped(self, timeout: float = 15) -> None:
        """Reap the process; SIGKILL when it has not stopped within `timeout`."""
        if self.proc is None:
            return
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


def stop_all(processes: list[SupervisedProcess]) -> None:
    """SIGTERM every process first, then wait for each: they shut down side by side."""
    for process in processes:
        process.terminate()
    for process in processes:
        process.wait_stopped()


class FaultWorld:
    """Use as a context manager: everything started inside is stopped on exit, whatever happened."""

    def __init__(self, scale: TimeScale, prefer_postgres: bool = True, keep_dir: bool = False) -> None:
        self.scale, self.prefer_postgres, self.keep_dir = scale, prefer_postgres, keep_dir
        self._stack = ExitStack()

    def __enter__(self) -> FaultWorld:
        try:
            self._start()
        except BaseException:
            self._stack.close()
            raise
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()

    def _start(self) -> None:
        stack = self._stack
        self.dir = Path(tempfile.mkdtemp(prefix="syncline-faults-"))
        os.chmod(self.dir, 0o755)   # Dovecot's mail processes (nobody) traverse it
        if not self.keep_dir:
            stack.callback(shutil.rmtree, self.dir, ignore_errors=True)
        self.redis = RestartableRedis(self.dir)
        stack.callback(self.redis.stop)
        self.db = BenchDatabase(self.dir, self.prefer_postgres)
        stack.callback(self.db.drop)
        self.emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
        stack.callback(self.emu.stop)
        self.radicale = RadicaleServer(self.dir / "radicale")
        stack.callback(self.radicale.stop)
        self.proxy = DavFaultProxy(self.radicale.base_url)
        stack.callback(self.proxy.stop)
        self.dovecot = self._dovecot()
        self.rt = Runtime.build(self._config(self.db.bench_url))
        stack.callback(self.rt.close)
        self.env = self._process_env()
        self.processes: dict[str, SupervisedProcess] = {}
        stack.callback(lambda: stop_all(list(self.processes.values())))
        for role in ("worker", "scheduler"):
            self.processes[role] = SupervisedProcess(role, self.env, self.dir)

    def _dovecot(self) -> DovecotServer | None:
        try:
            server = DovecotServer(self.dir / "dovecot")
        except ServerUnavailable:
            return None
        self._stack.callback(server.stop)
        return server

    def _config(self, database_url: str) -> Config:
        self.key = Fernet.generate_key().decode()
        return Config(env="test", instance_dir=self.dir / "instance", database_url=database_url,
                      redis_url=self.redis.url, secret_keys=(self.key,), flask_secret_key="fault-bench",
                      salesforce_client_id="syncline-fault-bench", salesforce_client_secret="bench",
                      salesforce_login_url=self.emu.base_url,
                      salesforce_allowed_hosts=(urlsplit(self.emu.base_url).netloc,),
                      salesforce_ca_bundle=self.emu.ca_path or "",
                      allowed_mail_hosts=LOOPBACK_MAIL_HOSTS)  # Radicale, its fault proxy and Dovecot

    def _process_env(self) -> dict[str, str]:
        config = self.rt.config
        return {**os.environ, **self.scale.env(), "PYTHONPATH": str(ROOT), "SYNCLINE_ENV": "test",
                "DATABASE_URL": self.db.url, "REDIS_URL": self.redis.url, "SYNCLINE_SECRET_KEYS": self.key,
                "SYNCLINE_INSTANCE_DIR": str(self.dir / "instance"), "SECRET_KEY": "fault-bench",
                "SALESFORCE_CLIENT_ID": config.salesforce_client_id,
                "SALESFORCE_CLIENT_SECRET": config.salesforce_client_secret,
                "SALESFORCE_LOGIN_URL": config.salesforce_login_url,
                "SALESFORCE_ALLOWED_HOSTS": ",".join(config.salesforce_allowed_hosts),
                "SALESFORCE_CA_BUNDLE": config.salesforce_ca_bundle, "LOG_LEVEL": "INFO",
                "SYNCLINE_ALLOWED_MAIL_HOSTS": ",".join(LOOPBACK_MAIL_HOSTS)}

    @property
    def worker(self) -> SupervisedProcess:
        return self.processes["worker"]

    def child_pids(self) -> list[int]:
        """Every worker and scheduler process ever started (all stopped once the world exits)."""
        return [pid for p in self.processes.values() for pid in p.pids]

    def process_restarts(self) -> int:
        return sum(p.restarts for p in self.processes.values())
