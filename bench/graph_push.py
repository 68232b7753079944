"""Push latency for bench/graph_sync.py: Outlook change → Graph notification → Salesforce record.

After the initial import, the API is served over real HTTPS (SYNCLINE_PUBLIC_URL = where it
listens, as tests/graph_webhook.py does) so the Graph fake can validate and call its webhook, a
real `python -m app worker` process runs the sessions, and the product subscribes the mailbox
(`graph_subscriptions.maintain`). Then N meetings are made in Outlook ONE BY ONE, each timed from
its creation in the fake until its Event exists in the Salesforce emulator (polled every 20 ms,
off the API: the emulator's own store). The latency the caller set on Graph and Salesforce calls
stays on. No schedule runs, so only the notification can bring the change.
"""
from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from app import create_app
from app.config import Config
from app.runtime import Runtime
from app.services import graph_subscriptions
from sandbox.graph import GraphFake
from sandbox.salesforce import SalesforceEmulator
from sandbox.salesforce.server import TlsServer

ROOT = Path(__file__).resolve().parents[1]
POLL_S, WAIT_S = 0.02, 120.0
FMT = "%Y-%m-%dT%H:%M:%S"


def measure_push(rt: Runtime, fake: GraphFake, emu: SalesforceEmulator, sf_org: str, user: str, pushes: int,
                 log: Callable[[str], None] = lambda _line: None) -> list[str]:
    """``push_to_salesforce_p95_s`` (and the median and count) over ``pushes`` one-by-one changes."""
    if pushes <= 0:
        return []
    server = TlsServer(lambda environ, start: app(environ, start))
    config = rt.config.with_overrides(public_url=f"https://127.0.0.1:{server.port}")
    app = create_app(config.with_overrides(log_level="WARNING"))    # request logs would mix with the metrics
    server.start()
    fake.store.push.ca_file = server.ca_path
    worker = BenchProcess(config, Path(config.instance_dir).parent / "push-worker.log")
    try:
        counts = graph_subscriptions.maintain(app.extensions["syncline"])
        if counts.failed or counts.skipped or not counts.created:
            raise RuntimeError(f"could not subscribe the mailbox: {counts}")
        log(f"subscribed ({counts.created} subscriptions); timing {pushes} pushed meetings")
        seconds = [_one_push(fake, emu, sf_org, user, n, worker) for n in range(pushes)]
    finally:
        worker.stop()
        server.stop()
        app.extensions["syncline"].close()
    ordered = sorted(seconds)
    return [f"push_to_salesforce_p95_s: {ordered[math.ceil(0.95 * len(ordered)) - 1]:.2f}",
            f"push_to_salesforce_median_s: {ordered[(len(ordered) - 1) // 2]:.2f}",
            f"push_changes_timed: {len(ordered)}"]


def _one_push(fake: GraphFake, emu: SalesforceEmulator, sf_org: str, user: str, n: int, worker: BenchProcess) -> float:
    subject = f"Pushed meeting {n}"
    start = fake.store.clock() + timedelta(days=3, hours=n % 8)
    began = time.perf_counter()
    fake.store.create_event(user, {"subject": subject, "start": {"dateTime": start.strftime(FMT), "timeZone": "UTC"},
                                   "end": {"dateTime": (start + timedelta(minutes=30)).strftime(FMT),
                                           "timeZone": "UTC"}})
    while time.perf_counter() - began < WAIT_S:
        if any(r["Subject"] == subject for r in emu.records(sf_org, "Event")):
            return time.perf_counter() - began
        time.sleep(POLL_S)
    raise RuntimeError(f"{subject!r} did not reach Salesforce within {WAIT_S:.0f}s\n{worker.log()[-3000:]}")


class BenchProcess:
    """A real `python -m app worker` process (or another ``command``, started once its log shows
    ``ready``) on ``config`` (the same database, Redis and CAs)."""

    def __init__(self, config: Config, log_path: Path, command: tuple[str, ...] = ("worker",),
                 ready: str = "Listening on") -> None:
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.proc = subprocess.Popen([sys.executable, "-m", "app", *command], env=_env(config), cwd=ROOT,
                                     stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while ready not in self.log():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{command[0]} did not start:\n{self.log()[-2000:]}")
            time.sleep(0.1)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        self._log.close()


def _env(config: Config) -> dict[str, str]:
    """The environment that makes `Config.from_env` read ``config`` back."""
    return {**os.environ, "SYNCLINE_ENV": config.env, "DATABASE_URL": config.database_url,
            "REDIS_URL": config.redis_url, "SYNCLINE_SECRET_KEYS": ",".join(config.secret_keys),
            "SYNCLINE_INSTANCE_DIR": str(config.instance_dir), "SECRET_KEY": config.flask_secret_key or "bench",
            "SYNCLINE_PUBLIC_URL": config.public_url,
            "SALESFORCE_CLIENT_ID": config.salesforce_client_id,
            "SALESFORCE_CLIENT_SECRET": config.salesforce_client_secret,
            "SALESFORCE_LOGIN_URL": config.salesforce_login_url,
            "SALESFORCE_ALLOWED_HOSTS": ",".join(config.salesforce_allowed_hosts),
            "SALESFORCE_CA_BUNDLE": config.salesforce_ca_bundle,
            "SYNCLINE_ALLOWED_MAIL_HOSTS": ",".join(config.allowed_mail_hosts),
            "SYNCLINE_GRAPH_CA_BUNDLE": config.graph_ca_bundle, "LOG_LEVEL": "INFO"}
