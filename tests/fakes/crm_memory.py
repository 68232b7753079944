"""A faithful in-memory ``CrmPort`` (a Salesforce org), plus in-memory ``IdMapStore`` and
``CursorStore`` (the lead's SQL versions replace these in production).

Faithful where it matters to the core: SystemModstamp-like versions bump on every write,
changes since a cursor include deletes, upsert is by ``Syncline_Key__c``, over-long strings
are rejected like ``STRING_TOO_LONG`` when a describe is given, failures inject mid-batch.
"""
from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime
from typing import Any, Callable, Mapping, Sequence

from app.sync.errors import CursorExpired, InvalidData, NotFound
from app.sync.idmap import IdMapEntry
from app.sync.items import FolderKind
from app.sync.ports import (
    SYNC_KEY_FIELD, CrmChanges, CrmRecord, EventRelationSpec, RecordWrite, SearchCriteria, WriteResult,
)
from tests.fakes.mailbox_memory import Faults, TickingClock

ID_PREFIX = {"Event": "00U", "Task": "00T", "Contact": "003", "EmailMessage": "02s"}


class InMemoryCrm:
    """One org. ``describes`` (object → describe dict) enables length validation."""

    def __init__(self, clock: Callable[[], datetime] | None = None,
                 describes: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.clock = clock or TickingClock()
        self.records: dict[str, dict[str, CrmRecord]] = {}
        self.log: dict[str, list[tuple[int, str]]] = {}
        self.expired_before: dict[str, int] = {}
        self.relations: dict[str, tuple[EventRelationSpec, ...]] = {}
        self.people: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.lengths = {o: {f["name"]: f["length"] for f in d.get("fields", []) if f.get("length")}
                        for o, d in (describes or {}).items()}
        self.faults = Faults()
        self.calls: list[str] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)

    # ---- a Salesforce user ----------------------------------------------------------------
    def create(self, object_type: str, owner_id: str, **fields: Any) -> CrmRecord:
        record_id = f"{ID_PREFIX.get(object_type, 'a00')}{next(self._ids):015d}"
        return self._store(object_type, record_id, {"OwnerId": owner_id, **fields})

    def edit(self, object_type: str, record_id: str, **fields: Any) -> CrmRecord:
        current = self.records[object_type][record_id]
        return self._store(object_type, record_id, {**current.fields, **fields})

    def delete(self, object_type: str, record_id: str) -> None:
        del self.records[object_type][record_id]
        self.relations.pop(record_id, None)
        self.log.setdefault(object_type, []).append((next(self._seq), record_id))

    def expire_cursors(self, object_type: str) -> None:
        self.expired_before[object_type] = next(self._seq)

    def all(self, object_type: str) -> list[CrmRecord]:
        return list(self.records.get(object_type, {}).values())

    # ---- CrmPort --------------------------------------------------------------------------
    def changes_since(self, object_type: str, cursor: str | None, owner_id: str | None) -> CrmChanges:
        self.calls.append("changes_since")
        self.faults.check("changes_since", 0)
        head, records = next(self._seq), self.records.get(object_type, {})
        mine = (lambda r: owner_id is None or r.fields.get("OwnerId") == owner_id)
        if cursor is None:
            return CrmChanges(object_type, tuple(r for r in records.values() if mine(r)), (), str(head), full=True)
        if int(cursor) < self.expired_before.get(object_type, 0):
            raise CursorExpired(f"{object_type} cursor {cursor} expired")
        touched = dict.fromkeys(i for seq, i in self.log.get(object_type, []) if seq > int(cursor))
        changed = tuple(records[i] for i in touched if i in records and mine(records[i]))
        return CrmChanges(object_type, changed, tuple(i for i in touched if i not in records), str(head))

    def get_records(self, object_type: str, record_ids: Sequence[str]) -> list[CrmRecord]:
        records = self.records.get(object_type, {})
        return [records[i] for i in record_ids if i in records]

    def upsert_by_sync_key(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        return self._batch("upsert_by_sync_key", writes, lambda w: self._upsert(object_type, w))

    def update_records(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        return self._batch("update_records", writes, lambda w: self._update(object_type, w))

    def delete_records(self, object_type: str, record_ids: Sequence[str]) -> list[WriteResult]:
        return self._batch("delete_records", record_ids, lambda i: self._delete(object_type, i))

    def find_by_sync_keys(self, object_type: str, keys: Sequence[str]) -> dict[str, CrmRecord]:
        wanted = set(keys)
        return {r.sync_key: r for r in self.all(object_type) if r.sync_key in wanted}

    def search(self, object_type: str, criteria: SearchCriteria) -> list[CrmRecord]:
        def matches(r: CrmRecord) -> bool:
            owner_ok = criteria.owner_id is None or r.fields.get("OwnerId") == criteria.owner_id
            return owner_ok and all(r.fields.get(k) == v for k, v in criteria.equals.items())
        return [r for r in self.all(object_type) if matches(r)][: criteria.limit]

    def resolve_people(self, emails: Sequence[str]) -> dict[str, str]:
        return {e: self.people[e] for e in emails if e in self.people}

    def resolve_users(self, emails: Sequence[str]) -> dict[str, str]:
        return {e: self.users[e] for e in emails if e in self.users}

    def replace_event_relations(self, event_id: str, relations: Sequence[EventRelationSpec]) -> WriteResult:
        self.calls.append("replace_event_relations")
        self.faults.check("replace_event_relations", 0)
        self.relations[event_id] = tuple(relations)
        return WriteResult(True, event_id)

    # ---- internals ------------------------------------------------------------------------
    def _batch(self, op: str, inputs: Sequence[Any], apply: Callable[[Any], WriteResult]) -> list[WriteResult]:
        self.calls.append(op)
        results = []
        for done, subject in enumerate(inputs):
            self.faults.check(op, done)
            results.append(self.faults.rejected(op, subject) or apply(subject))
        self.faults.check(op, len(inputs))
        return results

    def _too_long(self, object_type: str, fields: Mapping[str, Any]) -> WriteResult | None:
        for name, value in fields.items():
            limit = self.lengths.get(object_type, {}).get(name)
            if isinstance(value, str) and limit is not None and len(value) > limit:
                return WriteResult(False, error=f"STRING_TOO_LONG: {name}", error_code=InvalidData.code)
        return None

    def _store(self, object_type: str, record_id: str, fields: Mapping[str, Any]) -> CrmRecord:
        seq = next(self._seq)
        record = CrmRecord(object_type, record_id, dict(fields), f"m{seq}", self.clock())
        self.records.setdefault(object_type, {})[record_id] = record
        self.log.setdefault(object_type, []).append((seq, record_id))
        return record

    def _upsert(self, object_type: str, write: RecordWrite) -> WriteResult:
        problem = self._too_long(object_type, write.fields)
        if problem:
            return problem
        existing = self.find_by_sync_keys(object_type, [write.sync_key or ""]).get(write.sync_key or "")
        if existing is not None:
            stored = self.edit(object_type, existing.record_id, **write.fields)
        else:
            stored = self.create(object_type, write.fields.get("OwnerId", ""),
                                 **{**write.fields, SYNC_KEY_FIELD: write.sync_key})
        return WriteResult(True, stored.record_id, stored.version)

    def _update(self, object_type: str, write: RecordWrite) -> WriteResult:
        if write.record_id not in self.records.get(object_type, {}):
            return WriteResult(False, error="ENTITY_IS_DELETED", error_code=NotFound.code)
        problem = self._too_long(object_type, write.fields)
        if problem:
            return problem
        stored = self.edit(object_type, write.record_id or "", **write.fields)
        return WriteResult(True, stored.record_id, stored.version)

    def _delete(self, object_type: str, record_id: str) -> WriteResult:
        if record_id not in self.records.get(object_type, {}):
            return WriteResult(False, error="ENTITY_IS_DELETED", error_code=NotFound.code)
        self.delete(object_type, record_id)
        return WriteResult(True, record_id)


class InMemoryIdMapStore:
    """``IdMapStore`` on a dict; ``faults.arm('put', ...)`` simulates a crash before the write."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], IdMapEntry] = {}
        self.faults = Faults()
        self.put_calls = 0

    def entries(self, mailbox_id: str, kind: FolderKind) -> list[IdMapEntry]:
        return [e for (m, _), e in self.rows.items() if m == mailbox_id and e.kind is kind]

    def put(self, entries: Sequence[IdMapEntry]) -> None:
        """``faults.arm("put", after=put_calls + n)`` fails the n-th call from now (0 = the next one)."""
        self.faults.check("put", self.put_calls)
        self.put_calls += 1
        for entry in entries:
            self.rows[(entry.mailbox_id, entry.sync_key)] = replace(entry, field_hashes=dict(entry.field_hashes))

    def remove(self, mailbox_id: str, sync_keys: Sequence[str]) -> None:
        for key in sync_keys:
            self.rows.pop((mailbox_id, key), None)


class InMemoryCursorStore:
    """``CursorStore`` on a dict; ``faults.arm('save', ...)`` simulates a crash before saving."""

    def __init__(self) -> None:
        self.cursors: dict[tuple[str, str], str | None] = {}
        self.faults = Faults()

    def load(self, mailbox_id: str, stream: str) -> str | None:
        return self.cursors.get((mailbox_id, stream))

    def save(self, mailbox_id: str, stream: str, cursor: str | None) -> None:
        self.faults.check("save", 0)
        self.cursors[(mailbox_id, stream)] = cursor
