"""Planner passes for deletions: mailbox tombstones, Salesforce deletes, vanished occurrences.

A delete always wins over an edit on the other side (reported as a conflict); with
``propagate_deletes`` off the pair is only unlinked and the other copy is kept.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from app.sync.actions import DeleteInCrm, DeleteInMailbox, RecordEntry, ResolveConflict
from app.sync.identity import MailboxUnit, occurrence_start
from app.sync.idmap import IdMapEntry
from app.sync.plan_state import PlanState
from app.sync.plan_support import deletion_conflict


def mailbox_gone(plan: PlanState, entry: IdMapEntry) -> bool:
    """Was this pair's mailbox item (or its whole series) deleted in this change set?"""
    return entry.mailbox_item_id in plan.mailbox_deleted or entry.series_id in plan.mailbox_deleted


def plan_vanished_occurrences(plan: PlanState, units: Sequence[MailboxUnit]) -> None:
    """Occurrences (or a former single item) of a changed series that no longer exist."""
    current = {u.item.item_id for u in units}
    low, high = plan.policy.window.bounds(plan.session.now)
    for parent in sorted({u.parent_id for u in units}):
        for entry in plan.by_parent.get(parent, ()):
            if not entry.is_linked or entry.mailbox_item_id in current or entry.sync_key in plan.carried:
                continue
            rid = occurrence_start(entry.mailbox_item_id or "")
            if rid is None or low <= rid < high:
                delete_in_crm(plan, entry, "occurrence no longer in the series", plan.mb_origin)


def plan_mailbox_deletes(plan: PlanState, units: Sequence[MailboxUnit]) -> None:
    for entry in plan.entries:
        if entry.is_linked and mailbox_gone(plan, entry):
            if entry.crm_id in plan.crm_deleted:
                plan.add(RecordEntry(entry.sync_key, "deleted on both sides", replace(entry, deleted=True),
                                     plan.mb_origin | plan.crm_origin))
            elif entry.crm_id in plan.lookups.held_elsewhere:
                plan.add(RecordEntry(entry.sync_key, "deleted in the mailbox; other mailboxes still hold the "
                                     "record, so it is kept", replace(entry, deleted=True, unlinked=True),
                                     plan.mb_origin))
            else:
                delete_in_crm(plan, entry, "deleted in the mailbox", plan.mb_origin)


def delete_in_crm(plan: PlanState, entry: IdMapEntry, reason: str, origins: frozenset[str]) -> None:
    tombstone = replace(entry, deleted=True, last_error=None, attempts=0)
    if plan.policy.propagate_deletes and plan.direction.to_salesforce:
        plan.add(DeleteInCrm(entry.sync_key, reason, tombstone, origins, crm_id=entry.crm_id or ""))
    else:
        plan.add(RecordEntry(entry.sync_key, reason + "; policy keeps the Salesforce record",
                             replace(tombstone, unlinked=True), origins))


def plan_crm_deletes(plan: PlanState, units: Sequence[MailboxUnit]) -> None:
    edited = {u.item.item_id: u.item for u in units}
    for record_id in sorted(plan.crm_deleted):
        entry = plan.by_crm.get(record_id)
        if entry is None or not entry.is_linked or mailbox_gone(plan, entry) or record_id in plan.relinked:
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
