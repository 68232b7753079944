"""``run_sync``: the thin shell around the planner (gather → plan → apply → record → cursors).

Order, after Odoo: reconcile crash leftovers, pull both deltas (full listing when a cursor
expired), plan, apply in batches, write the ID map, and only then save each cursor whose
changes were all safely written. A crash anywhere replays; echo suppression makes it a no-op.
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import dataclass, replace

from app.sync.actions import Action
from app.sync.apply import Applied, Ports, apply_actions
from app.sync.blocklist import AddressBlocklist, blocklisted
from app.sync.chunk_writes import ChunkWrites
from app.sync.chunks import chunked_changes, crm_paired_items, entry_items, listed_ids, pull_listing, several_chunks
from app.sync.engine_support import (
    finalize_entries,
    forget_seen_refusals,
    gather_lookups,
    held_elsewhere,
    held_streams,
    pull_crm,
    reconcile_pending,
    record_outcome,
    refused_series_entries,
    refused_series_errors,
    tombstones_from_full_listings,
    with_retries,
)
from app.sync.errors import FolderUnavailable
from app.sync.identity import MailboxUnit, RefusedSeries, expand_units
from app.sync.idmap import CursorStore, IdMapEntry, IdMapStore, crm_stream, mailbox_stream
from app.sync.idmap_scope import entries_for_changes, entries_for_lookups, more_entries, unfinished_entries
from app.sync.items import FolderKind, MailboxItem
from app.sync.mapping import BoundMapping, Direction
from app.sync.outcome import OutcomeBuilder, SyncOutcome
from app.sync.plan import plan_sync
from app.sync.policy import SyncPolicy, SyncSession
from app.sync.ports import CrmChanges, CrmPort, MailboxChanges, MailboxPort
from app.sync.window_reach import ReachCursors, window_reach


def run_sync(session: SyncSession, mailbox: MailboxPort, crm: CrmPort, id_map: IdMapStore,
             cursors: CursorStore, policy: SyncPolicy, mappings: Sequence[BoundMapping],
             blocked: AddressBlocklist | None = None) -> SyncOutcome:
    """Mirror one mailbox with the org for each mapping table. Safe to re-run after any crash.

    Raises AuthFailure (stop, needs re-authorisation) and whatever a port raises while
    *reading* changes (the worker retries the job); per-record write errors never raise. A kind
    the mailbox's server does not offer (FolderUnavailable) is left out and listed in the outcome.
    ``blocked`` addresses (listed, on a listed domain, or matching a listed pattern) are never
    looked up, so never linked.
    """
    ports = Ports(mailbox, blocklisted(crm, blocked), id_map)
    outcome = OutcomeBuilder()
    for mapping in mappings:
        if policy.option(mapping.table.kind).direction is not Direction.NONE:
            _sync_table(session, ports, cursors, policy, mapping, outcome)
    return outcome.build()


def _sync_table(session: SyncSession, ports: Ports, stored_cursors: CursorStore, policy: SyncPolicy,
                mapping: BoundMapping, outcome: OutcomeBuilder) -> None:
    """Read, plan and write the mailbox's changes chunk by chunk (see ``app.sync.chunks``); each
    chunk's ID map is durable before the next is planned, the cursors are saved after the last.
    The unfinished entries (creates a crash interrupted, failures to retry) travel with the first
    chunk, in the state ``reconcile_pending`` left them in: their items lead it, since a later
    chunk would read the rows as stored (an undone create is still pending there)."""
    table = mapping.table
    mb_stream, crm_stream_name = mailbox_stream(table.kind), crm_stream(table.name)
    backfill = policy.meetings.backfill_from if table.kind is FolderKind.CALENDAR else None
    cursors = ReachCursors(stored_cursors, window_reach(policy.window, table.kind, session.now, backfill),
                           frozenset({mb_stream}) if backfill is not None else frozenset())
    try:   # the mailbox's first reads: nothing is written before the server says it lacks the kind
        entries = reconcile_pending(ports, session, table,
                                    unfinished_entries(ports.id_map, session, table, policy.max_attempts))
        listing = pull_listing(ports.mailbox, cursors, session.mailbox_id, table.kind, outcome)
    except FolderUnavailable as exc:
        outcome.unavailable[table.kind] = str(exc)
        return
    crm_changes = pull_crm(ports.crm, cursors, session, table, outcome)
    chunked = several_chunks(listing, policy.import_chunk_size)
    lead = (crm_paired_items(ports.id_map, session, table, entries, crm_changes) | entry_items(entries)
            if chunked else set())
    held: set[str] = set()
    chunk_crm, listed_first = crm_changes, listed_ids(listing)
    listed: Sequence[str] | None = listed_first     # the folder's whole listing, for the first chunk only
    with closing(chunked_changes(ports.mailbox, listing, lead, policy.import_chunk_size)) as chunks, \
            ChunkWrites(policy.overlap_chunk_writes and chunked) as writes:   # closing stops read-ahead
        for mailbox_changes in chunks:
            held |= _sync_chunk(session, ports, policy, mapping, outcome, writes,
                                _Chunk(entries, mailbox_changes, chunk_crm, listed))
            entries, chunk_crm, listed = [], CrmChanges(table.object_type, cursor=crm_changes.cursor), None
        held |= writes.wait()
    if mb_stream not in held:
        cursors.save(session.mailbox_id, mb_stream, listing.cursor, listing.full)
    if crm_stream_name not in held:
        cursors.save(session.mailbox_id, crm_stream_name, crm_changes.cursor, crm_changes.full)
    outcome.held.extend(sorted(held))


@dataclass(frozen=True)
class _Chunk:
    """One chunk's input: the stored rows already in play, its mailbox items, Salesforce's changes
    (first chunk only) and the folder's whole listing (first chunk only)."""

    entries: list[IdMapEntry]
    mailbox_changes: MailboxChanges
    crm_changes: CrmChanges
    listed: Sequence[str] | None


def _sync_chunk(session: SyncSession, ports: Ports, policy: SyncPolicy, mapping: BoundMapping,
                outcome: OutcomeBuilder, writes: ChunkWrites, chunk: _Chunk) -> set[str]:
    """Read, look up and plan one chunk, then hand its writes to ``writes``; returns the streams a
    retryable failure of the PREVIOUS chunk's writes holds (waited for before this chunk is planned).
    ``chunk.listed``: every id of the folder's listing (first chunk only), for retries and a full
    listing's tombstones."""
    table = mapping.table
    held: set[str] = set()
    mailbox_changes, crm_changes = with_retries(ports, table, policy, chunk.entries, chunk.mailbox_changes,
                                                chunk.crm_changes, chunk.listed)
    units, refused = expand_units(mailbox_changes, session, policy)   # series expanded once, for look-ups and plan
    if writes.touches(_names(mailbox_changes, crm_changes, units, refused)):
        held |= writes.wait()         # the write in flight holds rows this chunk reads: let it finish first
    entries, crm_changes = entries_for_changes(ports.id_map, session, table, chunk.entries, mailbox_changes,
                                               crm_changes)
    mailbox_changes, crm_changes = tombstones_from_full_listings(ports, table, entries, mailbox_changes, crm_changes,
                                                                 chunk.listed)
    entries = forget_seen_refusals(ports.id_map, session, entries, mailbox_changes)
    entries = more_entries(ports.id_map, session, table, entries, keys={u.key for u in units})
    if refused:
        ports.id_map.put(refused_series_entries(table, session, entries, refused, policy.max_attempts))
    lookups = gather_lookups(ports.crm, mapping, session, policy, units, entries)
    held |= writes.wait()             # the previous chunk's ID map is durable before this one is planned
    outcome.errors.extend(refused_series_errors(table.kind, refused))
    lookups = replace(lookups, held_elsewhere=held_elsewhere(ports.id_map, session, entries, mailbox_changes))
    entries = entries_for_lookups(ports.id_map, session, table, entries, lookups)
    actions = plan_sync(mailbox_changes, crm_changes, entries, policy, mapping, session=session, lookups=lookups,
                        units=units)

    def write() -> list[Applied]:
        applied = apply_actions(actions, ports, table.kind, table.object_type, policy, entries)
        ports.id_map.put(finalize_entries(actions, applied, entries, policy.max_attempts))
        return applied

    def finish(applied: list[Applied]) -> set[str]:
        record_outcome(outcome, table.kind, actions, applied)
        return held_streams(applied)

    writes.submit(write, finish, _written_names(actions, mailbox_changes.items))
    return held


def _names(changes: MailboxChanges, crm_changes: CrmChanges, units: Sequence[MailboxUnit] = (),
           refused: Sequence[RefusedSeries] = ()) -> set[str]:
    """What a chunk's stored rows are found by: its items' ids, UIDs and deletions, its units' sync
    keys (refused series' too) and the ids of Salesforce's changed and deleted records."""
    names = _item_names(changes.items) | set(changes.deleted_ids) | {u.key for u in units} | {r.key for r in refused}
    return names | {r.record_id for r in crm_changes.records} | set(crm_changes.deleted_ids)


def _item_names(items: Sequence[MailboxItem]) -> set[str]:
    return {i.item_id for i in items} | {u for i in items if (u := getattr(i, "uid", None))}


def _written_names(actions: Sequence[Action], items: Sequence[MailboxItem]) -> set[str]:
    """Every item id, series, UID, sync key and record a chunk's writes can store a row for."""
    names = _item_names(items)
    for action in actions:
        names.add(action.sync_key)
        entry = action.entry
        if entry is not None:
            names |= {n for n in (entry.mailbox_item_id, entry.series_id, entry.uid, entry.crm_id) if n}
    return names
