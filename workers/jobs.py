"""RQ job functions: each one is thin and delegates to app.services."""
from __future__ import annotations

import logging
import time

from app.state import keys
from workers.context import worker_runtime

log = logging.getLogger("syncline.jobs")


def heartbeat() -> float:
    """Proves the scheduler → queue → worker chain works; readiness can show its age."""
    now = time.time()
    worker_runtime().redis.client.set(keys.heartbeat(), now)
    log.info("heartbeat", extra={"ctx": {"job": "heartbeat"}})
    return now
