"""The session shell: lock, durable records, failure counting and suspension, scheduling.

The mailbox and Salesforce sides are the core's in-memory reference ports; the stores,
Redis and the database are real. End-to-end runs against real servers live in tests/e2e.
"""
from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from rq import Queue
from rq.job import JobStatus
from sqlalchemy import select

from app.models import AuditEvent, Mailbox, Org, SyncCursor, SyncSessionRecord
from app.models.base import utcnow
from app.services.ports_factory import ProviderUnavailable
from app.services.scheduling import next_run_after
from app.services.sync_queue import enqueue_due
from app.services.sync_runner import SessionPorts, run_session
from app.state import keys, queues
from app.state.locks import Lease
from app.sync.errors import (
    AuthFailure,
    CursorExpired,
    InvalidData,
    NotFound,
    PermissionDenied,
    TemporaryFailure,
    Throttled,
)
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


def _mailbox(rt, mailbox_id) -> Mailbox:
    with rt.db.session_scope() as s:
        box = s.get(Mailbox, mailbox_id)
        s.expunge(box)
        return box


def test_failures_back_off_then_suspend_after_the_threshold(setup):
    rt, factory, user, mailbox, world = setup
    with rt.db.session_scope() as s:
        s.get(Org, user.org_id).settings = {"suspend_after_failures": 3}
    world.fail_with = TemporaryFailure("mail server timed out")
    before = utcnow()
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    box = _mailbox(rt, mailbox.id)
    assert box.status == "active" and box.consecutive_failures == 1
    assert before + timedelta(seconds=23) <= box.next_sync_at <= utcnow() + timedelta(seconds=37)
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    box = _mailbox(rt, mailbox.id)
    assert box.consecutive_failures == 2 and box.next_sync_at >= before + timedelta(seconds=47), "backoff grows"
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    assert [r.status for r in _sessions(rt, mailbox.id)] == ["failed"] * 3
    box = _mailbox(rt, mailbox.id)
    assert box.status == "suspended" and "3 consecutive failed sessions" in box.status_reason
    assert "timed out" in box.status_reason and box.status_set_by == "system" and box.next_sync_at is None
    with rt.db.session_scope() as s:
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "mailbox.suspended")) is not None
    assert run_session(rt, mailbox.id, "scheduled", world) == "skipped"


def test_sessions_a_service_told_to_wait_never_suspend_the_mailbox(setup):
    """An org paused for hours near its API limit (or a 429 storm) is not the mailbox's fault:
    those sessions wait as asked, are shown as throttled, and do not count toward suspension."""
    rt, factory, user, mailbox, world = setup
    with rt.db.session_scope() as s:
        s.get(Org, user.org_id).settings = {"suspend_after_failures": 3}
    world.fail_with = Throttled("REQUEST_LIMIT_EXCEEDED: the org's Salesforce work is paused", retry_after=900)
    for n in range(1, 7):
        before = utcnow()
        assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
        box = _mailbox(rt, mailbox.id)
        assert (box.status, box.consecutive_failures, box.throttled_failures) == ("active", n, n)
        assert box.next_sync_at >= before + timedelta(seconds=900), "the service's wait is honoured"
    world.fail_with = TemporaryFailure("mail server timed out")     # a real failure after the pause
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    assert _mailbox(rt, mailbox.id).status == "active", "one failure after six throttled sessions is one, not seven"
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    box = _mailbox(rt, mailbox.id)
    assert box.status == "suspended" and "3 consecutive failed sessions" in box.status_reason
    world.fail_with = None
    from app.services import mailbox_status
    with rt.db.session_scope() as s:
        mailbox_status.activate(s, s.get(Mailbox, mailbox.id), None)
    assert (_mailbox(rt, mailbox.id).consecutive_failures, _mailbox(rt, mailbox.id).throttled_failures) == (0, 0)


def test_a_success_clears_the_throttled_count(setup):
    rt, _, _, mailbox, world = setup
    world.fail_with = Throttled("429")
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    assert _mailbox(rt, mailbox.id).throttled_failures == 1
    world.fail_with = None
    assert run_session(rt, mailbox.id, "retry", world) == "succeeded"
    assert (_mailbox(rt, mailbox.id).consecutive_failures, _mailbox(rt, mailbox.id).throttled_failures) == (0, 0)


def test_retry_after_from_the_error_is_honoured(setup):
    rt, _, _, mailbox, world = setup
    world.fail_with = TemporaryFailure("REQUEST_LIMIT_EXCEEDED: org paused", retry_after=3600)
    before = utcnow()
    run_session(rt, mailbox.id, "scheduled", world)
    assert _mailbox(rt, mailbox.id).next_sync_at >= before + timedelta(seconds=3600)


def test_revoked_credentials_need_reauthorisation_at_once_without_retry(setup):
    rt, _, _, mailbox, world = setup
    world.fail_with = AuthFailure("invalid_grant")
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    box = _mailbox(rt, mailbox.id)
    assert box.status == "needs_reauth" and box.next_sync_at is None
    assert "refused the credentials" in box.status_reason and "invalid_grant" in box.status_reason
    assert enqueue_due(rt, utcnow() + timedelta(days=1)) == 0


def test_success_resets_the_failure_count(setup):
    rt, _, _, mailbox, world = setup
    world.fail_with = TemporaryFailure("blip")
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    world.fail_with = None
    run_session(rt, mailbox.id, "retry", world)
    assert _mailbox(rt, mailbox.id).consecutive_failures == 0


def test_scheduler_tick_enqueues_due_mailboxes_once_without_moving_their_slot(setup):
    rt, factory, user, mailbox, _ = setup
    other = factory.mailbox(factory.user(factory.org()))
    with rt.db.session_scope() as s:  # the second org has auto-sync off
        s.get(Org, s.get(Mailbox, other.id).org_id).settings = {"auto_sync_enabled": False}
    now = utcnow()
    assert enqueue_due(rt, now) == 1
    assert enqueue_due(rt, now) == 0, "a job already waiting is not queued twice"
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    assert queue.job_ids == [keys.sync_job_id(mailbox.id)]
    assert _mailbox(rt, mailbox.id).next_sync_at is None, "only a session moves the slot"
    assert _mailbox(rt, other.id).next_sync_at > now, "no automatic sync: on to the next slot"
    later = now + timedelta(minutes=31)
    assert enqueue_due(rt, later) == 0, "a job already waiting is not queued twice"


def test_a_job_lost_with_redis_is_queued_again_by_the_next_tick(setup):
    rt, _, _, mailbox, _ = setup
    assert enqueue_due(rt, utcnow()) == 1
    rt.redis.client.delete(Queue(queues.SYNC, connection=rt.redis.client).key)  # the queue entry is gone
    assert enqueue_due(rt, utcnow()) == 1
    assert Queue(queues.SYNC, connection=rt.redis.client).job_ids == [keys.sync_job_id(mailbox.id)]


@pytest.mark.parametrize("leftover", [JobStatus.SCHEDULED, JobStatus.DEFERRED, JobStatus.FAILED])
def test_a_job_that_will_never_run_is_not_pending(setup, leftover):
    from rq.job import Job

    from app.services.sync_queue import enqueue_session, pending_job

    rt, _, _, mailbox, _ = setup
    job_id, _ = enqueue_session(rt, mailbox.id, "forced")
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    queue.remove(job_id)
    job = Job.fetch(job_id, connection=rt.redis.client)
    job.set_status(leftover)
    assert pending_job(rt, mailbox.id) is None
    assert enqueue_session(rt, mailbox.id, "forced")[1] is True, "force is accepted"
    assert queue.job_ids == [job_id]


def test_a_busy_mailbox_is_due_again_right_after_the_lease(setup):
    rt, _, _, mailbox, world = setup
    holder = Lease(rt.redis.client, keys.mailbox_lock(mailbox.id), 40)
    assert holder.acquire()  # a dead worker's lease
    assert run_session(rt, mailbox.id, "scheduled", world) == "busy"
    due = _mailbox(rt, mailbox.id).next_sync_at
    assert utcnow() + timedelta(seconds=30) < due <= utcnow() + timedelta(seconds=40)
    assert enqueue_due(rt, due) == 1


def test_a_plain_worker_runs_the_failed_session_again_at_its_backoff_time(setup, monkeypatch):
    """No RQ retry, no RQ scheduler: the database's next_sync_at and the tick bring the next session."""
    from rq.registry import ScheduledJobRegistry

    from workers import jobs
    from workers.worker import run_worker

    rt, _, _, mailbox, world = setup
    monkeypatch.setattr(jobs, "default_ports", world)
    world.fail_with = TemporaryFailure("503 burst")
    assert enqueue_due(rt, utcnow()) == 1
    run_worker(rt, burst=True)
    assert ScheduledJobRegistry(queues.SYNC, connection=rt.redis.client).get_job_ids() == []
    retry_time = _mailbox(rt, mailbox.id).next_sync_at
    assert retry_time > utcnow() and enqueue_due(rt, utcnow()) == 0, "not before its backoff time"
    world.fail_with = None
    assert enqueue_due(rt, retry_time) == 1
    run_worker(rt, burst=True)
    assert [r.status for r in _sessions(rt, mailbox.id)] == ["failed", "succeeded"]
    box = _mailbox(rt, mailbox.id)
    assert box.consecutive_failures == 0 and box.next_sync_at > utcnow()


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


def test_sessions_that_keep_dying_count_as_failures_back_off_and_suspend(setup):
    """A session killed every time (out of memory, job timeout) never reaches `fail`: the next one
    counts it, backs off, and suspends at the threshold instead of rerunning every minute."""
    rt, _, user, mailbox, world = setup
    with rt.db.session_scope() as s:
        s.get(Org, user.org_id).settings = {"suspend_after_failures": 2}
        s.add(SyncSessionRecord(org_id=mailbox.org_id, mailbox_id=mailbox.id, trigger="scheduled"))
    world.mailbox.changes_since = lambda *a, **k: (_ for _ in ()).throw(SystemExit("killed"))
    with pytest.raises(SystemExit):    # this session dies too, before recording anything
        run_session(rt, mailbox.id, "scheduled", world)
    box = _mailbox(rt, mailbox.id)
    assert box.status == "active" and box.consecutive_failures == 1
    assert box.next_sync_at > utcnow() + timedelta(seconds=20), "backs off like any failed session"
    assert run_session(rt, mailbox.id, "scheduled", world) == "skipped"
    box = _mailbox(rt, mailbox.id)
    assert box.status == "suspended" and "2 consecutive failed sessions" in box.status_reason
    assert [r.status for r in _sessions(rt, mailbox.id)] == ["failed", "failed"]


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


# error raised by a session → (mailbox status, cursors kept, queued again by a later tick)
SESSION_FATES = [
    (TemporaryFailure("mail server busy"), "active", True, True),
    (Throttled("429 Too Many Requests"), "active", True, True),
    (CursorExpired("sync token expired"), "active", False, True),
    (AuthFailure("IMAP login refused"), "needs_reauth", True, False),
    (NotFound("no calendar collection"), "suspended", True, False),
    (PermissionDenied("API_DISABLED_FOR_ORG"), "suspended", True, False),
    (InvalidData("no IMAP server configured"), "suspended", True, False),
    (ProviderUnavailable("no adapter for 'ews' mailboxes in this deployment"), "suspended", True, False),
]


@pytest.mark.parametrize(("error", "status", "cursors_kept", "runs_again"), SESSION_FATES,
                         ids=[type(row[0]).__name__ for row in SESSION_FATES])
def test_the_error_table_decides_the_fate_of_a_failed_session(setup, error, status, cursors_kept, runs_again):
    rt, _, _, mailbox, world = setup
    world.mailbox.put(FolderKind.CALENDAR, meeting("Kick-off", start=utcnow() + timedelta(days=2)))
    assert run_session(rt, mailbox.id, "scheduled", world) == "succeeded"
    world.fail_with = error
    assert run_session(rt, mailbox.id, "scheduled", world) == "failed"
    box = _mailbox(rt, mailbox.id)
    assert box.status == status and box.consecutive_failures == 1
    assert str(error) in (box.status_reason or _sessions(rt, mailbox.id)[-1].failure)
    with rt.db.session_scope() as s:
        assert bool(s.scalars(select(SyncCursor).where(SyncCursor.mailbox_id == mailbox.id)).all()) is cursors_kept
    assert enqueue_due(rt, utcnow() + timedelta(days=2)) == int(runs_again)
    if status == "suspended":
        assert "retrying cannot help" in box.status_reason


def test_no_adapter_is_a_permanent_clearly_worded_state_not_a_retried_crash(setup):
    from app.services.ports_factory import default_ports

    rt, _, user, mailbox, _ = setup
    with rt.db.session_scope() as s:
        s.get(Mailbox, mailbox.id).server_profile.kind = "ews"
    assert run_session(rt, mailbox.id, "scheduled", default_ports) == "failed"
    box = _mailbox(rt, mailbox.id)
    assert box.status == "suspended" and "no adapter for 'ews' mailboxes" in box.status_reason
    assert [r.status for r in _sessions(rt, mailbox.id)] == ["failed"]


def test_a_suspension_made_while_the_session_ran_is_not_overwritten_by_its_failure(setup):
    from app.models import User
    from app.services.mailbox_status import suspend

    rt, factory, user, mailbox, world = setup
    with rt.db.session_scope() as s:
        org = s.get(Org, user.org_id)
        s.expunge(org)
    admin = factory.user(org, email="boss@acme.test", admin=True)

    def admin_suspends_then_credentials_fail(rt_, box, owner):
        with rt.db.session_scope() as s:
            suspend(s, s.get(Mailbox, box.id), "legal review", s.get(User, admin.id))
        raise AuthFailure("invalid_grant")

    assert run_session(rt, mailbox.id, "scheduled", admin_suspends_then_credentials_fail) == "failed"
    box = _mailbox(rt, mailbox.id)
    assert (box.status, box.status_set_by, box.status_reason) == ("suspended", "admin", "legal review")


def test_the_tick_hands_due_synced_standards_mailboxes_to_one_idle_check_job_once(setup):
    from app.services.sync_queue import CHECK_JOB

    rt, factory, user, mailbox, _ = setup
    dav = factory.mailbox(factory.user(factory.org()), endpoints={"caldav_url": "https://dav.example.test/"})
    with rt.db.session_scope() as s:       # synced before (a mailbox never synced gets its session at once)
        s.get(Mailbox, dav.id).last_sync_at = utcnow() - timedelta(minutes=30)
    assert enqueue_due(rt, utcnow()) == 2
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    jobs = {job.func_name: job.args for job in queue.jobs}
    assert jobs == {"workers.jobs.sync_mailbox": (mailbox.id, "scheduled"), CHECK_JOB: ([dav.id],)}
    assert enqueue_due(rt, utcnow()) == 0, "a mailbox waiting in a check job is not queued again"
    assert _mailbox(rt, dav.id).next_sync_at is None, "only its check or session moves the slot"
