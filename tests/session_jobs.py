"""Playing a worker's part on a mailbox's session job, for tests of what arrives meanwhile."""
from __future__ import annotations

from rq import Queue
from rq.job import Job, JobStatus

from app.models.base import utcnow
from app.state import keys, queues


def start_session_job(rt, mailbox_id: int) -> Job:
    """What a worker does when it takes the session: the job is started and the lease is held."""
    job = Job.fetch(keys.sync_job_id(mailbox_id), connection=rt.redis.client)
    Queue(queues.SYNC, connection=rt.redis.client).remove(job)
    job.set_status(JobStatus.STARTED)
    job.started_at = utcnow()
    job.save()
    rt.redis.client.set(keys.mailbox_lock(mailbox_id), "worker", ex=60)
    return job


def finish_session_job(rt, mailbox_id: int, job: Job) -> None:
    """The session ends: the lease goes and RQ releases the jobs waiting on it."""
    job.set_status(JobStatus.FINISHED)
    rt.redis.client.delete(keys.mailbox_lock(mailbox_id))
    Queue(queues.SYNC, connection=rt.redis.client).enqueue_dependents(job)
