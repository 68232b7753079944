"""``run_sync``: the thin shell around the planner (gather → plan → apply → record → cursors).

Order, after Odoo: reconcile crash leftovers, pull both deltas (full listing when a cursor
expired), plan, apply in batches, write the ID map, and only then save each cursor whose
changes were all safely written. A crash anywhere replays; echo suppression makes it a no-op.
"""
from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace

from app.sync.apply import Ports, apply_actions
from app.sync.blocklist import AddressBlocklist, blocklisted
from app.sync.chunks import chunked_changes, crm_paired_items, listed_ids, pull_listing, several_chunks
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
from app.sync.identity import expand_units
from app.sync.idmap import CursorStore, IdMapEntry, IdMapStore, crm_stream, mailbox_stream
from app.sync.idmap_scope import entries_for_changes, entries_for_lookups, more_entries, unfinished_entries
from app.sync.items import FolderKind
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
    chunk's ID map is durable before the next is planned, the cursors are saved after the last."""
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
    lead = (crm_paired_items(ports.id_map, session, table, entries, crm_changes)
            if several_chunks(listing, policy.import_chunk_size) else set())
    held: set[str] = set()
    chunk_crm, listed_first = crm_changes, listed_ids(listing)
    listed: Sequence[str] | None = listed_first     # the folder's whole listing, for the first chunk only
    with closing(chunked_changes(ports.mailbox, listing, lead, policy.import_chunk_size)) as chunks:  # stops read-ahead
        for mailbox_changes in chunks:
            held |= _sync_chunk(session, ports, policy, mapping, outcome, entries, mailbox_changes, chunk_crm, listed)
            entries, chunk_crm, listed = [], CrmChanges(table.object_type, cursor=crm_changes.cursor), None
    if mb_stream not in held:
        cursors.save(session.mailbox_id, mb_stream, listing.cursor, listing.full)
    if crm_stream_name not in held:
        cursors.save(session.mailbox_id, crm_stream_name, crm_changes.cursor, crm_changes.full)
    outcome.held.extend(sorted(held))


def _sync_chunk(session: SyncSession, ports: Ports, policy: SyncPolicy, mapping: BoundMapping,
                outcome: OutcomeBuilder, entries: list[IdMapEntry], mailbox_changes: MailboxChanges,
                crm_changes: CrmChanges, listed: Sequence[str] | None) -> set[str]:
    """Plan and write one chunk; returns the streams a retryable failure holds. ``listed``: every
    id of the folder's listing (first chunk only), for retries and a full listing's tombstones."""
    table = mapping.table
    mailbox_changes, crm_changes = with_retries(ports, table, policy, entries, mailbox_changes, crm_changes, listed)
    entries, crm_changes = entries_for_changes(ports.id_map, session, table, entries, mailbox_changes, crm_changes)
    mailbox_changes, crm_changes = tombstones_from_full_listings(ports, table, entries, mailbox_changes, crm_changes,
                                                                 listed)
    entries = forget_seen_refusals(ports.id_map, session, entries, mailbox_changes)
    units, refused = expand_units(mailbox_changes, session, policy)   # series expanded once, for look-ups and plan
    entries = more_entries(ports.id_map, session, table, entries, keys={u.key for u in units})
    outcome.errors.extend(refused_series_errors(table.kind, refused))
    if refused:
        ports.id_map.put(refused_series_entries(table, session, entries, refused, policy.max_attempts))
    lookups = replace(gather_lookups(ports.crm, mapping, session, policy, units, entries),
                      held_elsewhere=held_elsewhere(ports.id_map, session, entries, mailbox_changes))
    entries = entries_for_lookups(ports.id_map, session, table, entries, lookups)
    actions = plan_sync(mailbox_changes, crm_changes, entries, policy, mapping, session=session, lookups=lookups,
                        units=units)
    applied = apply_actions(actions, ports, table.kind, table.object_type, policy, entries)
    ports.id_map.put(finalize_entries(actions, applied, entries, policy.max_attempts))
    record_outcome(outcome, table.kind, actions, applied)
    return held_streams(applied)
