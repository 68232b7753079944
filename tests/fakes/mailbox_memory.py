"""A faithful in-memory ``MailboxPort``: versions bump on every write, cursors are sequence
numbers, deletes leave tombstones, cursors can expire, and failures can be injected mid-batch.

Test code plays the *user* through ``put``/``edit``/``remove``; the engine uses the port methods.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from app.sync.errors import CursorExpired, NotFound, TemporaryFailure
from app.sync.items import (
    CalendarException,
    CalendarItem,
    FolderKind,
    MailboxItem,
    split_occurrence_id,
)
from app.sync.ports import ItemPatch, MailboxChanges, MailboxListing, WriteResult
from tests.fakes.serialized import serialized

EXCEPTION_FIELDS = ("start", "end", "subject", "location")


class SimulatedCrash(Exception):
    """The worker process dies: not a SyncError, so nothing in the engine catches it."""


class TickingClock:
    """A shared clock that advances one second per reading, so modification times are ordered."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 11, 23, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Faults:
    """Armed failures: ``crash``/``raise`` after N records of the next call to an operation."""

    armed: dict[str, tuple[int, BaseException]] = field(default_factory=dict)
    rejections: dict[str, tuple[Callable[[Any], bool], str]] = field(default_factory=dict)

    def arm(self, op: str, after: int = 0, error: BaseException | None = None) -> None:
        self.armed[op] = (after, error or TemporaryFailure(f"injected failure in {op}"))

    def reject(self, op: str, predicate: Callable[[Any], bool], code: str = "invalid") -> None:
        self.rejections[op] = (predicate, code)

    def clear(self) -> None:
        self.armed.clear()
        self.rejections.clear()

    def check(self, op: str, done: int) -> None:
        after, error = self.armed.get(op, (-1, None))
        if error is not None and done == after:
            del self.armed[op]
            raise error

    def rejected(self, op: str, subject: Any) -> WriteResult | None:
        predicate, code = self.rejections.get(op, (None, ""))
        if predicate is not None and predicate(subject):
            return WriteResult(False, error=f"injected rejection in {op}", error_code=code)
        return None


@serialized
class InMemoryMailbox:
    """One mailbox with calendar, tasks, contacts and mail folders."""

    def __init__(self, clock: Callable[[], datetime] | None = None, name: str = "mbx") -> None:
        self.clock = clock or TickingClock()
        self.name = name
        self.items: dict[FolderKind, dict[str, MailboxItem]] = {k: {} for k in FolderKind}
        self.log: dict[FolderKind, list[tuple[int, str]]] = {k: [] for k in FolderKind}
        self.expired_before: dict[FolderKind, int] = {k: 0 for k in FolderKind}
        self.faults = Faults()
        self.calls: list[str] = []
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)

    # ---- the user -------------------------------------------------------------------------
    def put(self, kind: FolderKind, item: MailboxItem) -> MailboxItem:
        """The user creates (empty id) or replaces an item."""
        item_id = item.item_id or f"{self.name}-{kind.value}-{next(self._ids)}"
        return self._store(kind, replace(item, item_id=item_id))

    def edit(self, kind: FolderKind, item_id: str, **changes: Any) -> MailboxItem:
        return self._store(kind, replace(self.items[kind][item_id], **changes))

    def remove(self, kind: FolderKind, item_id: str) -> None:
        del self.items[kind][item_id]
        self.log[kind].append((next(self._seq), item_id))

    def expire_cursors(self, kind: FolderKind) -> None:
        """Every cursor handed out so far becomes invalid (Graph 410 / syncStateNotFound)."""
        self.expired_before[kind] = next(self._seq)

    # ---- MailboxPort ----------------------------------------------------------------------
    def changes_since(self, kind: FolderKind, cursor: str | None) -> MailboxChanges:
        self.calls.append("changes_since")
        self.faults.check("changes_since", 0)
        head = next(self._seq)
        if cursor is None:
            return MailboxChanges(kind, tuple(self.items[kind].values()), (), str(head), full=True)
        if int(cursor) < self.expired_before[kind]:
            raise CursorExpired(f"{kind.value} cursor {cursor} expired")
        touched = dict.fromkeys(i for seq, i in self.log[kind] if seq > int(cursor))
        items = tuple(self.items[kind][i] for i in touched if i in self.items[kind])
        deleted = tuple(i for i in touched if i not in self.items[kind])
        return MailboxChanges(kind, items, deleted, str(head))

    def get_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[MailboxItem]:
        return [self.items[kind][i] for i in item_ids if i in self.items[kind]]

    def create_items(self, kind: FolderKind, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return self._batch("create_items", items, lambda item: self._create(kind, item))

    def update_items(self, kind: FolderKind, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        return self._batch("update_items", patches, lambda patch: self._update(kind, patch))

    def delete_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[WriteResult]:
        return self._batch("delete_items", item_ids, lambda item_id: self._delete(kind, item_id))

    def find_by_sync_keys(self, kind: FolderKind, keys: Sequence[str]) -> dict[str, MailboxItem]:
        wanted = set(keys)
        return {i.sync_key: i for i in self.items[kind].values() if i.sync_key in wanted}

    # ---- internals ------------------------------------------------------------------------
    def _batch(self, op: str, inputs: Sequence[Any], apply: Callable[[Any], WriteResult]) -> list[WriteResult]:
        self.calls.append(op)
        results = []
        for done, subject in enumerate(inputs):
            self.faults.check(op, done)
            results.append(self.faults.rejected(op, subject) or apply(subject))
        self.faults.check(op, len(inputs))
        return results

    def _store(self, kind: FolderKind, item: MailboxItem) -> MailboxItem:
        seq = next(self._seq)
        stored = replace(item, version=f"{self.name}-v{seq}", modified_at=self.clock())
        self.items[kind][stored.item_id] = stored
        self.log[kind].append((seq, stored.item_id))
        return stored

    def _create(self, kind: FolderKind, item: MailboxItem) -> WriteResult:
        stored = self.put(kind, replace(item, item_id=""))
        return WriteResult(True, stored.item_id, stored.version)

    def _update(self, kind: FolderKind, patch: ItemPatch) -> WriteResult:
        series_id, stamp = split_occurrence_id(patch.item_id)
        if series_id not in self.items[kind]:
            return WriteResult(False, error=f"{patch.item_id} not found", error_code=NotFound.code)
        if stamp is None:
            stored = self.edit(kind, series_id, **patch.changes)
        else:
            stored = self._patch_occurrence(kind, series_id, stamp, patch.changes, cancel=False)
        return WriteResult(True, patch.item_id, stored.version)

    def _delete(self, kind: FolderKind, item_id: str) -> WriteResult:
        series_id, stamp = split_occurrence_id(item_id)
        if series_id not in self.items[kind]:
            return WriteResult(False, error=f"{item_id} not found", error_code=NotFound.code)
        if stamp is None:
            self.remove(kind, series_id)
        else:
            self._patch_occurrence(kind, series_id, stamp, {}, cancel=True)
        return WriteResult(True, item_id)

    def _patch_occurrence(self, kind: FolderKind, series_id: str, stamp: str, changes: dict, cancel: bool) -> MailboxItem:
        """Occurrence writes become exceptions on the master (only start/end/subject/location)."""
        master = self.items[kind][series_id]
        assert isinstance(master, CalendarItem)
        rid = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        current = next((e for e in master.exceptions if e.recurrence_id == rid), CalendarException(rid))
        updated = replace(current, cancelled=current.cancelled or cancel,
                          **{k: v for k, v in changes.items() if k in EXCEPTION_FIELDS})
        others = tuple(e for e in master.exceptions if e.recurrence_id != rid)
        return self.edit(kind, series_id, exceptions=others + (updated,))


@serialized
class StreamingMailbox(InMemoryMailbox):
    """The same mailbox speaking the streaming verbs, as the DAV adapter does: changes listed by id,
    items read in chunks (``chunks_read`` records each chunk's ids, ``read_chunks`` faults fire
    at the Nth chunk)."""

    def __init__(self, clock: Callable[[], datetime] | None = None, name: str = "mbx") -> None:
        super().__init__(clock, name)
        self.chunks_read: list[tuple[str, ...]] = []

    def list_changes(self, kind: FolderKind, cursor: str | None) -> MailboxListing:
        changes = self.changes_since(kind, cursor)
        return MailboxListing(kind, tuple(i.item_id for i in changes.items), changes.deleted_ids, changes.cursor,
                              full=changes.full)

    def read_chunks(self, kind: FolderKind, item_ids: Sequence[str], size: int) -> Iterator[list[MailboxItem]]:
        for start in range(0, len(item_ids), size):
            self.faults.check("read_chunks", len(self.chunks_read))
            batch = item_ids[start:start + size]
            self.chunks_read.append(tuple(batch))
            yield self.get_items(kind, batch)
