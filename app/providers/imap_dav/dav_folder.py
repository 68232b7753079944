"""One DAV-backed folder (calendar, task list or address book) speaking the MailboxPort verbs.

Items are identified by their resource path; the ETag is the item's version. Items the core
creates get a UID and a path derived from their sync key, and are PUT with If-None-Match,
so a replayed create finds the first one instead of duplicating it.
"""
from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any, Protocol, TypeVar

from app.providers.imap_dav.davsync import CollectionClient, Resource
from app.providers.read_ahead import read_ahead
from app.sync.errors import AuthFailure, CursorExpired, InvalidData, NotFound, PermissionDenied, SyncError
from app.sync.items import (
    CalendarException,
    CalendarItem,
    FolderKind,
    MailboxItem,
    split_occurrence_id,
)
from app.sync.ports import ItemPatch, MailboxChanges, MailboxListing, WriteResult

READ_ONLY_FIELDS = frozenset({"item_id", "version", "modified_at", "uid", "sync_key"})
EXCEPTION_FIELDS = ("start", "end", "subject", "location")


class ResourceCodec(Protocol):
    """Converts one resource's text to a core item and back (keeping unmapped properties)."""

    def read(self, href: str, etag: str, data: str) -> MailboxItem | None: ...

    @property
    def component(self) -> str | None:
        """The iCalendar component this codec reads (VEVENT, VTODO), None for other formats."""

    def write(self, item: MailboxItem, existing: str | None, uid: str) -> str: ...

    def uid_of(self, item: MailboxItem) -> str: ...


class ClientSource(Protocol):
    """Where a folder's collection client comes from: the discovery cache or discovery itself."""

    @property
    def from_cache(self) -> bool: ...

    def client(self, fresh: bool = False) -> CollectionClient: ...


T = TypeVar("T")


def uid_for_sync_key(key: str) -> str:
    """The UID of an item created for ``key``; the core uses the same form for calendar items."""
    return f"syncline-{key}@syncline"


class DavFolder:
    """The port operations for one folder kind; ``source`` finds the collection lazily."""

    def __init__(self, kind: FolderKind, source: ClientSource, codec: ResourceCodec) -> None:
        self.kind = kind
        self.source = source
        self._client: CollectionClient | None = None
        self.codec = codec

    @property
    def client(self) -> CollectionClient:
        if self._client is None:
            self._client = self.source.client()
        return self._client

    def find(self) -> None:
        """Discover the collection now rather than at the first read."""
        _ = self.client

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        delta = self._reading(lambda client: client.delta(cursor, self.kind.value))
        items = self._read(self._reading(lambda client: client.fetch(list(delta.changed), self.kind.value)))
        return MailboxChanges(self.kind, tuple(items), delta.removed, delta.cursor, full=delta.full)

    def list_changes(self, cursor: str | None) -> MailboxListing:
        """The delta by href only; ``read_chunks`` reads the items (an import in chunks)."""
        delta = self._reading(lambda client: client.delta(cursor, self.kind.value))
        return MailboxListing(self.kind, delta.changed, delta.removed, delta.cursor, full=delta.full)

    def read_chunks(self, hrefs: Sequence[str], size: int) -> Iterator[list[MailboxItem]]:
        """Multigets of ``size`` hrefs, each parsed in a worker thread while the caller works on
        the previous chunk; members a chunk read found without this folder's component are skipped."""
        component = self.codec.component
        wanted = [h for h in hrefs if self.client.may_hold(h, component)]
        batches = (wanted[start:start + size] for start in range(0, len(wanted), max(size, 1)))
        return read_ahead(batches, lambda batch: self._read(self._reading(lambda client: client.fetch_chunk(batch))))

    def _reading(self, read: Callable[[CollectionClient], T]) -> T:
        """A read from a collection the cache named: when the server says it is gone (404, 410) or
        no longer ours (403), discovery is re-done and the read tried once more; an expired cursor
        re-discovers too (the core then lists the fresh collection in full)."""
        try:
            return read(self.client)
        except (NotFound, PermissionDenied):
            if not self.source.from_cache:
                raise
            self._client = self.source.client(fresh=True)
            return read(self._client)
        except CursorExpired:
            if self.source.from_cache:
                self._client = self.source.client(fresh=True)
            raise

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        hrefs = list(dict.fromkeys(split_occurrence_id(i)[0] for i in item_ids))
        return self._read(self._reading(lambda client: client.fetch(hrefs)))

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        hrefs = [self.client.href_for(uid_for_sync_key(k)) for k in keys]
        wanted = set(keys)
        return {i.sync_key: i for i in self._read(self.client.fetch(hrefs)) if i.sync_key in wanted}

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return [_guarded(lambda: self._create(item)) for item in items]

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        """Patches on one resource (series and its occurrences) become one conditional PUT."""
        groups: dict[str, list[ItemPatch]] = {}
        for patch in patches:
            groups.setdefault(split_occurrence_id(patch.item_id)[0], []).append(patch)
        current = {r.href: r for r in self.client.fetch(list(groups))}
        results: dict[int, WriteResult] = {}
        for href, group in groups.items():
            result = _guarded(lambda: self._rewrite(current.get(href), href, group))
            results.update({id(p): replace(result, target_id=p.item_id) if result.ok else result for p in group})
        return [results[id(p)] for p in patches]

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        """Whole resources are deleted with If-Match; an occurrence id cancels that occurrence."""
        occurrences = [i for i in item_ids if split_occurrence_id(i)[1] is not None]
        cancelled = dict(zip(occurrences, self.update_items([ItemPatch(i, {"cancelled": True}) for i in occurrences])))
        plain = [i for i in item_ids if i not in cancelled]
        current = {r.href: r for r in self.client.fetch(plain)} if plain else {}
        return [cancelled[i] if i in cancelled else _guarded(lambda: self._delete(i, current.get(i))) for i in item_ids]

    def set_categories(self, item_id: str, categories: Sequence[str]) -> WriteResult:
        return self.update_items([ItemPatch(item_id, {"categories": tuple(categories)})])[0]

    def _read(self, resources: Sequence[Resource]) -> list[MailboxItem]:
        items = (self.codec.read(r.href, r.etag, r.data) for r in resources)
        return [i for i in items if i is not None]

    def _create(self, item: MailboxItem) -> WriteResult:
        key = item.sync_key
        uid = self.codec.uid_of(item) or (uid_for_sync_key(key) if key else f"{uuid.uuid4()}@syncline")
        href = self.client.href_for(uid_for_sync_key(key) if key else uid)
        etag = self.client.put(href, self.codec.write(item, None, uid), None)
        if etag is None:  # exists: our earlier attempt succeeded, or the name is taken
            found = self._read(self.client.fetch([href]))
            if not found or found[0].sync_key != key or key is None:
                raise InvalidData(f"{href} already exists and is not the item for sync key {key}")
            etag = found[0].version
        return WriteResult(True, href, etag)

    def _rewrite(self, resource: Resource | None, href: str, patches: list[ItemPatch]) -> WriteResult:
        if resource is None:
            raise NotFound(f"{href} not found")
        item = self.codec.read(href, resource.etag, resource.data)
        if item is None:
            raise InvalidData(f"{href} holds no {self.kind.value} item")
        for patch in patches:
            item = apply_patch(item, patch)
        uid = self.codec.uid_of(item) or _existing_uid(resource.data)
        etag = self.client.put(href, self.codec.write(item, resource.data, uid), resource.etag)
        return WriteResult(True, href, etag)

    def _delete(self, href: str, resource: Resource | None) -> WriteResult:
        if resource is None:
            raise NotFound(f"{href} not found")
        self.client.delete(href, resource.etag)
        return WriteResult(True, href)


def apply_patch(item: MailboxItem, patch: ItemPatch) -> MailboxItem:
    """The item with the patch's attributes set; an occurrence patch edits that exception only."""
    _, stamp = split_occurrence_id(patch.item_id)
    if stamp is not None and isinstance(item, CalendarItem):
        return _patch_occurrence(item, stamp, patch.changes)
    known = {f.name for f in fields(item)} - READ_ONLY_FIELDS
    changes = {k: tuple(v) if isinstance(v, list) else v for k, v in patch.changes.items() if k in known}
    return replace(item, **changes)


def _patch_occurrence(item: CalendarItem, stamp: str, changes: dict[str, Any]) -> CalendarItem:
    rid = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    current = next((e for e in item.exceptions if e.recurrence_id == rid), CalendarException(rid))
    updated = replace(current, cancelled=current.cancelled or bool(changes.get("cancelled")),
                      **{k: v for k, v in changes.items() if k in EXCEPTION_FIELDS})
    others = tuple(e for e in item.exceptions if e.recurrence_id != rid)
    return replace(item, exceptions=tuple(sorted(others + (updated,), key=lambda e: e.recurrence_id)))


def _existing_uid(data: str) -> str:
    for line in data.splitlines():
        if line.upper().startswith("UID:"):
            return line[4:].strip()
    return f"{uuid.uuid4()}@syncline"


def _guarded(write: Callable[[], WriteResult]) -> WriteResult:
    """One record's failure becomes its WriteResult; lost credentials stop the whole batch."""
    try:
        return write()
    except AuthFailure:
        raise
    except SyncError as exc:
        return WriteResult(False, error=str(exc) or exc.code, error_code=exc.code)
