"""Planner pass for mailbox items that are (or were) series and hold a whole-item ID map entry.

* A Salesforce-created series: its entry links the mailbox series to the main record; the series
  itself (subject, description, time of the first occurrence…) is reconciled with that record,
  while its occurrences are reconciled with the child Events.
* A single item that became a series keeps its Salesforce Event (WhatId, WhoId, custom fields…):
  the occurrence at the series' DTSTART inherits it, because making an event repeat keeps that
  event as the first occurrence (RFC 5545 §3.8.5.3: DTSTART is the first instance); when that
  occurrence is not synced (cancelled, outside the window) the earliest synced one inherits.
* A series that became a single item keeps the Event of its occurrence at the item's start, else
  of its earliest occurrence; the other occurrences are gone and their Events are deleted.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from app.sync.identity import MailboxUnit, occurrence_start
from app.sync.idmap import IdMapEntry
from app.sync.items import CalendarItem, MailboxItem
from app.sync.mapping import value_hash
from app.sync.plan_state import PlanState
from app.sync.ports import CrmRecord

UTC_MIN = datetime.min.replace(tzinfo=UTC)

Reconcile = Callable[[PlanState, IdMapEntry, MailboxItem | None, CrmRecord | None, frozenset[str]], None]


def plan_series_items(plan: PlanState, items: Sequence[MailboxItem], units: Sequence[MailboxUnit],
                      records: Mapping[str, CrmRecord], reconcile: Reconcile) -> dict[str, IdMapEntry]:
    """Reconciles Salesforce series masters; returns unit item id → the entry it inherits."""
    inherited: dict[str, IdMapEntry] = {}
    for item in items:
        if not isinstance(item, CalendarItem):
            continue
        own = plan.by_item.get(item.item_id)
        if item.rrule and own is not None and own.is_linked:
            if is_master_entry(own):
                plan.carried.add(own.sync_key)
                plan.handled_records.add(own.crm_id or "")
                record = records.get(own.crm_id or "")
                reconcile(plan, own, item, record, plan.mb_origin | (plan.crm_origin if record else frozenset()))
            else:
                _inherit(plan, own, item, [u for u in units if u.parent_id == item.item_id], inherited)
        elif not item.rrule and own is None:
            former = [e for e in plan.by_parent.get(item.item_id, ())
                      if e.is_linked and e.mailbox_item_id != item.item_id]
            heir = _heir(former, item)
            if heir is not None:
                plan.carried.add(heir.sync_key)
                inherited[item.item_id] = replace(heir, mailbox_item_id=item.item_id, series_id=None)
    return inherited


def is_master_entry(entry: IdMapEntry) -> bool:
    """The entry of a whole series mirrored to a Salesforce main record (its agreed RRULE is set)."""
    agreed = entry.field_hashes.get("rrule")
    return agreed is not None and agreed != value_hash(None)


def _inherit(plan: PlanState, own: IdMapEntry, item: CalendarItem, occurrences: Sequence[MailboxUnit],
             inherited: dict[str, IdMapEntry]) -> None:
    live = [u for u in occurrences if isinstance(u.item, CalendarItem) and not u.item.cancelled]
    if not live:
        return
    first = item.start.astimezone(UTC) if item.start is not None else None
    heir = next((u for u in live if getattr(u.item, "recurrence_id", None) == first), live[0])
    plan.carried.add(own.sync_key)
    inherited[heir.item.item_id] = replace(own, mailbox_item_id=heir.item.item_id, series_id=item.item_id)


def _heir(former: Sequence[IdMapEntry], item: CalendarItem) -> IdMapEntry | None:
    if not former:
        return None
    start = item.start.astimezone(UTC) if item.start is not None else None
    by_start = sorted(former, key=lambda e: occurrence_start(e.mailbox_item_id or "") or start or UTC_MIN)
    return next((e for e in former if occurrence_start(e.mailbox_item_id or "") == start), by_start[0])

