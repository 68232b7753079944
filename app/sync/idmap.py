"""The ID map: which mailbox item mirrors which Salesforce record, and what was last agreed.

A create is made idempotent by a deterministic sync key: the entry is stored *pending*
before the write, the write carries the key (``Syncline_Key__c`` upsert, or an extended
property in the mailbox), and a restart reconciles pending entries by looking the key up.
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum
from typing import Protocol

from app.sync.contacts import normalized_email
from app.sync.items import CalendarItem, ContactItem, FolderKind, MailboxItem


class PendingWrite(str, Enum):
    """A create that was started but not yet confirmed in the ID map."""

    CREATE_IN_CRM = "create_in_crm"
    CREATE_IN_MAILBOX = "create_in_mailbox"


@dataclass(frozen=True)
class IdMapEntry:
    """One mirrored pair. ``field_hashes`` is the last agreed value of every mapped field.

    ``mailbox_item_id`` never changes for an item (occurrences use ``occurrence_id``).
    ``pending_writes`` ("mailbox:subject" → hash) are updates started but not confirmed: after a
    crash, a side already holding the intended value is recognised as our write, not a user's.
    """

    sf_org_id: str
    mailbox_id: str
    sync_key: str
    kind: FolderKind
    object_type: str
    mailbox_item_id: str | None = None
    uid: str | None = None
    series_id: str | None = None
    crm_id: str | None = None
    mailbox_version: str | None = None
    crm_version: str | None = None
    mailbox_hash: str | None = None
    crm_hash: str | None = None
    field_hashes: Mapping[str, str] = field(default_factory=dict)
    pending: PendingWrite | None = None
    pending_writes: Mapping[str, str] = field(default_factory=dict)
    deleted: bool = False
    unlinked: bool = False
    last_error: str | None = None
    attempts: int = 0
    synced_at: datetime | None = None
    link_reasons: tuple[str, ...] = ()    # why the record's Who/What are what they are (the ladder's rungs)

    @property
    def is_linked(self) -> bool:
        """Both sides exist and are mirrored."""
        return (self.crm_id is not None and self.mailbox_item_id is not None and self.pending is None
                and not self.deleted and not self.unlinked)

    @property
    def awaiting_create(self) -> bool:
        """A create that failed or never happened: the planner treats the item as new again."""
        return (self.pending is None and not self.deleted and not self.unlinked
                and (self.crm_id is None or self.mailbox_item_id is None))


@dataclass(frozen=True)
class InPlay:
    """The entries a session needs when neither side listed in full: those touching these mailbox
    items (as the item or its series), records or sync keys, every pending create and every
    failure with fewer than ``retry_below`` attempts. An idle session so reads a handful of rows,
    not the whole map."""

    item_ids: frozenset[str] = frozenset()
    crm_ids: frozenset[str] = frozenset()
    sync_keys: frozenset[str] = frozenset()
    retry_below: int = 0

    def wants(self, entry: IdMapEntry) -> bool:
        """The rule every store applies (the SQL store as a query)."""
        return (entry.mailbox_item_id in self.item_ids or entry.series_id in self.item_ids
                or entry.crm_id in self.crm_ids or entry.sync_key in self.sync_keys or entry.pending is not None
                or (entry.last_error is not None and entry.attempts < self.retry_below and not entry.deleted))


class IdMapStore(Protocol):
    """Durable storage of entries, keyed by (mailbox_id, sync_key). SQL in production."""

    def entries(self, mailbox_id: str, kind: FolderKind) -> list[IdMapEntry]:
        """Every entry of one mailbox folder kind, tombstones included."""

    def entries_in_play(self, mailbox_id: str, kind: FolderKind, wanted: InPlay) -> list[IdMapEntry]:
        """The entries of one mailbox folder kind ``wanted`` names (see ``InPlay.wants``)."""

    def settled_records(self, mailbox_id: str, kind: FolderKind, versions: Mapping[str, str]) -> set[str]:
        """Those of these records (id → version) whose entry already agreed on exactly that version."""

    def put(self, entries: Sequence[IdMapEntry]) -> None:
        """Insert or replace entries; durable when it returns."""

    def remove(self, mailbox_id: str, sync_keys: Sequence[str]) -> None:
        """Forget entries (a pending create that never happened)."""

    def linked_elsewhere(self, mailbox_id: str, crm_ids: Sequence[str]) -> set[str]:
        """Those of ``crm_ids`` another mailbox of the org still mirrors (a live, linked entry)."""


class CursorStore(Protocol):
    """Change cursors per mailbox and stream (``mailbox:calendar``, ``crm:Event``)."""

    def load(self, mailbox_id: str, stream: str) -> str | None:
        """The saved cursor, or None before the first sync."""

    def save(self, mailbox_id: str, stream: str, cursor: str | None) -> None:
        """Persist a cursor; only called after the data it covers is written."""


def with_write_intents(entry: IdMapEntry, intents: Mapping[str, str]) -> IdMapEntry:
    """The entry to store before updating either side (write-ahead for crash recovery)."""
    return replace(entry, pending_writes={**entry.pending_writes, **intents})


def sync_key(sf_org_id: str, identity: str) -> str:
    """Deterministic key written to ``Syncline_Key__c``; same identity in one org → same key."""
    return hashlib.sha256(f"{sf_org_id}\x1f{identity}".encode()).hexdigest()[:40]


def mailbox_identity(mailbox_id: str, item: MailboxItem) -> str:
    """Org-wide identity: iCalUID (+ recurrence-id) for meetings, so shared meetings dedupe, and
    the e-mail address (trimmed, case-insensitive) for contacts, so one person is one Contact."""
    if isinstance(item, ContactItem) and item.email.strip():
        return f"email:{normalized_email(item.email)}"
    if isinstance(item, CalendarItem) and item.uid:
        if item.recurrence_id is not None:
            return f"ical:{item.uid}#{item.recurrence_id.strftime('%Y%m%dT%H%M%SZ')}"
        return f"ical:{item.uid}"
    return f"item:{mailbox_id}:{item.item_id}"


def crm_identity(object_type: str, record_id: str) -> str:
    """Identity of a record that started in Salesforce."""
    return f"crm:{object_type}:{record_id}"


def mailbox_stream(kind: FolderKind) -> str:
    return f"mailbox:{kind.value}"


def crm_stream(table_name: str) -> str:
    """Per mapping table, so two tables on one object (Task) keep separate cursors."""
    return f"crm:{table_name}"
