"""Each session's skipped items, kept with the session (``SyncSessionRecord.counts``) and listed.

The counts say how many items each reason skipped; this keeps which ones: the mirror's and the
mail step's, in the order they were decided, the last ``MAX_SKIPPED_ITEMS`` of the session. They
live under one reserved key of the session's counts JSON (no table of their own), which the
dashboard's per-kind counts leave out.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import SyncSessionRecord
from app.sync.skipped_items import MAX_SKIPPED_ITEMS, SkippedItem

KEY = "skipped_items"


def kept(mirrored: Iterable[SkippedItem], steps: Iterable[Mapping[str, str]]) -> list[dict]:
    """The session's items to keep: the mirror's, then the extra steps' (mail), the last ones."""
    items = [i.as_dict() for i in mirrored] + [dict(i) for i in steps]
    return items[-MAX_SKIPPED_ITEMS:]


def kind_counts(counts: Mapping[str, Any] | None) -> dict[str, Any]:
    """The session's per-kind counts without the kept items."""
    return {k: v for k, v in (counts or {}).items() if k != KEY}


def of_session(session: Session, mailbox_id: int, session_id: int) -> list[dict] | None:
    """The items one session of this mailbox skipped, in order; None when it is not this mailbox's."""
    record = session.scalar(select(SyncSessionRecord).where(SyncSessionRecord.id == session_id,
                                                            SyncSessionRecord.mailbox_id == mailbox_id))
    if record is None:
        return None
    return list((record.counts or {}).get(KEY) or [])
