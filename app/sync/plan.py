"""``plan_sync``: the pure decision of what to create, update, delete, link or skip.

Inputs are plain data (both change sets, the ID map, policy, mapping, lookups the engine
fetched); output is a list of actions. No ports, no clock: ``session.now`` is the time.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Mapping, Sequence

from app.sync.actions import (
    Action, CreateInCrm, CreateInMailbox, DeleteInCrm, DeleteInMailbox, RecordEntry, ResolveConflict, Skip,
    UpdateCrm, UpdateMailbox,
)
from app.sync.idmap import IdMapEntry, PendingWrite, crm_identity, crm_stream, mailbox_stream, sync_key
from app.sync.identity import MailboxUnit, entry_for_unit, mailbox_units, occurrence_start
from app.sync.items import CalendarItem, MailboxItem
from app.sync.mapping import (
    BoundMapping, Direction, crm_values, item_changes, mailbox_values, record_fields, values_hashes,
)
from app.sync.merge import SideState, merge_fields
from app.sync.plan_support import PlanLookups, build_item, content_of, deletion_conflict, relations_for
from app.sync.policy import CancellationPolicy, SyncPolicy, SyncSession, in_window, record_in_window
from app.sync.ports import SYNC_KEY_FIELD, CrmChanges, CrmRecord, ItemPatch, MailboxChanges


@dataclass
class _Plan:
    """Indexes over the inputs plus the actions decided so far (private builder)."""

    session: SyncSession
    policy: SyncPolicy
    mapping: BoundMapping
    lookups: PlanLookups
    entries: Sequence[IdMapEntry]
    crm_deleted: frozenset[str]
    mailbox_deleted: frozenset[str]
    actions: list[Action] = field(default_factory=list)
    handled_records: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.by_item = {e.mailbox_item_id: e for e in self.entries if e.mailbox_item_id}
        self.by_key = {e.sync_key: e for e in self.entries}
        self.by_crm = {e.crm_id: e for e in self.entries if e.crm_id}
        self.linked_crm = {e.crm_id for e in self.entries if e.crm_id and not e.deleted}
        self.direction = self.policy.option(self.mapping.table.kind).direction
        self.ctx = self.mapping.context(self.session.timezone)
        self.mb_origin = frozenset({mailbox_stream(self.mapping.table.kind)})
        self.crm_origin = frozenset({crm_stream(self.mapping.table.name)})

    def add(self, *actions: Action) -> None:
        self.actions.extend(actions)

    def skip(self, key: str, ref: str, reason: str, origins: frozenset[str]) -> None:
        self.add(Skip(key, reason, None, origins, ref=ref))


def plan_sync(mailbox_changes: MailboxChanges, crm_changes: CrmChanges, id_map_entries: Sequence[IdMapEntry],
              policy: SyncPolicy, mapping: BoundMapping, *, session: SyncSession,
              lookups: PlanLookups = PlanLookups()) -> list[Action]:
    """Decide every action for one mailbox folder ⇄ one Salesforce object. Pure and deterministic."""
    plan = _Plan(session, policy, mapping, lookups, id_map_entries,
                 frozenset(crm_changes.deleted_ids), frozenset(mailbox_changes.deleted_ids))
    if plan.direction is Direction.NONE:
        return []
    units = mailbox_units(mailbox_changes, session, policy)
    records = {r.record_id: r for r in crm_changes.records}
    for unit in units:
        _plan_unit(plan, unit, records)
    for record in crm_changes.records:
        if record.record_id not in plan.handled_records:
            _plan_record(plan, record)
    _plan_vanished_occurrences(plan, units)
    _plan_mailbox_deletes(plan, units)
    _plan_crm_deletes(plan, units)
    return plan.actions


def _plan_unit(plan: _Plan, unit: MailboxUnit, records: Mapping[str, CrmRecord]) -> None:
    entry = entry_for_unit(unit, plan.by_item, plan.by_key)
    if entry is None or (entry.awaiting_create and entry.crm_id is None):
        _plan_new_unit(plan, unit)
        return
    if entry.crm_id:
        plan.handled_records.add(entry.crm_id)
    if not entry.is_linked:
        plan.skip(entry.sync_key, unit.item.item_id, _unlinked_reason(entry), plan.mb_origin)
    elif entry.crm_id in plan.crm_deleted:
        return  # the delete pass decides: a delete wins over an edit
    elif isinstance(unit.item, CalendarItem) and unit.item.cancelled and \
            plan.policy.cancellation is CancellationPolicy.DELETE:
        _delete_in_crm(plan, entry, "meeting cancelled; policy deletes the Event", plan.mb_origin)
    else:
        record = records.get(entry.crm_id or "")
        _reconcile(plan, entry, unit.item, record, plan.mb_origin | (plan.crm_origin if record else frozenset()))


def _unlinked_reason(entry: IdMapEntry) -> str:
    if entry.pending is not None:
        return "a create for this item is still being reconciled"
    return "tombstone: this pair was deleted or unlinked and is not recreated"


def _reconcile(plan: _Plan, entry: IdMapEntry, item: MailboxItem | None, record: CrmRecord | None,
               origins: frozenset[str], extra_crm_fields: Mapping[str, Any] | None = None,
               reason: str = "no mapped field changed") -> None:
    """Three-way merge of a linked pair; ``extra_crm_fields`` (a link) forces both sides to be read."""
    mailbox = SideState(None)
    if item is not None and (item.version != entry.mailbox_version or extra_crm_fields is not None):
        mailbox = SideState(mailbox_values(plan.mapping, item, plan.ctx), item.modified_at)
    crm = SideState(None)
    if record is not None and (record.version != entry.crm_version or extra_crm_fields is not None):
        crm = SideState(crm_values(plan.mapping, record.fields, plan.ctx), record.modified_at)
    if mailbox.values is None and crm.values is None:
        plan.skip(entry.sync_key, entry.mailbox_item_id or "", "echo of our own write", origins)
        return
    merged = merge_fields(plan.mapping.table.rows, plan.direction, entry.field_hashes, mailbox, crm,
                          plan.policy.conflict, entry.sync_key)
    after = replace(entry, field_hashes=merged.base, mailbox_hash=content_of(merged.base),
                    crm_hash=content_of(merged.base), last_error=None, attempts=0,
                    mailbox_version=item.version if item is not None else entry.mailbox_version,
                    crm_version=record.version if record is not None else entry.crm_version)
    plan.add(*(ResolveConflict(entry.sync_key, c.reason, None, origins, conflict=c) for c in merged.conflicts))
    writes = _update_actions(plan, after, item, merged.to_crm, merged.to_mailbox, origins, extra_crm_fields)
    plan.add(*(writes or [RecordEntry(entry.sync_key, reason, after, origins)]))


def _update_actions(plan: _Plan, after: IdMapEntry, item: MailboxItem | None, to_crm: Mapping[str, Any],
                    to_mailbox: Mapping[str, Any], origins: frozenset[str],
                    extra_crm_fields: Mapping[str, Any] | None) -> list[Action]:
    actions: list[Action] = []
    fields = {**record_fields(plan.mapping, to_crm, plan.ctx), **(extra_crm_fields or {})}
    relations = relations_for(item, plan.lookups) if "attendees" in to_crm else None
    if fields or relations is not None:
        actions.append(UpdateCrm(after.sync_key, "mailbox changed " + ", ".join(sorted(to_crm)) if to_crm
                                 else "linking by sync key", after, origins,
                                 crm_id=after.crm_id or "", fields=fields, relations=relations,
                                 row_keys=tuple(sorted(to_crm))))
    if to_mailbox:
        patch = ItemPatch(after.mailbox_item_id or "", item_changes(plan.mapping, to_mailbox, plan.ctx))
        actions.append(UpdateMailbox(after.sync_key, "Salesforce changed " + ", ".join(sorted(to_mailbox)),
                                     after, origins, patch=patch, row_keys=tuple(sorted(to_mailbox))))
    return actions


def _plan_new_unit(plan: _Plan, unit: MailboxUnit) -> None:
    item = unit.item
    if isinstance(item, CalendarItem) and item.cancelled:
        plan.skip(unit.key, item.item_id, "cancelled before it was ever mirrored", plan.mb_origin)
    elif not plan.direction.to_salesforce:
        plan.skip(unit.key, item.item_id, "this object syncs to the mailbox only", plan.mb_origin)
    elif not in_window(item, plan.policy, plan.session.now):
        plan.skip(unit.key, item.item_id, "outside the sync window", plan.mb_origin)
    else:
        existing = plan.lookups.existing_by_key.get(unit.key)
        fuzzy = [r for r in plan.lookups.fuzzy_candidates.get(unit.key, ())
                 if not r.sync_key and r.record_id not in plan.linked_crm]
        if existing is not None and existing.record_id not in plan.linked_crm:
            _link(plan, unit, existing, "same sync key already in Salesforce (shared meeting or replayed create)")
        elif existing is None and len(fuzzy) == 1:
            _link(plan, unit, fuzzy[0], "exactly one record with the same subject, start and end", write_key=True)
        else:
            _create_in_crm(plan, unit)


def _link(plan: _Plan, unit: MailboxUnit, record: CrmRecord, reason: str, write_key: bool = False) -> None:
    entry = _new_entry(plan, unit, crm_id=record.record_id)
    plan.linked_crm.add(record.record_id)
    plan.handled_records.add(record.record_id)
    extra = {SYNC_KEY_FIELD: unit.key} if write_key else {}
    _reconcile(plan, entry, unit.item, record, plan.mb_origin, extra_crm_fields=extra, reason="linked: " + reason)


def _new_entry(plan: _Plan, unit: MailboxUnit, **changes: Any) -> IdMapEntry:
    item = unit.item
    return IdMapEntry(
        org_id=plan.session.org_id, mailbox_id=plan.session.mailbox_id, sync_key=unit.key,
        kind=plan.mapping.table.kind, object_type=plan.mapping.table.object_type, mailbox_item_id=item.item_id,
        uid=getattr(item, "uid", None) or getattr(item, "message_id", None),
        series_id=getattr(item, "series_id", None), **changes)


def _create_in_crm(plan: _Plan, unit: MailboxUnit) -> None:
    values = _allowed(plan, mailbox_values(plan.mapping, unit.item, plan.ctx), to_salesforce=True)
    owner = plan.session.owner_id
    if isinstance(unit.item, CalendarItem):  # the organizer stays the owner when they are a user
        owner = plan.lookups.users.get(unit.item.organizer.lower(), owner)
    fields = {**record_fields(plan.mapping, values, plan.ctx), SYNC_KEY_FIELD: unit.key, "OwnerId": owner}
    relations = relations_for(unit.item, plan.lookups) if "attendees" in values else None
    hashes = values_hashes(values)
    entry = _new_entry(plan, unit, pending=PendingWrite.CREATE_IN_CRM, field_hashes=hashes,
                       mailbox_version=unit.item.version, mailbox_hash=content_of(hashes), crm_hash=content_of(hashes))
    plan.add(CreateInCrm(unit.key, "new in the mailbox", entry, plan.mb_origin, fields=fields, relations=relations))


def _allowed(plan: _Plan, values: Mapping[str, Any], *, to_salesforce: bool) -> dict[str, Any]:
    rows = {r.key: r.direction.narrowed_by(plan.direction) for r in plan.mapping.table.rows}
    return {k: v for k, v in values.items()
            if (rows[k].to_salesforce if to_salesforce else rows[k].to_mailbox)}


def _plan_record(plan: _Plan, record: CrmRecord) -> None:
    entry = plan.by_crm.get(record.record_id) or plan.by_key.get(record.sync_key or "")
    if entry is None or (entry.awaiting_create and entry.mailbox_item_id is None):
        _plan_new_record(plan, record, retry=entry is not None)
    elif not entry.is_linked:
        plan.skip(entry.sync_key, record.record_id, _unlinked_reason(entry), plan.crm_origin)
    elif _mailbox_gone(plan, entry):
        return  # the delete pass decides
    else:
        _reconcile(plan, entry, None, record, plan.crm_origin)


def _mailbox_gone(plan: _Plan, entry: IdMapEntry) -> bool:
    return entry.mailbox_item_id in plan.mailbox_deleted or entry.series_id in plan.mailbox_deleted


def _plan_new_record(plan: _Plan, record: CrmRecord, retry: bool = False) -> None:
    if record.sync_key and not retry:
        plan.skip(record.sync_key, record.record_id, "written by Syncline for another mailbox", plan.crm_origin)
        return
    if not plan.direction.to_mailbox:
        plan.skip("", record.record_id, "this object syncs to Salesforce only", plan.crm_origin)
        return
    if not record_in_window(record.fields, plan.mapping.table.kind, plan.policy, plan.session.now):
        plan.skip("", record.record_id, "outside the sync window", plan.crm_origin)
        return
    key = sync_key(plan.session.org_id, crm_identity(record.object_type, record.record_id))
    values = _allowed(plan, crm_values(plan.mapping, record.fields, plan.ctx), to_salesforce=False)
    item = build_item(plan.mapping.table.kind, item_changes(plan.mapping, values, plan.ctx), key)
    hashes = values_hashes(values)
    entry = IdMapEntry(plan.session.org_id, plan.session.mailbox_id, key, plan.mapping.table.kind,
                       plan.mapping.table.object_type, uid=getattr(item, "uid", None), crm_id=record.record_id,
                       crm_version=record.version, field_hashes=hashes, mailbox_hash=content_of(hashes),
                       crm_hash=content_of(hashes), pending=PendingWrite.CREATE_IN_MAILBOX)
    plan.add(CreateInMailbox(key, "new in Salesforce", entry, plan.crm_origin, item=item))


def _plan_vanished_occurrences(plan: _Plan, units: Sequence[MailboxUnit]) -> None:
    """Occurrences (or a former single item) of a changed series that no longer exist."""
    current = {u.item.item_id for u in units}
    low, high = plan.policy.window.bounds(plan.session.now)
    for parent in {u.parent_id for u in units}:
        for entry in plan.entries:
            belongs = entry.series_id == parent or entry.mailbox_item_id == parent
            if not belongs or not entry.is_linked or entry.mailbox_item_id in current:
                continue
            rid = occurrence_start(entry.mailbox_item_id or "")
            if rid is None or low <= rid < high:
                _delete_in_crm(plan, entry, "occurrence no longer in the series", plan.mb_origin)


def _plan_mailbox_deletes(plan: _Plan, units: Sequence[MailboxUnit]) -> None:
    for entry in plan.entries:
        if entry.is_linked and _mailbox_gone(plan, entry):
            if entry.crm_id in plan.crm_deleted:
                plan.add(RecordEntry(entry.sync_key, "deleted on both sides", replace(entry, deleted=True),
                                     plan.mb_origin | plan.crm_origin))
            else:
                _delete_in_crm(plan, entry, "deleted in the mailbox", plan.mb_origin)


def _delete_in_crm(plan: _Plan, entry: IdMapEntry, reason: str, origins: frozenset[str]) -> None:
    tombstone = replace(entry, deleted=True, last_error=None, attempts=0)
    if plan.policy.propagate_deletes and plan.direction.to_salesforce:
        plan.add(DeleteInCrm(entry.sync_key, reason, tombstone, origins, crm_id=entry.crm_id or ""))
    else:
        plan.add(RecordEntry(entry.sync_key, reason + "; policy keeps the Salesforce record",
                             replace(tombstone, unlinked=True), origins))


def _plan_crm_deletes(plan: _Plan, units: Sequence[MailboxUnit]) -> None:
    edited = {u.item.item_id: u.item for u in units}
    for record_id in sorted(plan.crm_deleted):
        entry = plan.by_crm.get(record_id)
        if entry is None or not entry.is_linked or _mailbox_gone(plan, entry):
            continue
        tombstone = replace(entry, deleted=True, last_error=None, attempts=0)
        item = edited.get(entry.mailbox_item_id or "")
        if item is not None and item.version != entry.mailbox_version:
            plan.add(ResolveConflict(entry.sync_key, "deleted in Salesforce while edited in the mailbox; delete wins",
                                     None, plan.crm_origin, conflict=deletion_conflict(entry, plan.policy)))
        if plan.policy.propagate_deletes and plan.direction.to_mailbox:
            plan.add(DeleteInMailbox(entry.sync_key, "deleted in Salesforce", tombstone, plan.crm_origin,
                                     item_id=entry.mailbox_item_id or ""))
        else:
            plan.add(RecordEntry(entry.sync_key, "deleted in Salesforce; policy keeps the mailbox item",
                                 replace(tombstone, unlinked=True), plan.crm_origin))
