"""``plan_sync``: the pure decision of what to create, update, delete, link or skip.

Inputs are plain data (both change sets, the ID map, policy, mapping, lookups the engine
fetched); output is a list of actions. No ports, no clock: ``session.now`` is the time.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from app.sync.actions import (
    Action,
    CreateInCrm,
    CreateInMailbox,
    RecordEntry,
    Refuse,
    ResolveConflict,
    UpdateCrm,
    UpdateMailbox,
)
from app.sync.auto_save import meeting_skip
from app.sync.contacts import (
    LastNameCodec,
    in_contact_scope,
    missing_required,
    out_of_scope_reason,
    with_scope_category,
)
from app.sync.event.attendees import relations_change, relations_for
from app.sync.event.links import event_owner, linked_event_fields
from app.sync.event.recurrence_fields import is_series_master
from app.sync.event.relations import EventRelationSpec
from app.sync.identity import MailboxUnit, entry_for_unit, mailbox_units
from app.sync.idmap import IdMapEntry, PendingWrite, crm_identity, sync_key
from app.sync.items import CalendarItem, ContactItem, MailboxItem
from app.sync.mapping import (
    BoundMapping,
    Direction,
    crm_values,
    item_changes,
    mailbox_values,
    record_fields,
    value_hash,
    values_hashes,
)
from app.sync.merge import MergeResult, SideState, is_empty, merge_fields
from app.sync.plan_deletes import (
    delete_in_crm,
    mailbox_gone,
    plan_crm_deletes,
    plan_mailbox_deletes,
    plan_vanished_occurrences,
)
from app.sync.plan_series import plan_crm_series
from app.sync.plan_series_items import plan_series_items
from app.sync.plan_state import PlanState
from app.sync.plan_support import PlanLookups, build_item, content_of
from app.sync.policy import CancellationPolicy, SyncPolicy, SyncSession, in_window, record_in_window
from app.sync.ports import SYNC_KEY_FIELD, CrmChanges, CrmRecord, ItemPatch, MailboxChanges
from app.sync.skipped_items import ECHO

OCCURRENCE_ROWS = frozenset({"subject", "location", "timing"})


def plan_sync(mailbox_changes: MailboxChanges, crm_changes: CrmChanges, id_map_entries: Sequence[IdMapEntry],
              policy: SyncPolicy, mapping: BoundMapping, *, session: SyncSession,
              lookups: PlanLookups = PlanLookups(), units: Sequence[MailboxUnit] | None = None) -> list[Action]:
    """Decide every action for one mailbox folder ⇄ one Salesforce object. Pure and deterministic.

    ``units`` are ``mailbox_units(mailbox_changes, …)`` when the caller already expanded the series
    (the engine does, for its look-ups): a session expands each series once.
    """
    plan = PlanState(session, policy, mapping, lookups, id_map_entries,
                 frozenset(crm_changes.deleted_ids), frozenset(mailbox_changes.deleted_ids))
    if plan.direction is Direction.NONE:
        return []
    if units is None:
        units = mailbox_units(mailbox_changes, session, policy)
    records = {r.record_id: r for r in crm_changes.records}
    inherited = plan_series_items(plan, mailbox_changes.items, units, records, _reconcile)
    for unit in units:
        _plan_unit(plan, unit, records, inherited.get(unit.item.item_id))
    plan_crm_series(plan, crm_changes.records, _reconcile_record)
    for record in crm_changes.records:
        if record.record_id not in plan.handled_records:
            _plan_record(plan, record)
    plan_vanished_occurrences(plan, units)
    plan_mailbox_deletes(plan, units)
    plan_crm_deletes(plan, units)
    return plan.actions


def _plan_unit(plan: PlanState, unit: MailboxUnit, records: Mapping[str, CrmRecord],
               inherited: IdMapEntry | None = None) -> None:
    entry = inherited or entry_for_unit(unit, plan.by_item, plan.by_key)
    if entry is None or (entry.awaiting_create and entry.crm_id is None):
        _plan_new_unit(plan, unit)
        return
    if entry.crm_id:
        plan.handled_records.add(entry.crm_id)
    if _another_card(plan, unit, entry):
        plan.skip(unit.key, unit.item.item_id, "another card in this address book already mirrors this "
                  "e-mail address's Contact", plan.mb_origin, unit.item)
    elif not entry.is_linked:
        plan.skip(entry.sync_key, unit.item.item_id, _unlinked_reason(entry), plan.mb_origin, unit.item)
    elif entry.crm_id in plan.crm_deleted:
        return  # the delete pass decides: a delete wins over an edit
    elif isinstance(unit.item, CalendarItem) and unit.item.cancelled and \
            plan.policy.cancellation is CancellationPolicy.DELETE:
        delete_in_crm(plan, entry, "meeting cancelled; policy deletes the Event", plan.mb_origin)
    else:
        record = records.get(entry.crm_id or "")
        _reconcile(plan, entry, unit.item, record, plan.mb_origin | (plan.crm_origin if record else frozenset()))


def _reconcile_record(plan: PlanState, entry: IdMapEntry, record: CrmRecord) -> None:
    _reconcile(plan, entry, None, record, plan.crm_origin)


def _another_card(plan: PlanState, unit: MailboxUnit, entry: IdMapEntry) -> bool:
    """Two live cards of one book with the same address share a key: only the linked one syncs."""
    return (isinstance(unit.item, ContactItem) and entry.mailbox_item_id not in (None, unit.item.item_id)
            and entry.mailbox_item_id not in plan.mailbox_deleted and not entry.deleted)


def _unlinked_reason(entry: IdMapEntry) -> str:
    if entry.pending is not None:
        return "a create for this item is still being reconciled"
    return "tombstone: this pair was deleted or unlinked and is not recreated"


def _reconcile(plan: PlanState, entry: IdMapEntry, item: MailboxItem | None, record: CrmRecord | None,
               origins: frozenset[str], extra_crm_fields: Mapping[str, Any] | None = None,
               reason: str = "no mapped field changed") -> None:
    """Three-way merge of a linked pair; ``extra_crm_fields`` (a link) forces both sides to be read."""
    mailbox = SideState(None)
    if item is not None and (item.version != entry.mailbox_version or extra_crm_fields is not None):
        mailbox = SideState(mailbox_values(plan.mapping, item, plan.ctx, entry.field_hashes), item.modified_at)
    crm = SideState(None)
    if record is not None and (record.version != entry.crm_version or extra_crm_fields is not None):
        crm = SideState(crm_values(plan.mapping, record.fields, plan.ctx), record.modified_at)
    if mailbox.values is None and crm.values is None:
        if entry.last_error or entry.pending_writes:  # retried or replayed and fine now: settle it
            settled = replace(entry, last_error=None, pending_writes={})
            plan.add(RecordEntry(entry.sync_key, "nothing left to retry", settled, origins))
        else:
            plan.skip(entry.sync_key, entry.mailbox_item_id or "", ECHO, origins)
        return
    merged = merge_fields(plan.mapping.table.rows, plan.direction, _agreed(entry, mailbox, crm), mailbox, crm,
                          plan.policy.conflict, entry.sync_key)
    if entry.series_id:
        _keep_to_exception_fields(merged, entry)
    after = replace(entry, field_hashes=merged.base, pending_writes={}, mailbox_hash=content_of(merged.base),
                    crm_hash=content_of(merged.base), last_error=None, attempts=0,
                    mailbox_version=item.version if item is not None else entry.mailbox_version,
                    crm_version=record.version if record is not None else entry.crm_version)
    plan.add(*(ResolveConflict(entry.sync_key, c.reason, None, origins, conflict=c) for c in merged.conflicts))
    writes = _update_actions(plan, after, item, merged.to_crm, merged.to_mailbox, origins, extra_crm_fields,
                             _relations_change(plan, entry, item, merged.to_crm),
                             first_invitees="attendees" not in entry.field_hashes)
    plan.add(*(writes or [RecordEntry(entry.sync_key, reason, after, origins)]))


def _agreed(entry: IdMapEntry, mailbox: SideState, crm: SideState) -> dict[str, str]:
    """Last agreed hashes, where a side already holding a value we were writing when a run died
    counts that value as agreed (our write, not the user's edit)."""
    agreed = dict(entry.field_hashes)
    for target, intended in entry.pending_writes.items():
        side, row = target.split(":", 1)
        values = mailbox.values if side == "mailbox" else crm.values
        if values is not None and row in values and value_hash(values[row]) == intended:
            agreed[row] = intended
    return agreed


def _keep_to_exception_fields(merged: MergeResult, entry: IdMapEntry) -> None:
    """An occurrence can only take subject, location and time back (what every provider's
    exception carries); other Salesforce edits stay unagreed, so the series' next change wins."""
    for key in [k for k in merged.to_mailbox if k not in OCCURRENCE_ROWS]:
        del merged.to_mailbox[key]
        if key in entry.field_hashes:
            merged.base[key] = entry.field_hashes[key]
        else:
            merged.base.pop(key, None)


def _update_actions(plan: PlanState, after: IdMapEntry, item: MailboxItem | None, to_crm: Mapping[str, Any],
                    to_mailbox: Mapping[str, Any], origins: frozenset[str],
                    extra_crm_fields: Mapping[str, Any] | None,
                    relations: tuple[EventRelationSpec, ...] | None, first_invitees: bool = False) -> list[Action]:
    actions: list[Action] = []
    fields = {**record_fields(plan.mapping, to_crm, plan.ctx), **(extra_crm_fields or {})}
    blanked = missing_required(plan.mapping.required & set(fields), fields)
    if blanked:
        actions.append(Refuse(after.sync_key, f"Salesforce requires {', '.join(blanked)}; the mailbox item "
                              "leaves it empty, so the update is not sent", after, origins,
                              ref=after.mailbox_item_id or "", write="UpdateCrm"))
    elif fields or relations is not None:
        actions.append(UpdateCrm(after.sync_key, "mailbox changed " + ", ".join(sorted(to_crm)) if to_crm
                                 else "linking by sync key", after, origins,
                                 crm_id=after.crm_id or "", fields=fields, relations=relations,
                                 row_keys=tuple(sorted(to_crm)),
                                 keep_unlisted_relations=first_invitees))
    if to_mailbox:
        patch = ItemPatch(after.mailbox_item_id or "", item_changes(plan.mapping, to_mailbox, plan.ctx))
        actions.append(UpdateMailbox(after.sync_key, "Salesforce changed " + ", ".join(sorted(to_mailbox)),
                                     after, origins, patch=patch, row_keys=tuple(sorted(to_mailbox))))
    return actions


def _relations_change(plan: PlanState, entry: IdMapEntry, item: MailboxItem | None,
                      to_crm: Mapping[str, Any]) -> tuple[EventRelationSpec, ...] | None:
    """New EventRelation rows when attendees changed; None when there is nothing to replace."""
    if "attendees" not in to_crm:
        return None
    had_attendees = entry.field_hashes.get("attendees") not in (None, value_hash([]))
    return relations_change(item, plan.lookups.people, had_attendees)


def _plan_new_unit(plan: PlanState, unit: MailboxUnit) -> None:
    item = unit.item
    if isinstance(item, CalendarItem) and item.cancelled:
        plan.skip(unit.key, item.item_id, "cancelled before it was ever mirrored", plan.mb_origin, item)
    elif not plan.direction.to_salesforce:
        plan.skip(unit.key, item.item_id, "this object syncs to the mailbox only", plan.mb_origin, item)
    elif not in_window(item, plan.policy, plan.session.now):
        plan.skip(unit.key, item.item_id, "outside the sync window", plan.mb_origin, item)
    elif isinstance(item, CalendarItem) and (why := meeting_skip(item, plan.policy.meetings)) is not None:
        plan.skip(unit.key, item.item_id, why, plan.mb_origin, item)
    elif not in_contact_scope(item, plan.policy.contact_category):
        plan.skip(unit.key, item.item_id, out_of_scope_reason(plan.policy.contact_category, plan.policy.contact_book),
                  plan.mb_origin, item)
    elif isinstance(item, ContactItem) and unit.key in plan.planned_keys:
        plan.skip(unit.key, item.item_id, "another card in this address book has the same e-mail address",
                  plan.mb_origin, item)
    else:
        plan.planned_keys.add(unit.key)
        existing = plan.lookups.existing_by_key.get(unit.key)
        fuzzy = [r for r in plan.lookups.fuzzy_candidates.get(unit.key, ())
                 if not r.sync_key and r.record_id not in plan.linked_crm and not is_series_master(r.fields)]
        person = _same_person(plan, unit)
        if existing is not None and existing.record_id not in plan.linked_crm:
            _link(plan, unit, existing, "same sync key already in Salesforce (shared meeting or replayed create)")
        elif existing is None and person is not None:
            _link(plan, unit, person, "a Contact with the same e-mail address already exists",
                  write_key=not person.sync_key)
        elif existing is None and len(fuzzy) == 1:
            _link(plan, unit, fuzzy[0], "exactly one record with the same subject, start and end", write_key=True)
        else:
            _create_in_crm(plan, unit)


def _same_person(plan: PlanState, unit: MailboxUnit) -> CrmRecord | None:
    """For a card: the org's Contact with its e-mail address (lowest Id when several), whoever
    created it — one person is one Contact, linked to every address book holding them."""
    if not isinstance(unit.item, ContactItem):
        return None
    candidates = sorted((r for r in plan.lookups.fuzzy_candidates.get(unit.key, ())
                         if r.record_id not in plan.linked_crm), key=lambda r: r.record_id)
    return candidates[0] if candidates else None


def _link(plan: PlanState, unit: MailboxUnit, record: CrmRecord, reason: str, write_key: bool = False) -> None:
    entry = _new_entry(plan, unit, crm_id=record.record_id, field_hashes=_derived_as_agreed(plan, unit.item))
    plan.linked_crm.add(record.record_id)
    plan.handled_records.add(record.record_id)
    extra = {SYNC_KEY_FIELD: unit.key} if write_key else {}
    _reconcile(plan, entry, unit.item, record, plan.mb_origin, extra_crm_fields=extra, reason="linked: " + reason)


def _derived_as_agreed(plan: PlanState, item: MailboxItem) -> dict[str, str]:
    """On a first link, a LastName the card does not hold (derived) counts as already agreed, so
    the existing Contact's real LastName is kept (and reaches the card), never overwritten by it."""
    if not isinstance(item, ContactItem) or item.surname.strip():
        return {}
    rows = [r for r in plan.mapping.table.active_rows() if isinstance(r.codec, LastNameCodec)]
    return {r.key: value_hash(r.codec.from_item(item, r, plan.ctx)) for r in rows}


def _new_entry(plan: PlanState, unit: MailboxUnit, **changes: Any) -> IdMapEntry:
    item = unit.item
    return IdMapEntry(
        sf_org_id=plan.session.sf_org_id, mailbox_id=plan.session.mailbox_id, sync_key=unit.key,
        kind=plan.mapping.table.kind, object_type=plan.mapping.table.object_type, mailbox_item_id=item.item_id,
        uid=getattr(item, "uid", None) or getattr(item, "message_id", None),
        series_id=getattr(item, "series_id", None), **changes)


def _create_in_crm(plan: PlanState, unit: MailboxUnit) -> None:
    values = _allowed(plan, mailbox_values(plan.mapping, unit.item, plan.ctx), to_salesforce=True)
    owner = event_owner(unit.item, plan.lookups.users, plan.session.owner_id)
    filled = {k: v for k, v in values.items() if not is_empty(v)}  # an upsert meeting a record never blanks it
    fields = {**record_fields(plan.mapping, filled, plan.ctx), SYNC_KEY_FIELD: unit.key, "OwnerId": owner}
    fields, why = linked_event_fields(fields, unit.item, plan.session.owner_email, plan.lookups.directory,
                                      plan.mapping.fields)
    relations = (relations_for(unit.item, plan.lookups.people) or None) if "attendees" in values else None
    missing = missing_required(plan.mapping.required, fields)
    if missing:
        plan.add(Refuse(unit.key, f"Salesforce requires {', '.join(missing)} on {plan.mapping.table.object_type}, "
                        "and this item has nothing to fill it with", _new_entry(plan, unit), plan.mb_origin,
                        ref=unit.item.item_id))
        return
    hashes = values_hashes(values)
    entry = _new_entry(plan, unit, pending=PendingWrite.CREATE_IN_CRM, field_hashes=hashes, link_reasons=why,
                       mailbox_version=unit.item.version, mailbox_hash=content_of(hashes), crm_hash=content_of(hashes))
    plan.add(CreateInCrm(unit.key, "new in the mailbox", entry, plan.mb_origin, fields=fields, relations=relations))


def _allowed(plan: PlanState, values: Mapping[str, Any], *, to_salesforce: bool) -> dict[str, Any]:
    rows = {r.key: r.direction.narrowed_by(plan.direction) for r in plan.mapping.table.rows}
    return {k: v for k, v in values.items()
            if (rows[k].to_salesforce if to_salesforce else rows[k].to_mailbox)}


def _plan_record(plan: PlanState, record: CrmRecord) -> None:
    entry = plan.by_crm.get(record.record_id) or plan.by_key.get(record.sync_key or "")
    if entry is None or (entry.awaiting_create and entry.mailbox_item_id is None):
        _plan_new_record(plan, record, retry=entry is not None)
    elif not entry.is_linked:
        plan.skip(entry.sync_key, record.record_id, _unlinked_reason(entry), plan.crm_origin, record)
    elif mailbox_gone(plan, entry):
        return  # the delete pass decides
    else:
        _reconcile(plan, entry, None, record, plan.crm_origin)


def _plan_new_record(plan: PlanState, record: CrmRecord, retry: bool = False) -> None:
    if record.sync_key and not retry:
        plan.skip(record.sync_key, record.record_id, "written by Syncline for another mailbox", plan.crm_origin, record)
        return
    if not plan.direction.to_mailbox:
        plan.skip("", record.record_id, "this object syncs to Salesforce only", plan.crm_origin, record)
        return
    if not record_in_window(record.fields, plan.mapping.table.kind, plan.policy, plan.session.now):
        plan.skip("", record.record_id, "outside the sync window", plan.crm_origin, record)
        return
    key = sync_key(plan.session.sf_org_id, crm_identity(record.object_type, record.record_id))
    values = _allowed(plan, crm_values(plan.mapping, record.fields, plan.ctx), to_salesforce=False)
    item = with_scope_category(build_item(plan.mapping.table.kind, item_changes(plan.mapping, values, plan.ctx), key),
                               plan.policy.contact_category)
    hashes = {**plan.one_way_agreed(item), **values_hashes(values)}
    entry = IdMapEntry(plan.session.sf_org_id, plan.session.mailbox_id, key, plan.mapping.table.kind,
                       plan.mapping.table.object_type, uid=getattr(item, "uid", None), crm_id=record.record_id,
                       crm_version=record.version, field_hashes=hashes, mailbox_hash=content_of(hashes),
                       crm_hash=content_of(hashes), pending=PendingWrite.CREATE_IN_MAILBOX)
    plan.add(CreateInMailbox(key, "new in Salesforce", entry, plan.crm_origin, item=item))
