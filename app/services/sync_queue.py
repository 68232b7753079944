"""Putting sync sessions on the queue: scheduled (due mailboxes) and forced (API).

Each mailbox has one stable job id, so a mailbox never has two sessions waiting; the
per-mailbox lock in the runner makes sure only one runs. The database's `next_sync_at` is the
truth for scheduling: the tick enqueues every due mailbox and never moves its slot (only a
session does), so a refused or lost job cannot cost a slot, and a failed session is followed
by another at its backoff time without any RQ retry or RQ scheduler.
"""
from __future__ import annotations

from datetime import UTC, datetime

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.intermediate_queue import IntermediateQueue
from rq.job import Job, JobStatus
from sqlalchemy import or_, select

from app.models import Mailbox
from app.models.base import utcnow
from app.runtime import Runtime
from app.services.idle_facts import worth_checking
from app.services.scheduling import next_run_after
from app.services.settings import auto_sync_effective, org_settings
from app.state import keys, queues

SYNC_JOB = "workers.jobs.sync_mailbox"
CHECK_JOB = "workers.jobs.check_idle_mailboxes"
CHECK_BATCH = 500          # mailboxes per idle-check job
CHECK_MARK_SECONDS = 900   # a check job lost with its worker frees its mailboxes for a later tick
JOB_TIMEOUT_SECONDS = 3600
STARTUP_GRACE_SECONDS = 10  # between RQ marking a job started and its session taking the lease


def pending_job(rt: Runtime, mailbox_id: int) -> Job | None:
    """The mailbox's job only if it will really run: queued and present in its queue, or
    started under a live session lease.

    Anything else is deleted and not pending: a scheduled or deferred leftover (no RQ scheduler
    promotes it), a queued job whose queue entry was lost with Redis, or a job RQ still calls
    "started" whose lease expired because its worker died (SIGKILL, OOM).
    """
    try:
        job = Job.fetch(keys.sync_job_id(mailbox_id), connection=rt.redis.client)
    except NoSuchJobError:
        return None
    if _will_run(rt, job, mailbox_id):
        return job
    job.delete()
    return None


def _will_run(rt: Runtime, job: Job, mailbox_id: int) -> bool:
    status = job.get_status(refresh=False)
    if status == JobStatus.QUEUED:
        return _in_queue(rt, job)
    if status == JobStatus.STARTED:
        return not _worker_died(rt, job, mailbox_id)
    return False


def _in_queue(rt: Runtime, job: Job) -> bool:
    """In the queue, or in the hand-over list a worker moves it to while dequeuing (RQ 2+)."""
    queue = Queue(job.origin or queues.SYNC, connection=rt.redis.client)
    client = rt.redis.client
    return any(client.lpos(key, job.id) is not None
               for key in (queue.key, IntermediateQueue.get_intermediate_queue_key(queue.key)))


def _worker_died(rt: Runtime, job: Job, mailbox_id: int) -> bool:
    started = job.started_at
    if started is None or (utcnow() - started.replace(tzinfo=UTC)).total_seconds() < STARTUP_GRACE_SECONDS:
        return False
    return not rt.redis.client.exists(keys.mailbox_lock(mailbox_id))


def enqueue_session(rt: Runtime, mailbox_id: int, trigger: str, sf_org_id: str = "") -> tuple[str, bool]:
    """Returns (job id, newly enqueued). An already waiting or running job is reused."""
    existing = pending_job(rt, mailbox_id)
    if existing is not None:
        return existing.id, False
    return _enqueue_new(rt, mailbox_id, trigger, sf_org_id), True


def _enqueue_new(rt: Runtime, mailbox_id: int, trigger: str, sf_org_id: str) -> str:
    """Queue a session for a mailbox known to have no pending job."""
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    job = queue.enqueue(SYNC_JOB, mailbox_id, trigger, job_id=keys.sync_job_id(mailbox_id),
                        job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=3600, failure_ttl=86400,
                        meta={"log_context": {"mailbox_id": mailbox_id, "org": sf_org_id}})
    return job.id


def enqueue_due(rt: Runtime, now: datetime, limit: int = 5000) -> int:
    """Scheduler tick: queue every active mailbox whose time has come (a missed tick is caught
    up: the query is `<= now`); returns how many were newly queued.

    Standards (IMAP, CalDAV/CardDAV) mailboxes that have synced and are not failing go to batched
    idle checks (see `idle_check`), which run a full session only where something may have
    changed; the others get their session directly.
    A due mailbox keeps its `next_sync_at` until its check or session moves it, so each tick
    re-checks it; only mailboxes whose automatic sync is off move on to their next slot.
    """
    enqueued, to_check = 0, []
    with rt.db.session_scope() as s:
        due = s.scalars(select(Mailbox).where(
            Mailbox.status == "active", or_(Mailbox.next_sync_at.is_(None), Mailbox.next_sync_at <= now))
            .order_by(Mailbox.next_sync_at).limit(limit))
        for mailbox in due:
            if pending_job(rt, mailbox.id) is not None:
                continue  # queued or running already: cheap to re-check, no ORM loads
            user = mailbox.user
            if not auto_sync_effective(user):
                interval = org_settings(user.org)["sync_interval_minutes"]
                mailbox.next_sync_at = next_run_after(mailbox.id, interval, now)
            elif worth_checking(mailbox):
                to_check.append(mailbox.id)
            else:
                _enqueue_new(rt, mailbox.id, "scheduled", user.org.sf_org_id)
                enqueued += 1
    return enqueued + enqueue_checks(rt, to_check)


def enqueue_checks(rt: Runtime, mailbox_ids: list[int]) -> int:
    """Queue idle-check jobs for the mailboxes not already waiting in one; returns how many were queued."""
    client = rt.redis.client
    fresh = [i for i in mailbox_ids if client.set(keys.idle_check_mark(i), 1, nx=True, ex=CHECK_MARK_SECONDS)]
    queue = Queue(queues.SYNC, connection=client)
    for start in range(0, len(fresh), CHECK_BATCH):
        queue.enqueue(CHECK_JOB, fresh[start:start + CHECK_BATCH], job_timeout=CHECK_MARK_SECONDS,
                      result_ttl=3600, failure_ttl=86400)
    return len(fresh)
