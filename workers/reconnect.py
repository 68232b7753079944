"""Workers and the scheduler outlive a Redis outage instead of crash-looping.

RQ's own loops give up (exit) when Redis disappears at the wrong moment (registration, a job's
bookkeeping, the cron scheduler's tick). `run_reconnecting` waits for Redis with capped
exponential backoff, logging one line when the outage starts and one when it ends, then runs
the loop again. Missed scheduler slots are caught up by the next tick (`enqueue_due` takes
every mailbox due `<= now`).
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.exceptions import StopRequested

log = logging.getLogger("syncline.jobs")
REDIS_DOWN = (RedisConnectionError, RedisTimeoutError)
FIRST_WAIT_SECONDS = 0.5
MAX_WAIT_SECONDS = 30.0
T = TypeVar("T")


def run_reconnecting(run: Callable[[], T], client: Redis, process: str,
                     sleep: Callable[[float], None] = time.sleep) -> T | None:
    """`run()` until it returns; a Redis outage waits for Redis and runs it again.

    Returns None when a stop was requested (SIGTERM) while waiting for Redis."""
    while True:
        try:
            return run()
        except REDIS_DOWN as exc:
            if not wait_for_redis(client, process, exc, sleep):
                return None


def wait_for_redis(client: Redis, process: str, error: BaseException,
                   sleep: Callable[[float], None] = time.sleep) -> bool:
    """Block until Redis answers PING again; False if a stop was requested meanwhile."""
    log.warning("redis unavailable; reconnecting with backoff",
                extra={"ctx": {"process": process, "error": f"{type(error).__name__}: {error}"[:300]}})
    started, wait = time.monotonic(), FIRST_WAIT_SECONDS
    try:
        while True:
            sleep(wait)
            try:
                client.ping()
                break
            except REDIS_DOWN:
                wait = min(wait * 2, MAX_WAIT_SECONDS)
    except (StopRequested, KeyboardInterrupt):
        log.info("stop requested while redis was unavailable", extra={"ctx": {"process": process}})
        return False
    log.info("redis is back", extra={"ctx": {"process": process,
                                             "down_seconds": round(time.monotonic() - started, 1)}})
    return True
