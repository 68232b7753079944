"""The RQ worker entry point. Non-forking by default: per-job fork costs ~16 ms more
(LIMITS.md), and `syncline up` restarts a worker that dies. SIGTERM = warm shutdown."""
from __future__ import annotations

import logging
import time

from rq import Queue, SimpleWorker, Worker

from app.logs import bound
from app.runtime import Runtime
from app.state import queues
from workers.context import set_runtime
from workers.reconnect import run_reconnecting

log = logging.getLogger("syncline.jobs")


class _JobLogLine:
    """One JSON line per job, and the job's id/function on every line the job logs."""

    def perform_job(self, job, queue, execution) -> bool:
        started = time.perf_counter()
        with bound(job_id=job.id, job=job.func_name, queue=queue.name, **(job.meta.get("log_context") or {})):
            ok = super().perform_job(job, queue, execution)
            log.info("job", extra={"ctx": {"status": "finished" if ok else "failed",
                                           "duration_ms": round((time.perf_counter() - started) * 1000, 2)}})
        return ok


class SynclineSimpleWorker(_JobLogLine, SimpleWorker):
    pass


class SynclineForkingWorker(_JobLogLine, Worker):
    pass


def run_worker(rt: Runtime, *, forking: bool = False, burst: bool = False, name: str | None = None) -> bool:
    """Work the queues; a Redis outage waits for Redis and starts a fresh worker (no crash loop)."""
    set_runtime(rt)
    connection = rt.redis.client
    worker_class = SynclineForkingWorker if forking else SynclineSimpleWorker

    def work() -> bool:
        worker = worker_class([Queue(q, connection=connection) for q in queues.ALL],
                              connection=connection, name=name)
        return worker.work(burst=burst, with_scheduler=False, logging_level=rt.config.log_level)

    return bool(run_reconnecting(work, connection, "worker"))
