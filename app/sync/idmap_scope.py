"""Reading only the ID map entries a session's changes touch, so an idle cycle's cost does not
grow with the mailbox: the unfinished entries first (crash leftovers, retries), then those of
the changed items and records, then those of the units' keys and of the records the look-ups
found. A full listing on either side still reads the whole map (its tombstones need it).
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace

from app.sync.event.recurrence_fields import series_parent
from app.sync.idmap import IdMapEntry, IdMapStore, InPlay
from app.sync.items import split_occurrence_id
from app.sync.mapping import MappingTable
from app.sync.plan_support import PlanLookups
from app.sync.policy import SyncSession
from app.sync.ports import CrmChanges, MailboxChanges


def unfinished_entries(id_map: IdMapStore, session: SyncSession, table: MappingTable,
                       max_attempts: int) -> list[IdMapEntry]:
    """Pending creates and failures with attempts left: what a session looks at before any change."""
    found = id_map.entries_in_play(session.mailbox_id, table.kind, InPlay(retry_below=max_attempts))
    return [e for e in found if e.object_type == table.object_type]


def entries_for_changes(id_map: IdMapStore, session: SyncSession, table: MappingTable, known: Sequence[IdMapEntry],
                        mailbox_changes: MailboxChanges, crm_changes: CrmChanges) -> tuple[list[IdMapEntry], CrmChanges]:
    """``known`` with the entries of the changed items and records (every entry after a full
    listing), and the Salesforce changes without the records already agreed at that very version
    (an overlapping poll window's re-reads: the planner would only skip them as echoes)."""
    if mailbox_changes.full or crm_changes.full:
        stored = [e for e in id_map.entries(session.mailbox_id, table.kind) if e.object_type == table.object_type]
        return merged(known, stored), crm_changes
    crm_changes = without_settled(id_map, session, table, known, crm_changes)
    item_ids = {split_occurrence_id(i.item_id)[0] for i in mailbox_changes.items}
    item_ids |= {split_occurrence_id(i)[0] for i in mailbox_changes.deleted_ids} | set(mailbox_changes.deleted_ids)
    crm_ids = {r.record_id for r in crm_changes.records} | set(crm_changes.deleted_ids)
    crm_ids |= {p for r in crm_changes.records if (p := series_parent(r.fields))}
    keys = {r.sync_key for r in crm_changes.records if r.sync_key}
    entries = more_entries(id_map, session, table, known, item_ids=item_ids, crm_ids=crm_ids, keys=keys)
    return entries, crm_changes


def without_settled(id_map: IdMapStore, session: SyncSession, table: MappingTable, known: Sequence[IdMapEntry],
                    crm_changes: CrmChanges) -> CrmChanges:
    """The changes less records whose entry holds their version (an unfinished entry's record stays:
    it is being retried)."""
    versions = {r.record_id: r.version for r in crm_changes.records if r.version}
    if not versions:
        return crm_changes
    settled = id_map.settled_records(session.mailbox_id, table.kind, versions) - {e.crm_id for e in known}
    if not settled:
        return crm_changes
    return replace(crm_changes, records=tuple(r for r in crm_changes.records if r.record_id not in settled))


def entries_for_lookups(id_map: IdMapStore, session: SyncSession, table: MappingTable, known: Sequence[IdMapEntry],
                        lookups: PlanLookups) -> list[IdMapEntry]:
    """``known`` with the entries of the records the look-ups offer to link (a record another pair
    already mirrors must not be linked twice)."""
    crm_ids = {r.record_id for r in lookups.existing_by_key.values()}
    crm_ids |= {r.record_id for found in lookups.fuzzy_candidates.values() for r in found}
    return more_entries(id_map, session, table, known, crm_ids=crm_ids)


def more_entries(id_map: IdMapStore, session: SyncSession, table: MappingTable, known: Sequence[IdMapEntry], *,
                 item_ids: Iterable[str] = (), crm_ids: Iterable[str] = (), keys: Iterable[str] = ()) -> list[IdMapEntry]:
    """``known`` plus the stored entries of these items, records and keys (``known`` wins a tie:
    it may hold this session's fixes)."""
    have = {e.sync_key for e in known}
    wanted = InPlay(frozenset(item_ids), frozenset(crm_ids), frozenset(keys) - have)
    if not (wanted.item_ids or wanted.crm_ids or wanted.sync_keys):
        return list(known)
    stored = [e for e in id_map.entries_in_play(session.mailbox_id, table.kind, wanted)
              if e.object_type == table.object_type]
    return merged(known, stored)


def merged(known: Sequence[IdMapEntry], stored: Sequence[IdMapEntry]) -> list[IdMapEntry]:
    have = {e.sync_key for e in known}
    return [*known, *(e for e in stored if e.sync_key not in have)]
