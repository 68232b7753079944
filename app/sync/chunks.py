"""Reading a folder's changes in chunks, so an import never holds the whole mailbox.

A streaming port (``StreamingMailboxPort``) lists the changed ids first; the items are then read
``policy.import_chunk_size`` at a time, the port reading the next chunk while the engine plans
and writes this one. The items paired with Salesforce's changes lead, so every pair that changed
on both sides is planned with both its sides (a conflict is never split across chunks). The
first chunk carries the deletions and the listing's ``full`` mark; later chunks are plain deltas.
Other ports answer ``changes_since`` and make one chunk, as before.
"""
from __future__ import annotations

from collections.abc import Collection, Generator, Sequence

from app.sync.errors import CursorExpired
from app.sync.event.recurrence_fields import series_parent
from app.sync.idmap import CursorStore, IdMapEntry, IdMapStore, mailbox_stream
from app.sync.idmap_scope import more_entries, without_settled
from app.sync.items import FolderKind, MailboxItem, split_occurrence_id
from app.sync.mapping import MappingTable
from app.sync.outcome import OutcomeBuilder
from app.sync.policy import SyncSession
from app.sync.ports import CrmChanges, MailboxChanges, MailboxListing, MailboxPort


def streams(mailbox: MailboxPort) -> bool:
    """Whether the port lists by id and reads in chunks."""
    return callable(getattr(mailbox, "list_changes", None)) and callable(getattr(mailbox, "read_chunks", None))


def pull_listing(mailbox: MailboxPort, cursors: CursorStore, mailbox_id: str, kind: FolderKind,
                 outcome: OutcomeBuilder) -> MailboxListing | MailboxChanges:
    """The folder's delta by id (a streaming port) or with its items; an expired cursor becomes
    a full listing (the planner deduplicates)."""
    read = mailbox.list_changes if streams(mailbox) else mailbox.changes_since  # type: ignore[attr-defined]
    try:
        return read(kind, cursors.load(mailbox_id, mailbox_stream(kind)))
    except CursorExpired:
        outcome.full_resyncs.append(mailbox_stream(kind))
        return read(kind, None)


def listed_ids(listing: MailboxListing | MailboxChanges) -> tuple[str, ...]:
    """Every item id the listing names as changed (what a full listing's tombstones compare with)."""
    if isinstance(listing, MailboxListing):
        return listing.changed_ids
    return tuple(i.item_id for i in listing.items)


def several_chunks(listing: MailboxListing | MailboxChanges, size: int) -> bool:
    return isinstance(listing, MailboxListing) and len(listing.changed_ids) > max(size, 1)


def crm_paired_items(id_map: IdMapStore, session: SyncSession, table: MappingTable, known: Sequence[IdMapEntry],
                     crm_changes: CrmChanges) -> set[str]:
    """The mailbox resources linked to the records Salesforce changed or deleted (records re-read
    at their agreed version left out: they plan nothing)."""
    if not crm_changes.full:
        crm_changes = without_settled(id_map, session, table, known, crm_changes)
    crm_ids = {r.record_id for r in crm_changes.records} | set(crm_changes.deleted_ids)
    crm_ids |= {p for r in crm_changes.records if (p := series_parent(r.fields))}
    keys = {r.sync_key for r in crm_changes.records if r.sync_key}
    if not crm_ids and not keys:
        return set()
    entries = more_entries(id_map, session, table, known, crm_ids=crm_ids, keys=keys)
    return entry_items([e for e in entries if e.crm_id in crm_ids or e.sync_key in keys])


def entry_items(entries: Sequence[IdMapEntry]) -> set[str]:
    """The mailbox resources of these entries (a series' occurrences name their series)."""
    return ({split_occurrence_id(e.mailbox_item_id)[0] for e in entries if e.mailbox_item_id}
            | {e.series_id for e in entries if e.series_id})


def chunked_changes(mailbox: MailboxPort, listing: MailboxListing | MailboxChanges, lead: Collection[str],
                    size: int) -> Generator[MailboxChanges, None, None]:
    """The listing's items as one ``MailboxChanges`` per chunk, ``lead`` ids in the first one."""
    if isinstance(listing, MailboxChanges):
        yield listing
        return
    size = max(size, 1)
    first_ids = [i for i in listing.changed_ids if i in lead]
    ids = first_ids + [i for i in listing.changed_ids if i not in lead]
    chunks = mailbox.read_chunks(listing.kind, ids, size)  # type: ignore[attr-defined]
    try:
        first: list[MailboxItem] = []
        for _ in range(max(1, -(-len(first_ids) // size))):
            first += next(chunks, [])
        yield MailboxChanges(listing.kind, tuple(first), listing.deleted_ids, listing.cursor, full=listing.full)
        del first
        for chunk in chunks:
            yield MailboxChanges(listing.kind, tuple(chunk), (), listing.cursor)
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
