"""Outages with real processes: a worker and the cron scheduler on a Redis that dies and comes
back empty, and a worker SIGKILLed mid-session. Mailboxes run again by themselves: no hand
clean-up of locks or jobs, no RQ scheduler, no RQ retry.

The scheduler here ticks every 2 s (the product's is 60 s) so the tests stay short.
"""
from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import pytest

from app import create_app
from app.models import Mailbox
from app.models.base import utcnow
from app.state import keys
from sandbox.salesforce.app import EmulatorApp
from tests.conftest import emulator_overrides, make_test_config
from tests.e2e.conftest import E2E, ROOT, WorkerProcess
from tests.e2e.helpers import Person, append_tagged_mail, dashboard, sign_up, wait_for_session
from tests.realservers.redis_server import RestartableRedis

SCHEDULER = (
    "from app.config import Config\nfrom app.logs import configure_logging\nfrom app.runtime import Runtime\n"
    "from app.state import queues\nfrom workers import jobs\nfrom workers.scheduler import run_scheduler\n"
    "from workers.schedules import Schedule\n"
    "rt = Runtime.build(Config.from_env())\nconfigure_logging('INFO')\n"
    "run_scheduler(rt.redis.client, (Schedule('enqueue-due-sessions', jobs.enqueue_due_sessions, "
    "queues.DEFAULT, 2),))\n"
)


@dataclass
class OutageWorld:
    """The e2e servers and database, but a Redis of its own, its own worker and a scheduler."""

    e2e: E2E
    redis: RestartableRedis
    app: object
    env: dict
    worker: WorkerProcess
    scheduler: subprocess.Popen
    scheduler_log: str

    def client(self):
        return self.app.test_client()

    def restart_worker(self) -> None:
        self.worker = WorkerProcess(self.env, self.e2e.tmp / f"outage-worker-{time.monotonic_ns()}.log")


@pytest.fixture(scope="module")
def outage(e2e) -> Iterator[OutageWorld]:
    redis = RestartableRedis(str(e2e.tmp))
    env = {**e2e.env, "REDIS_URL": redis.url}
    config = make_test_config(e2e.tmp, env["DATABASE_URL"], redis.url, **emulator_overrides(e2e.emu))
    app = create_app(config.with_overrides(secret_keys=(env["SYNCLINE_SECRET_KEYS"],)))
    log_path = e2e.tmp / "outage-scheduler.log"
    with open(log_path, "ab") as log:
        scheduler = subprocess.Popen([sys.executable, "-c", SCHEDULER], env=env, cwd=ROOT,
                                     stdout=log, stderr=subprocess.STDOUT)
    world = OutageWorld(e2e, redis, app, env, WorkerProcess(env, e2e.tmp / "outage-worker.log"), scheduler,
                        str(log_path))
    yield world
    world.worker.stop()
    scheduler.terminate()
    scheduler.wait(timeout=30)
    redis.stop()


def _scheduler_log(world: OutageWorld) -> str:
    with open(world.scheduler_log, errors="replace") as f:
        return f.read()


def _set_due_now(world: OutageWorld, person: Person) -> None:
    with world.e2e.rt.db.session_scope() as s:
        s.get(Mailbox, person.mailbox_id).next_sync_at = utcnow()


def _first_session(world: OutageWorld, person: Person) -> dict:
    first = wait_for_session(person, 0, timeout=90)  # the tick finds the new mailbox due at once
    assert first["status"] == "succeeded" and first["trigger"] == "scheduled", first
    return first


def test_redis_outage_answers_503_then_worker_and_scheduler_carry_on_and_the_missed_slot_runs(outage, factory):
    ann = sign_up(outage.e2e, factory)
    first = _first_session(outage, ann)
    outage.redis.stop()
    forced = outage.client().post(f"/api/v1/mailboxes/{ann.mailbox_id}/sync", headers=ann.headers)
    assert forced.status_code == 503 and "temporarily unavailable" in forced.get_json()["message"]
    assert forced.headers["Retry-After"]
    live = outage.client().get(f"/api/v1/mailboxes/{ann.mailbox_id}/dashboard", headers=ann.headers)
    assert live.status_code == 200 and live.get_json()["progress"] is None
    _set_due_now(outage, ann)               # a slot falls inside the outage
    time.sleep(5)                           # the scheduler ticks into the outage
    outage.redis.start()                    # empty: every queued job and lock is gone
    second = wait_for_session(ann, first["id"], timeout=90)
    assert second["status"] == "succeeded" and second["trigger"] == "scheduled", second
    assert outage.scheduler.poll() is None and outage.worker.proc.poll() is None, "no process died"
    log = _scheduler_log(outage)
    assert log.count("redis unavailable; reconnecting with backoff") == 1 and "redis is back" in log, log[-3000:]


@pytest.fixture
def slow_email_writes(monkeypatch):
    """EmailMessage writes are answered 8 s after they are applied, so a kill lands mid-session."""
    written = threading.Event()
    route = EmulatorApp.route

    def slow_route(self, request):
        response = route(self, request)
        if request.method == "PATCH" and "EmailMessage" in request.path:
            written.set()
            time.sleep(8)
        return response

    monkeypatch.setattr(EmulatorApp, "route", slow_route)
    return written


def test_a_sigkilled_workers_mailbox_runs_again_after_its_lease_not_a_slot_later(outage, factory, slow_email_writes):
    ann = sign_up(outage.e2e, factory)
    _first_session(outage, ann)
    append_tagged_mail(ann, "<killed-mid-save@customer.test>")
    assert outage.client().post(f"/api/v1/mailboxes/{ann.mailbox_id}/sync", headers=ann.headers).status_code == 202
    assert slow_email_writes.wait(60), outage.worker.log()[-3000:]
    outage.worker.kill()
    killed = max(s["id"] for s in dashboard(ann)["sessions"])
    _set_due_now(outage, ann)               # its slot falls inside the dead worker's lease
    outage.restart_worker()
    # Fast-forward the dead worker's lease (≤ 60 s) to its last 3 s; nothing else is touched by hand.
    outage.app.extensions["syncline"].redis.client.pexpire(keys.mailbox_lock(ann.mailbox_id), 3000)
    session = wait_for_session(ann, killed, timeout=90)  # right after the lease; the slot is 30 min away
    assert session["status"] == "succeeded" and session["trigger"] == "scheduled", session
    assert next(s for s in dashboard(ann)["sessions"] if s["id"] == killed)["status"] == "failed"
    saved = [r for r in outage.e2e.emu.records(ann.sf_org, "EmailMessage")
             if r.get("MessageIdentifier") == "<killed-mid-save@customer.test>"]
    assert len(saved) == 1
    # The session moved the mailbox to its next slot (a phase of the interval: it may be near).
    next_sync_at = datetime.fromisoformat(dashboard(ann)["mailbox"]["next_sync_at"])
    assert next_sync_at > datetime.fromisoformat(session["finished_at"])
