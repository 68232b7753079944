"""When each mailbox syncs next: every `interval`, at a stable phase of its own.

The phase comes from a hash of the mailbox id, so 10,000 mailboxes on a 30-minute interval
spread evenly (~5.6 a second) instead of firing in the same second, and a mailbox keeps
its slot across restarts.
"""
from __future__ import annotations

import hashlib
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
