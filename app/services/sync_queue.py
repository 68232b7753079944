"""Putting sync sessions on the queue: scheduled (due mailboxes) and forced (API).

Each mailbox has one stable job id, so a mailbox never has two sessions waiting; the
per-mailbox lock in the runner makes sure only one runs.
"""
from __future__ import annotations

from datetime import UTC, datetime

from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import or_, select

from app.models import Mailbox
from app.models.base import utcnow
from app.runtime import Runtime
from app.services.scheduling import next_run_after
from app.services.settings import auto_sync_effective, org_settings
from app.state import keys, queues

SYNC_JOB = "workers.jobs.sync_mailbox"
JOB_TIMEOUT_SECONDS = 3600
RETRY = Retry(max=3, interval=[30, 120, 600])
WAITING = {JobStatus.QUEUED, JobStatus.DEFERRED, JobStatus.SCHEDULED, JobStatus.STARTED}


STARTUP_GRACE_SECONDS = 30


def pending_job(rt: Runtime, mailbox_id: int) -> Job | None:
    """The mailbox's job if it is waiting or really running.

    A job RQ still calls "started" whose session lock has expired belongs to a worker that
    died (SIGKILL, OOM): it is not pending, so a new session may be queued at once.
    """
    try:
        job = Job.fetch(keys.sync_job_id(mailbox_id), connection=rt.redis.client)
    except NoSuchJobError:
        return None
    status = job.get_status(refresh=False)
    if status == JobStatus.STARTED and _worker_died(rt, job, mailbox_id):
        return None
    return job if status in WAITING else None


def _worker_died(rt: Runtime, job: Job, mailbox_id: int) -> bool:
    started = job.started_at
    if started is None or (utcnow() - started.replace(tzinfo=UTC)).total_seconds() < STARTUP_GRACE_SECONDS:
        return False
    return not rt.redis.client.exists(keys.mailbox_lock(mailbox_id))


def enqueue_session(rt: Runtime, mailbox_id: int, trigger: str, org_key: str = "") -> tuple[str, bool]:
    """Returns (job id, newly enqueued). An already waiting or running job is reused."""
    existing = pending_job(rt, mailbox_id)
    if existing is not None:
        return existing.id, False
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    job = queue.enqueue(SYNC_JOB, mailbox_id, trigger, job_id=keys.sync_job_id(mailbox_id),
                        retry=RETRY, job_timeout=JOB_TIMEOUT_SECONDS, result_ttl=3600, failure_ttl=86400,
                        meta={"log_context": {"mailbox_id": mailbox_id, "org": org_key}})
    return job.id, True


def enqueue_due(rt: Runtime, now: datetime, limit: int = 5000) -> int:
    """Scheduler tick: enqueue every active mailbox whose slot has come; returns how many."""
    enqueued = 0
    with rt.db.session_scope() as s:
        due = s.scalars(select(Mailbox).where(
            Mailbox.status == "active", or_(Mailbox.next_sync_at.is_(None), Mailbox.next_sync_at <= now))
            .order_by(Mailbox.next_sync_at).limit(limit))
        for mailbox in due:
            user = mailbox.user
            interval = org_settings(user.org)["sync_interval_minutes"]
            mailbox.next_sync_at = next_run_after(mailbox.id, interval, now)
            if auto_sync_effective(user):
                enqueued += enqueue_session(rt, mailbox.id, "scheduled", user.org.sf_org_id)[1]
    return enqueued
