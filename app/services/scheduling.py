"""When each mailbox syncs next: every `interval`, at a stable phase of its own.

The phase comes from a hash of the mailbox id, so 10,000 mailboxes on a 30-minute interval
spread evenly (~5.6 a second) instead of firing in the same second, and a mailbox keeps
its slot across restarts. A failed session is followed by another at its backoff time.
"""
from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

EPOCH = datetime(2026, 1, 1, tzinfo=UTC)


def phase_seconds(mailbox_id: int, interval_seconds: int) -> int:
    digest = hashlib.sha256(f"mailbox:{mailbox_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % interval_seconds


def next_run_after(mailbox_id: int, interval_minutes: int, now: datetime) -> datetime:
    """The first slot of this mailbox strictly after `now`."""
    interval = interval_minutes * 60
    phase = phase_seconds(mailbox_id, interval)
    elapsed = int((now - EPOCH).total_seconds())
    slot = elapsed - (elapsed - phase) % interval
    if slot <= elapsed:
        slot += interval
    return EPOCH + timedelta(seconds=slot)


RETRY_BASE_SECONDS = 30
RETRY_CAP_SECONDS = 3600          # a failing mailbox is still tried at least hourly
RETRY_AFTER_CAP_SECONDS = 26 * 3600  # an org pause for the daily API limit lasts up to a rolling day


def retry_at(now: datetime, failures: int, retry_after: float | None = None,
             jitter: Callable[[], float] = random.random) -> datetime:
    """When a failed session runs again: jittered exponential backoff by consecutive failures
    (30 s, 60 s, 120 s … capped at an hour), never sooner than the error's own `retry_after`."""
    exponent = min(max(failures, 1) - 1, 16)
    backoff = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** exponent) * (0.8 + 0.4 * jitter())
    wait = max(backoff, min(retry_after or 0.0, RETRY_AFTER_CAP_SECONDS))
    return now + timedelta(seconds=round(wait, 3))
