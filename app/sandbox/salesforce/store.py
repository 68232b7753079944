"""Per-org in-memory records with system timestamps, a recycle bin and undo journal.

Deleting only flags a record (IsDeleted) and keeps it for queryAll / getDeleted, as
Salesforce's recycle bin does. Every change is journaled so allOrNone calls roll back.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable

from .catalog import build_schema
from .ids import IdFactory
from .schema import Schema

Record = dict[str, Any]
_Undo = tuple[str, str, "Record | None", "datetime | None"]


class RecordStore:
    """Records of one org keyed by type and id; not thread-safe (callers hold the lock)."""

    def __init__(self) -> None:
        self.by_type: dict[str, dict[str, Record]] = {}
        self.type_of: dict[str, str] = {}
        self.deleted_at: dict[str, datetime] = {}
        self._journal: list[_Undo] = []

    def get(self, record_id: str) -> tuple[str, Record] | None:
        """(type, record) for an id, deleted ones included; None if unknown."""
        kind = self.type_of.get(record_id)
        return (kind, self.by_type[kind][record_id]) if kind else None

    def all(self, kind: str, include_deleted: bool = False) -> list[Record]:
        """Records of a type in insertion order."""
        rows = self.by_type.get(kind, {}).values()
        return [r for r in rows if include_deleted or not r.get("IsDeleted")]

    def put(self, kind: str, record: Record) -> None:
        """Insert or replace a record (journaled)."""
        rid = record["Id"]
        old = self.by_type.get(kind, {}).get(rid)
        self._journal.append((kind, rid, copy.deepcopy(old), self.deleted_at.get(rid)))
        self.by_type.setdefault(kind, {})[rid] = record
        self.type_of[rid] = kind

    def mark_deleted(self, kind: str, rid: str, when: datetime, stamp: str) -> None:
        """Move a record to the recycle bin (journaled)."""
        record = dict(self.by_type[kind][rid])
        record.update(IsDeleted=True, SystemModstamp=stamp)
        self.put(kind, record)
        self.deleted_at[rid] = when

    def savepoint(self) -> int:
        return len(self._journal)

    def rollback_to(self, point: int) -> None:
        """Undo every change made after `point`."""
        while len(self._journal) > point:
            kind, rid, old, old_deleted = self._journal.pop()
            if old is None:
                self.by_type[kind].pop(rid, None)
                self.type_of.pop(rid, None)
            else:
                self.by_type[kind][rid] = old
            if old_deleted is None:
                self.deleted_at.pop(rid, None)
            else:
                self.deleted_at[rid] = old_deleted

    def clear_journal(self) -> None:
        self._journal.clear()


@dataclass
class ValidationRule:
    """A configurable validation rule: `error_when(record)` true → the save fails."""

    sobject: str
    error_when: Callable[[Record], bool]
    message: str
    field: str | None = None


@dataclass
class DuplicateRule:
    """Blocks saving a record whose `fields` match an existing record (case-insensitive)."""

    sobject: str
    fields: tuple[str, ...]
    name: str = "Standard_Rule"
    match_types: tuple[str, ...] = ()   # other types to compare against, e.g. Lead for Contact


@dataclass
class QueryCursor:
    """Rows left to page through for one query locator."""

    rows: list[Record]
    position: int
    page_size: int
    total: int


@dataclass
class Org:
    """One Salesforce org: its schema, records, users and API-usage counters."""

    id: str
    name: str
    ids: IdFactory
    created: datetime
    daily_api_max: int = 100_000
    api_calls: int = 0
    schema: Schema = field(default_factory=build_schema)
    store: RecordStore = field(default_factory=RecordStore)
    validation_rules: list[ValidationRule] = field(default_factory=list)
    duplicate_rules: list[DuplicateRule] = field(default_factory=list)
    autonumbers: dict[str, int] = field(default_factory=dict)
    cursors: dict[str, QueryCursor] = field(default_factory=dict)
    schema_modified: datetime | None = None

    def next_autonumber(self, key: str, start: int = 1000) -> int:
        value = self.autonumbers.get(key, start - 1) + 1
        self.autonumbers[key] = value
        return value
