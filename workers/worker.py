"""The RQ worker entry point. Non-forking by default: per-job fork costs ~16 ms more
(LIMITS.md), and `syncline up` restarts a worker that dies. SIGTERM = warm shutdown."""
from __future__ import annotations

from rq import Queue, SimpleWorker, Worker

from app.runtime import Runtime
from workers import queues
from workers.context import set_runtime


def run_worker(rt: Runtime, *, forking: bool = False, burst: bool = False, name: str | None = None) -> bool:
    set_runtime(rt)
    connection = rt.redis.client
    worker_class = Worker if forking else SimpleWorker
    worker = worker_class([Queue(q, connection=connection) for q in queues.ALL],
                          connection=connection, name=name)
    return worker.work(burst=burst, with_scheduler=False, logging_level=rt.config.log_level)
