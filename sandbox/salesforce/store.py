"""Per-org in-memory records with system timestamps, a recycle bin and undo journal.

Deleting only flags a record (IsDeleted) and keeps it for queryAll / getDeleted, as
Salesforce's recycle bin does. Every change is journaled so allOrNone calls roll back.
"""
from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .catalog import build_schema
from .change_events import ChangeEventBus
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
        self.on_commit: Callable[[list[_Undo]], None] | None = None    # Change Data Capture's hook
        self._indexes: dict[tuple[str, str], dict[str, set[str]]] = {}

    def get(self, record_id: str) -> tuple[str, Record] | None:
        """(type, record) for an id, deleted ones included; None if unknown."""
        kind = self.type_of.get(record_id)
        return (kind, self.by_type[kind][record_id]) if kind else None

    def all(self, kind: str, include_deleted: bool = False) -> list[Record]:
        """Records of a type in insertion order."""
        rows = self.by_type.get(kind, {}).values()
        return [r for r in rows if include_deleted or not r.get("IsDeleted")]

    def ids_with(self, kind: str, field: str, value: Any) -> list[str]:
        """Live ids whose `field` equals `value` case-insensitively (External ID / unique
        look-ups), from an index built on first use, so bulk upserts are not O(n²)."""
        index = self._indexes.get((kind, field))
        if index is None:
            index = self._indexes[(kind, field)] = {}
            for rid, record in self.by_type.get(kind, {}).items():
                self._index_add(index, record.get(field), rid)
        rows = self.by_type.get(kind, {})
        key = str(value).lower()
        hits = [rid for rid in index.get(key, ()) if rid in rows and not rows[rid].get("IsDeleted")
                and str(rows[rid].get(field) or "").lower() == key]       # guards against in-place edits
        if len(hits) > 1:           # several: keep insertion order, as a scan would
            order = {rid: n for n, rid in enumerate(rows)}
            hits.sort(key=order.__getitem__)
        return hits if value not in (None, "") else []

    @staticmethod
    def _index_add(index: dict[str, set[str]], value: Any, rid: str) -> None:
        if value not in (None, ""):
            index.setdefault(str(value).lower(), set()).add(rid)

    def put(self, kind: str, record: Record) -> None:
        """Insert or replace a record (journaled)."""
        rid = record["Id"]
        old = self.by_type.get(kind, {}).get(rid)
        self._journal.append((kind, rid, copy.deepcopy(old), self.deleted_at.get(rid)))
        self.by_type.setdefault(kind, {})[rid] = record
        self.type_of[rid] = kind
        for (index_kind, name), index in self._indexes.items():
            if index_kind == kind:
                if old is not None and old.get(name) not in (None, ""):
                    index.get(str(old.get(name)).lower(), set()).discard(rid)
                self._index_add(index, record.get(name), rid)

    def mark_deleted(self, kind: str, rid: str, when: datetime, stamp: str) -> None:
        """Move a record to the recycle bin (journaled)."""
        record = dict(self.by_type[kind][rid])
        record.update(IsDeleted=True, SystemModstamp=stamp)
        self.put(kind, record)
        self.deleted_at[rid] = when

    def savepoint(self) -> int:
        return len(self._journal)

    def rollback_to(self, point: int) -> None:
        """Undo every change made after `point` (indexes are rebuilt on next use)."""
        if len(self._journal) > point:
            self._indexes.clear()
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
        """The transaction committed: what it changed is published (``on_commit``), then forgotten."""
        if self.on_commit is not None and self._journal:
            self.on_commit(list(self._journal))
        self._journal.clear()

    def current(self, kind: str, rid: str) -> Record | None:
        return self.by_type.get(kind, {}).get(rid)


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
    custom_fields: dict[str, dict[str, Any]] = field(default_factory=dict)   # CustomField rows by lower FullName
    changes: ChangeEventBus = field(default_factory=ChangeEventBus)        # Change Data Capture's event stream

    def next_autonumber(self, key: str, start: int = 1000) -> int:
        value = self.autonumbers.get(key, start - 1) + 1
        self.autonumbers[key] = value
        return value
