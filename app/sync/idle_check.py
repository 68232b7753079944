"""Does a mailbox whose slot has come need a full session, or did a cheap check show nothing changed?

Pure decisions on plain facts, so the scheduler can check thousands of mailboxes a cycle and run
full sessions only where something may have changed. A skip must never lose a change: anything
the check cannot see (held or failed items, retries, a cursor of another shape, the sync window
moving with time) asks for a full session, and so does a last full session older than a day.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

FULL_SESSION_AT_LEAST_EVERY = timedelta(hours=24)


@dataclass(frozen=True)
class IdleFacts:
    """What the database says about one mailbox before its check.

    ``collections``: collection -> the sync token its stored cursor holds; None when a folder's
    cursor cannot be checked cheaply (an ETag-listing server, several books in one, no mail cursor)."""

    last_full_at: datetime | None
    failures: int = 0
    unfinished_items: bool = False
    salesforce_unread: bool = False
    collections: Mapping[str, str] | None = field(default_factory=dict)
    settings_changed_at: datetime | None = None     # the owner's, the org's or a mapping table's last edit


def full_session_reason(facts: IdleFacts, now: datetime,
                        max_age: timedelta = FULL_SESSION_AT_LEAST_EVERY) -> str | None:
    """Why the database alone asks for a full session, or None when a check may decide. (A sync
    window widened by an admin is a settings change; one sliding with time waits at most ``max_age``.)"""
    if facts.last_full_at is None:
        return "no full session yet"
    if now - facts.last_full_at >= max_age:
        return f"last full session older than {max_age}"
    if facts.settings_changed_at is not None and facts.settings_changed_at > facts.last_full_at:
        return "settings changed since the last full session"
    if facts.failures:
        return "the last session failed"
    if facts.unfinished_items:
        return "items are held or waiting for a retry"
    if facts.salesforce_unread:
        return "Salesforce changes are waiting"
    if facts.collections is None:
        return "its folders cannot be checked without a session"
    return None


def changed_collections(stored: Mapping[str, str], current: Mapping[str, str]) -> list[str]:
    """Collections whose token moved since the last session (a missing or empty token counts as moved)."""
    return [href for href, token in stored.items() if not token or current.get(href) != token]
