"""Skipped items one by one (pure): which item a session left out, its subject, its date, and why.

The dashboard's counts say how many items each reason skipped; this says which. A session keeps
the last ``MAX_SKIPPED_ITEMS`` (the counts still cover every one)."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from app.sync.items import CalendarItem, ContactItem, EmailMessage, TaskItem

MAX_SKIPPED_ITEMS = 200
ECHO = "echo of our own write"     # counted, never listed: every write of ours comes back once
SUBJECT_MAX = 255
RECORD_WHEN = ("StartDateTime", "ActivityDateTime", "ActivityDate", "MessageDate", "CreatedDate")
RECORD_SUBJECT = ("Subject", "Name")


@dataclass(frozen=True)
class SkippedItem:
    """``item``: the mailbox item id (or the Salesforce record id when ``side`` is "salesforce")."""

    kind: str
    item: str
    sync_key: str
    subject: str
    when: str
    reason: str
    side: str = "mailbox"

    def as_dict(self) -> dict[str, str]:
        return {"kind": self.kind, "item": self.item, "sync_key": self.sync_key, "subject": self.subject,
                "when": self.when, "reason": self.reason, "side": self.side}


def _iso(value: datetime | date | str | None) -> str:
    if value is None or value == "":
        return ""
    return value if isinstance(value, str) else value.isoformat()


def item_facts(item: Any) -> tuple[str, str]:
    """(subject, when) of a mailbox item: a meeting's start, a task's due date, a message's arrival."""
    if isinstance(item, CalendarItem):
        return item.subject[:SUBJECT_MAX], _iso(item.start)
    if isinstance(item, TaskItem):
        return item.subject[:SUBJECT_MAX], _iso(item.due_date)
    if isinstance(item, ContactItem):
        return (item.display_name or " ".join(p for p in (item.given_name, item.surname) if p))[:SUBJECT_MAX], ""
    if isinstance(item, EmailMessage):
        return item.subject[:SUBJECT_MAX], _iso(item.received_at or item.sent_at)
    return "", ""


def record_facts(fields: Mapping[str, Any]) -> tuple[str, str]:
    """(subject, when) of a Salesforce record from its usual fields."""
    subject = next((str(fields[f]) for f in RECORD_SUBJECT if fields.get(f)), "")
    return subject[:SUBJECT_MAX], next((_iso(fields[f]) for f in RECORD_WHEN if fields.get(f)), "")
