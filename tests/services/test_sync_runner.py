"""The session shell: lock, durable records, failure counting and suspension, scheduling.

The mailbox and Salesforce sides are the core's in-memory reference ports; the stores,
Redis and the database are real. End-to-end runs against real servers live in tests/e2e.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from sqlalchemy import select

from app.models import AuditEvent, Mailbox, Org, SyncCursor, SyncSessionRecord
from app.models.base import utcnow
from app.services.scheduling import next_run_after
from app.services.sync_queue import enqueue_due
from app.services.sync_runner import SessionPorts, run_session
from app.state import keys, queues
from app.state.locks import Lease
from app.sync.errors import AuthFailure, TemporaryFailure
from app.sync.items import FolderKind
from tests.factories import Factory
from tests.fakes.crm_memory import InMemoryCrm
from tests.fakes.mailbox_memory import InMemoryMailbox
from tests.unit.sync.sync_world import event_describe, meeting


class PortsWorld:
    """One in-memory mailbox and CRM that survive across sessions, like real servers would."""

    def __init__(self):
        self.crm = InMemoryCrm(None, {"Event": event_describe()})
        self.mailbox = InMemoryMailbox(None, "ann")
        self.fail_with: Exception | None = None

    def __call__(self, rt, mailbox, user) -> SessionPorts:
        if self.fail_with is not None:
            raise self.fail_with
        return SessionPorts(self.mailbox, self.crm, describe=lambda t: event_describe() if t == "Event" else None)


@pytest.fixture
def setup(sqlite_app):
    factory = Factory(sqlite_app)
    user = factory.user(factory.org(), email="ann@acme.test")
    mailbox = factory.mailbox(user)
    return sqlite_app.extensions["syncline"], factory, user, mailbox, PortsWorld()


def _sessions(rt, mailbox_id):
    with rt.db.session_scope() as s:
        return list(s.scalars(select(SyncSessionRecord).where(SyncSessionRecord.mailbox_id == mailbox_id)
                              .order_by(SyncSessionRecord.id)))


def test_session_mirrors_and_records_counts_cursors_and_next_run(setup):
    rt, _, _, mailbox, world = setup
    world.mailbox.put(FolderKind.CALENDAR, meeting("Kick-off", start=utcnow() + timedelta(days=2)))
    assert run_session(rt, mailbox.id, "forced", world) == "succeeded"
    assert [e.fields["Subject"] for e in world.crm.all("Event")] == ["Kick-off"]
    [record] = _sessions(rt, mailbox.id)
    assert record.status == "succeeded" and record.counts["calendar"]["created"] == 1
    with rt.db.session_scope() as s:
        box = s.get(Mailbox, mailbox.id)
        assert box.last_sync_at is not None and box.next_sync_at > box.last_sync_at
        assert s.scalar(select(SyncCursor).where(SyncCursor.stream == "mailbox:calendar")).cursor is not None
    assert run_session(rt, mailbox.id, "scheduled", world) == "succeeded"
    assert len(world.crm.all("Event")) == 1, "the second session must not duplicate"
    assert _sessions(rt, mailbox.id)[-1].counts.get("calendar", {}).get("created", 0) == 0


def test_a_second_session_waits_for_the_lock(setup):
    rt, _, _, mailbox, world = setup
    holder = Lease(rt.redis.client, keys.mailbox_lock(mailbox.id), 30)
    assert holder.acquire()
    assert run_session(rt, mailbox.id, "forced", world) == "busy"
    assert _sessions(rt, mailbox.id) == []
    holder.release()
    assert run_session(rt, mailbox.id, "forced", world) == "succeeded"


def test_failures_are_recorded_retried_and_suspend_after_the_threshold(setup):
    rt, factory, user, mailbox, world = setup
    with rt.db.session_scope() as s:
        s.get(Org, user.org_id).settings = {"suspend_after_failures": 2}
    world.fail_with = TemporaryFailure("mail server timed out")
    for _ in range(2):
        with pytest.raises(TemporaryFailure):
            run_session(rt, mailbox.id, "scheduled", world)
    assert [r.status for r in _sessions(rt, mailbox.id)] == ["failed", "failed"]
    with rt.db.session_scope() as s:
        box = s.get(Mailbox, mailbox.id)
        assert box.status == "suspended" and "2 consecutive failed sessions" in box.status_reason
        assert "timed out" in box.status_reason
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "mailbox.suspended")) is not None
    assert run_session(rt, mailbox.id, "scheduled", world) == "skipped"


def test_revoked_credentials_suspend_at_once_without_retry(setup):
    rt, _, _, mailbox, world = setup
    world.fail_with = AuthFailure("invalid_grant")
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    with rt.db.session_scope() as s:
        assert s.get(Mailbox, mailbox.id).status == "suspended"


def test_success_resets_the_failure_count(setup):
    rt, _, _, mailbox, world = setup
    world.fail_with = TemporaryFailure("blip")
    with pytest.raises(TemporaryFailure):
        run_session(rt, mailbox.id, "scheduled", world)
    world.fail_with = None
    run_session(rt, mailbox.id, "retry", world)
    with rt.db.session_scope() as s:
        assert s.get(Mailbox, mailbox.id).consecutive_failures == 0


def test_scheduler_tick_enqueues_due_mailboxes_once(setup):
    rt, factory, user, mailbox, _ = setup
    other = factory.mailbox(factory.user(factory.org()))
    with rt.db.session_scope() as s:  # the second org has auto-sync off
        s.get(Org, s.get(Mailbox, other.id).org_id).settings = {"auto_sync_enabled": False}
    now = utcnow()
    assert enqueue_due(rt, now) == 1
    assert enqueue_due(rt, now) == 0  # both now have a future slot
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    assert queue.job_ids == [keys.sync_job_id(mailbox.id)]
    with rt.db.session_scope() as s:
        assert all(b.next_sync_at > now for b in s.scalars(select(Mailbox)))
    later = now + timedelta(minutes=31)
    assert enqueue_due(rt, later) == 0, "a job already waiting is not queued twice"


def test_slots_spread_10000_mailboxes_evenly_over_the_interval():
    now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    slots = [next_run_after(i, 30, now) for i in range(10_000)]
    assert all(now < s <= now + timedelta(minutes=30) for s in slots)
    per_second = Counter(slots)
    assert max(per_second.values()) <= 20  # ~5.6 on average; never a thundering herd
    assert next_run_after(42, 30, slots[42]) == slots[42] + timedelta(minutes=30)


def test_a_job_whose_worker_died_does_not_block_a_new_session(setup):

    from rq.job import Job, JobStatus

    from app.services.sync_queue import enqueue_session

    rt, _, _, mailbox, _ = setup
    job_id, new = enqueue_session(rt, mailbox.id, "forced")
    assert new
    job = Job.fetch(job_id, connection=rt.redis.client)
    job.set_status(JobStatus.STARTED)
    job.started_at = datetime.now(UTC) - timedelta(minutes=5)
    job.save()
    holder = Lease(rt.redis.client, keys.mailbox_lock(mailbox.id), 30)
    holder.acquire()
    assert enqueue_session(rt, mailbox.id, "forced") == (job_id, False), "a live session is reused"
    holder.release()  # the worker is gone: its lease has expired
    assert enqueue_session(rt, mailbox.id, "forced")[1] is True


def test_a_session_left_running_by_a_dead_worker_is_closed_by_the_next(setup):
    rt, _, _, mailbox, world = setup
    with rt.db.session_scope() as s:
        s.add(SyncSessionRecord(org_id=mailbox.org_id, mailbox_id=mailbox.id, trigger="scheduled"))
    assert run_session(rt, mailbox.id, "retry", world) == "succeeded"
    first, second = _sessions(rt, mailbox.id)
    assert first.status == "failed" and "stopped" in first.failure
    assert second.status == "succeeded"


def test_conflicts_with_dates_and_enums_are_recorded_for_the_dashboard(setup):
    from app.services.session_records import finish, start
    from app.sync.actions import ConflictRecord
    from app.sync.outcome import SyncOutcome
    from app.sync.policy import ConflictPolicy

    rt, _, _, mailbox, _ = setup
    record_id, _, _ = start(rt, mailbox.id, "forced", None)
    when = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    conflict = ConflictRecord("k1", "timing", {"start": when}, (when, when), "salesforce",
                              ConflictPolicy.LAST_WRITER_WINS, "later edit", when, when)
    assert finish(rt, record_id, mailbox.id, SyncOutcome(conflicts=(conflict,)), {}) == "succeeded"
    [record] = _sessions(rt, mailbox.id)
    assert record.conflicts[0]["policy"] == "last_writer_wins"
    assert record.conflicts[0]["mailbox_value"] == {"start": when.isoformat()}


def test_a_failure_while_recording_the_outcome_still_closes_the_session(setup, monkeypatch):
    from app.services import session_records

    rt, _, _, mailbox, world = setup

    def broken_finish(*_a, **_k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(session_records, "finish", broken_finish)
    with pytest.raises(RuntimeError):
        run_session(rt, mailbox.id, "forced", world)
    [record] = _sessions(rt, mailbox.id)
    assert record.status == "failed" and "database went away" in record.failure
