"""SQL implementations of the sync core's IdMapStore and CursorStore ports.

Each call is its own short transaction and is durable when it returns, which is what the
core relies on to advance cursors only after the data is written.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import cast

from sqlalchemy import Table, and_, bindparam, delete, insert, select, update

from app.db import Database
from app.models.sync_state import IdMapRow, SyncCursor
from app.sync.idmap import IdMapEntry, InPlay, PendingWrite
from app.sync.items import FolderKind

IN_LIST_CHUNK = 500   # ids per IN (...) list: far below every database's bound-parameter limit

_TABLE = cast(Table, IdMapRow.__table__)     # a declarative model's table is a Table

_COPIED = ("sync_key", "object_type", "mailbox_item_id", "uid", "series_id", "crm_id", "mailbox_version",
           "crm_version", "mailbox_hash", "crm_hash", "deleted", "unlinked", "last_error", "attempts", "synced_at")


def _row_values(entry: IdMapEntry) -> dict:
    """The columns an entry sets (``link_reasons`` aside: a stored row keeps its reasons unless
    the entry brings new ones)."""
    values = {name: getattr(entry, name) for name in _COPIED}
    values.update(kind=entry.kind.value, field_hashes=dict(entry.field_hashes),
                  pending_writes=dict(entry.pending_writes), pending=entry.pending.value if entry.pending else None)
    return values


def _to_entry(row: IdMapRow, sf_org_id: str) -> IdMapEntry:
    values = {name: getattr(row, name) for name in _COPIED}
    return IdMapEntry(sf_org_id=sf_org_id, mailbox_id=str(row.mailbox_id), kind=FolderKind(row.kind),
                      field_hashes=dict(row.field_hashes or {}), pending_writes=dict(row.pending_writes or {}),
                      link_reasons=tuple(row.link_reasons or ()),
                      pending=PendingWrite(row.pending) if row.pending else None, **values)


class SqlIdMapStore:
    """The ID map of the mailboxes of one org. `sf_org_id` is the core's org id (Salesforce's)."""

    def __init__(self, db: Database, org_pk: int, sf_org_id: str):
        self.db, self.org_pk, self.sf_org_id = db, org_pk, sf_org_id

    def entries(self, mailbox_id: str, kind: FolderKind) -> list[IdMapEntry]:
        with self.db.session_scope() as s:
            rows = s.scalars(select(IdMapRow).where(IdMapRow.mailbox_id == int(mailbox_id),
                                                    IdMapRow.kind == kind.value).order_by(IdMapRow.id))
            return [_to_entry(r, self.sf_org_id) for r in rows]

    def entries_in_play(self, mailbox_id: str, kind: FolderKind, wanted: InPlay) -> list[IdMapEntry]:
        """The unfinished rows (two queries on partial indexes), then those of the named items,
        records and keys in chunks of ``IN_LIST_CHUNK`` (a row matching several is returned once)."""
        column_values = ((IdMapRow.mailbox_item_id, wanted.item_ids), (IdMapRow.series_id, wanted.item_ids),
                         (IdMapRow.crm_id, wanted.crm_ids), (IdMapRow.sync_key, wanted.sync_keys))
        conditions = [IdMapRow.pending.is_not(None),     # two queries, not one OR: each uses its partial index
                      and_(IdMapRow.last_error.is_not(None), IdMapRow.attempts < wanted.retry_below,
                           IdMapRow.deleted.is_(False))]
        for column, values in column_values:
            ordered = sorted(values)
            conditions += [column.in_(ordered[i:i + IN_LIST_CHUNK]) for i in range(0, len(ordered), IN_LIST_CHUNK)]
        found: dict[int, IdMapEntry] = {}
        with self.db.session_scope() as s:
            for condition in conditions:
                rows = s.scalars(select(IdMapRow).where(IdMapRow.mailbox_id == int(mailbox_id),
                                                        IdMapRow.kind == kind.value, condition))
                found.update((r.id, _to_entry(r, self.sf_org_id)) for r in rows if r.id not in found)
        return [found[k] for k in sorted(found)]

    def settled_records(self, mailbox_id: str, kind: FolderKind, versions: Mapping[str, str]) -> set[str]:
        """Two short columns per row: by IN lists for a few records; for many (an overlapping poll
        window's re-read of an import), one pass over the kind's rows, 20x faster than 40 IN lists."""
        query = select(IdMapRow.crm_id, IdMapRow.crm_version).where(
            IdMapRow.mailbox_id == int(mailbox_id), IdMapRow.kind == kind.value, IdMapRow.crm_id.is_not(None))
        if len(versions) <= IN_LIST_CHUNK:
            query = query.where(IdMapRow.crm_id.in_(sorted(versions)))
        with self.db.session_scope() as s:
            return {crm_id for crm_id, version in s.execute(query)
                    if crm_id and version and version == versions.get(crm_id)}

    def put(self, entries: Sequence[IdMapEntry]) -> None:
        """Insert new rows and update stored ones in bulk: Core executemany of uniform rows (the ORM's
        bulk paths regroup rows by their None columns and cost more than SQLite's own work), since an
        import writes thousands per chunk. One transaction, so a chunk's entries are durable together."""
        by_mailbox: dict[int, dict[str, IdMapEntry]] = {}
        for entry in entries:
            by_mailbox.setdefault(int(entry.mailbox_id), {})[entry.sync_key] = entry
        with self.db.session_scope() as s:
            for mailbox_pk, wanted in by_mailbox.items():
                keys = list(wanted)
                stored: dict[str, int] = {}
                for start in range(0, len(keys), IN_LIST_CHUNK):
                    stored.update(s.execute(select(IdMapRow.sync_key, IdMapRow.id).where(
                        IdMapRow.mailbox_id == mailbox_pk, IdMapRow.sync_key.in_(keys[start:start + IN_LIST_CHUNK]))).all())
                inserts = [{**_row_values(e), "org_id": self.org_pk, "mailbox_id": mailbox_pk,
                            "link_reasons": list(e.link_reasons)} for k, e in wanted.items() if k not in stored]
                updates = [{**_row_values(e), "row_id": stored[k]} for k, e in wanted.items() if k in stored]
                reasons = [{"row_id": stored[k], "link_reasons": list(e.link_reasons)}
                           for k, e in wanted.items() if k in stored and e.link_reasons]
                if inserts:
                    s.execute(insert(_TABLE), inserts)
                for rows in (updates, reasons):   # a stored row keeps its reasons unless new ones come
                    if rows:
                        s.execute(update(_TABLE).where(_TABLE.c.id == bindparam("row_id")), rows)

    def remove(self, mailbox_id: str, sync_keys: Sequence[str]) -> None:
        with self.db.session_scope() as s:
            s.execute(delete(IdMapRow).where(IdMapRow.mailbox_id == int(mailbox_id),
                                             IdMapRow.sync_key.in_(list(sync_keys))))

    def linked_elsewhere(self, mailbox_id: str, crm_ids: Sequence[str]) -> set[str]:
        with self.db.session_scope() as s:
            return set(s.scalars(select(IdMapRow.crm_id).where(
                IdMapRow.org_id == self.org_pk, IdMapRow.crm_id.in_(list(crm_ids)),
                IdMapRow.mailbox_id != int(mailbox_id), IdMapRow.deleted.is_(False), IdMapRow.unlinked.is_(False),
                IdMapRow.pending.is_(None), IdMapRow.mailbox_item_id.is_not(None))))


class SqlCursorStore:
    def __init__(self, db: Database):
        self.db = db

    def load(self, mailbox_id: str, stream: str) -> str | None:
        with self.db.session_scope() as s:
            return s.scalar(select(SyncCursor.cursor).where(SyncCursor.mailbox_id == int(mailbox_id),
                                                            SyncCursor.stream == stream))

    def save(self, mailbox_id: str, stream: str, cursor: str | None) -> None:
        with self.db.session_scope() as s:
            row = s.scalar(select(SyncCursor).where(SyncCursor.mailbox_id == int(mailbox_id),
                                                    SyncCursor.stream == stream))
            if row is None:
                row = SyncCursor(mailbox_id=int(mailbox_id), stream=stream)
                s.add(row)
            row.cursor = cursor


