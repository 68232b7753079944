"""A mailbox said "something changed" (Graph notification, IMAP IDLE, a Google watch), or its
user pressed "sync now": queue ONE delta session for that mailbox only, and never lose the change.

Bursts coalesce on the mailbox's stable session job (`sync_queue.enqueue_session`): while it
waits in the queue, it will read every change made so far, so further pushes add nothing. A push
(or a forced sync) that arrives while the session RUNS may come after that session read its
delta, so it leaves one follow-up job (stable id, RQ dependency on the running job, also after a failure) that
queues the next session once the running one is over; further pushes coalesce on it. Two
sessions never run at once (the runner's lease), and delta stays the truth: a push only says when.
"""
from __future__ import annotations

from datetime import UTC, datetime

from redis.exceptions import RedisError
from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Dependency, Job, JobStatus

from app.runtime import Runtime
from app.services.sync_queue import enqueue_session, pending_job
from app.state import keys, push_freshness, queues

FOLLOWUP_JOB = "workers.jobs.push_followup"
TRIGGER = "push"

QUEUED, COALESCED, AFTER_RUNNING = "queued", "coalesced", "after_running"


def changed(rt: Runtime, mailbox_id: int) -> str:
    """A vendor's notification said the mailbox changed now: note it for the dashboard's freshness
    (best effort) and ask for a session (``notify``)."""
    try:
        push_freshness.record_change(rt.redis.client, mailbox_id, datetime.now(UTC))
    except RedisError:
        pass     # the session request below fails loudly if Redis is really gone
    return notify(rt, mailbox_id)


def notify(rt: Runtime, mailbox_id: int, trigger: str = TRIGGER, sf_org_id: str = "") -> str:
    """Ask for a session because the mailbox changed (or its user forced one: ``trigger``); returns
    what happened (QUEUED: a new session waits; COALESCED: one already waiting will see the change;
    AFTER_RUNNING: one more session follows the running one)."""
    running = pending_job(rt, mailbox_id)
    if running is None:
        _, new = enqueue_session(rt, mailbox_id, trigger, sf_org_id)
        return QUEUED if new else COALESCED
    if running.get_status(refresh=False) != JobStatus.STARTED:
        return COALESCED
    return AFTER_RUNNING if _follow(rt, mailbox_id, running, trigger) else COALESCED


def forced(rt: Runtime, mailbox_id: int, sf_org_id: str = "") -> tuple[str, str]:
    """The user pressed "sync now": (the mailbox's session job id, what ``notify`` did). A session
    already running may have read its delta before the user's last edit, so one follows it."""
    return keys.sync_job_id(mailbox_id), notify(rt, mailbox_id, "forced", sf_org_id)


def followup(rt: Runtime, mailbox_id: int, trigger: str = TRIGGER) -> str:
    """The follow-up job's work, once the session it waited for is over: queue the next one."""
    job_id, _ = enqueue_session(rt, mailbox_id, trigger)
    return job_id


def _follow(rt: Runtime, mailbox_id: int, running: Job, trigger: str) -> bool:
    """Leave one follow-up behind the running session; False when one is already waiting."""
    if _waiting_followup(rt, mailbox_id, running):
        return False
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    queue.enqueue(FOLLOWUP_JOB, mailbox_id, trigger, job_id=keys.push_followup_job_id(mailbox_id),
                  depends_on=Dependency(jobs=[running.id], allow_failure=True),
                  result_ttl=60, failure_ttl=86400, meta={"log_context": {"mailbox_id": mailbox_id}})
    return True


def _waiting_followup(rt: Runtime, mailbox_id: int, running: Job) -> bool:
    """A follow-up still to run: queued, or deferred behind THIS running session. Any other is
    deleted (spent, or left deferred behind a session whose worker died: RQ would never free it)."""
    try:
        job = Job.fetch(keys.push_followup_job_id(mailbox_id), connection=rt.redis.client)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status == JobStatus.QUEUED or (
            status == JobStatus.DEFERRED and rt.redis.client.sismember(running.dependents_key, job.id)):
        return True
    job.delete()
    return False
