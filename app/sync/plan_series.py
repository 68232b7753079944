"""Planner pass for Salesforce-created recurring series: ONE mailbox series, not N single items.

Salesforce keeps a series as a main record (``IsRecurrence``) plus one child Event per occurrence
(``RecurrenceActivityId``). The main record becomes the mailbox series (RRULE from its pattern);
each child is linked to one occurrence (an ID map entry keyed by the occurrence id), so an edit of
one occurrence on either side reaches the one right record. A child is matched to the pattern
slot at its own start, else to the nearest free slot (it was moved); a slot without a child is an
EXDATE (the occurrence was deleted); a child that differs from the series is an override.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from app.sync.actions import CreateInMailbox, RecordEntry
from app.sync.errors import UnsupportedRecurrence
from app.sync.event.recurrence_fields import is_series_master, series_parent, series_zone
from app.sync.idmap import IdMapEntry, PendingWrite, crm_identity, sync_key
from app.sync.items import CalendarException, CalendarItem, occurrence_id
from app.sync.mapping import crm_values, item_changes, value_hash, values_hashes
from app.sync.plan_state import PlanState
from app.sync.plan_support import build_item, content_of
from app.sync.policy import record_in_window
from app.sync.ports import CrmRecord
from app.sync.recurrence import SeriesExpander, expand_series
from app.sync.transforms import parse_sf_datetime

OCCURRENCE_ROWS = frozenset({"subject", "location", "timing"})
FOLLOWING_ROWS = frozenset({"subject", "location"})    # what an occurrence override can differ in, time aside


Reconcile = Callable[[PlanState, IdMapEntry, CrmRecord], None]


def plan_crm_series(plan: PlanState, records: Sequence[CrmRecord], reconcile: Reconcile) -> None:
    """New series become one mailbox series; new children of a linked series join its occurrences.

    Records handled here are added to ``plan.handled_records`` so the per-record pass skips them.
    """
    if "rrule" not in {r.key for r in plan.mapping.table.active_rows()}:
        return
    masters = {r.record_id: r for r in records if is_series_master(r.fields)}
    _follow_series(plan, masters, records, reconcile)
    kids: dict[str, list[CrmRecord]] = {}
    child_ids: dict[str, list[str]] = {}
    for record in records:
        parent = series_parent(record.fields)
        if parent:
            child_ids.setdefault(parent, []).append(record.record_id)
        if parent and record.record_id not in plan.by_crm and record.record_id not in plan.handled_records:
            kids.setdefault(parent, []).append(record)
    for master_id, master in masters.items():
        entry = plan.by_crm.get(master_id)
        if master_id in plan.handled_records or (entry is not None and not entry.awaiting_create):
            continue
        plan.handled_records.add(master_id)
        plan.handled_records.update(k.record_id for k in kids.get(master_id, ()))
        series_id = _series_already_linked(plan, child_ids.get(master_id, []))
        if series_id is not None:
            _link_master(plan, master, series_id)
        else:
            _create_series(plan, master, kids.pop(master_id, []))
    for parent, children in kids.items():
        master_entry = plan.by_crm.get(parent)
        plan.handled_records.update(c.record_id for c in children)
        if master_entry is None or not master_entry.is_linked:
            for child in children:
                plan.skip("", child.record_id, "occurrence of a series that is not mirrored", plan.crm_origin, child)
            continue
        _join_series(plan, master_entry, children, reconcile)


def _follow_series(plan: PlanState, masters: Mapping[str, CrmRecord], records: Sequence[CrmRecord],
                   reconcile: Reconcile) -> None:
    """Salesforce copies a series edit onto every child; where a child only followed its series (it held
    the series' value before and holds the series' new value now), the mailbox series already carries
    the change, so no per-occurrence override is written for it."""
    series_values: dict[str, dict[str, Any]] = {}   # each series' values, read once for all its children
    for record in records:
        parent = series_parent(record.fields)
        entry = plan.by_crm.get(record.record_id)
        master_entry = plan.by_crm.get(parent or "")
        master = masters.get(parent or "")
        if entry is None or master_entry is None or master is None or not entry.is_linked \
                or record.record_id in plan.handled_records:
            continue
        series_now = series_values.get(master.record_id)
        if series_now is None:
            series_now = series_values[master.record_id] = _to_mailbox(plan, master.fields)
        own = _to_mailbox(plan, record.fields)
        followed = {k: value_hash(own[k]) for k in FOLLOWING_ROWS & own.keys() & series_now.keys()
                    if own[k] == series_now[k] and entry.field_hashes.get(k) == master_entry.field_hashes.get(k)}
        if followed:
            plan.handled_records.add(record.record_id)
            reconcile(plan, replace(entry, field_hashes={**entry.field_hashes, **followed}), record)


def _series_already_linked(plan: PlanState, child_ids: Sequence[str]) -> str | None:
    """The mailbox series whose occurrences are (or were just) linked to these children: the same
    series was on both sides before the first sync, and must not be created a second time."""
    children = set(child_ids)
    entries = [*(plan.by_crm[c] for c in children if c in plan.by_crm),
               *(a.entry for a in plan.actions if a.entry is not None and a.entry.crm_id in children)]
    return next((e.series_id for e in entries if e.series_id and not e.deleted), None)


def _link_master(plan: PlanState, master: CrmRecord, series_id: str) -> None:
    """The main record mirrors that series; the values agreed are Salesforce's, so a later mailbox
    edit of the series is written to it."""
    key = _record_key(plan, master)
    entry = _agreed_entry(plan, key, master, values_hashes(_to_mailbox(plan, master.fields)),
                          mailbox_item_id=series_id)
    plan.add(RecordEntry(key, "linked: its occurrences are this mailbox series' occurrences", entry,
                         plan.crm_origin))


def _create_series(plan: PlanState, master: CrmRecord, children: Sequence[CrmRecord]) -> None:
    if not plan.direction.to_mailbox:
        plan.skip("", master.record_id, "this object syncs to Salesforce only", plan.crm_origin, master)
        return
    starts = [_start(c) for c in children]
    if not record_in_window(master.fields, plan.mapping.table.kind, plan.policy, plan.session.now) and not any(
            record_in_window(c.fields, plan.mapping.table.kind, plan.policy, plan.session.now) for c in children):
        plan.skip("", master.record_id, "outside the sync window", plan.crm_origin, master)
        return
    key = _record_key(plan, master)
    values = _to_mailbox(plan, master.fields)
    built = build_item(plan.mapping.table.kind, item_changes(plan.mapping, values, plan.ctx), key)
    if not isinstance(built, CalendarItem):
        return
    item = _in_series_zone(built, master.fields, plan.session.timezone)
    slots = _slots(item, starts, master.fields.get("RecurrenceEndDateOnly"), plan.policy.series_expander)
    matched = match_children(slots, [(c.record_id, s) for c, s in zip(children, starts) if s is not None])
    exceptions = _exceptions(plan, item, values, children, matched, slots)
    item = replace(item, exceptions=tuple(sorted(exceptions, key=lambda e: e.recurrence_id)))
    one_way = plan.one_way_agreed(item)
    entry = _agreed_entry(plan, key, master, {**one_way, **values_hashes(values)}, uid=item.uid,
                          pending=PendingWrite.CREATE_IN_MAILBOX)
    occurrences = tuple(_child_entry(plan, child, matched[child.record_id], values, one_way)
                        for child in children if child.record_id in matched)
    plan.add(CreateInMailbox(key, "new series in Salesforce", entry, plan.crm_origin, item=item,
                             occurrences=occurrences))


def _to_mailbox(plan: PlanState, fields: Mapping[str, Any]) -> dict[str, Any]:
    rows = {r.key: r.direction.narrowed_by(plan.direction) for r in plan.mapping.table.rows}
    return {k: v for k, v in crm_values(plan.mapping, fields, plan.ctx).items() if rows[k].to_mailbox}


def _in_series_zone(item: CalendarItem, fields: Mapping[str, Any], default: str) -> CalendarItem:
    """The series repeats in its own zone, so its wall-clock time survives DST as in Salesforce."""
    zone = series_zone(fields, default)
    if item.start is None or item.end is None:
        return item
    return replace(item, timezone=zone.key, start=item.start.astimezone(zone), end=item.end.astimezone(zone))


def _start(record: CrmRecord) -> datetime | None:
    raw = record.fields.get("StartDateTime")
    return parse_sf_datetime(str(raw)) if raw else None


def _slots(item: CalendarItem, starts: Sequence[datetime | None], last_day: object,
           expander: SeriesExpander | None) -> list[datetime]:
    """Recurrence-ids of the whole pattern: from its first occurrence to the rule's last day."""
    first = item.start or (datetime.combine(item.start_date, time(), UTC) if item.start_date else None)
    if first is None:
        return []
    known = [s for s in starts if s is not None]
    end = datetime.combine(date.fromisoformat(str(last_day)[:10]), time(), UTC) if last_day else first
    low = min([first, *known]) - timedelta(days=1)
    high = max([first, end, *known]) + timedelta(days=2)
    try:
        return [o.recurrence_id for o in expand_series(item, low, high, expander) if o.recurrence_id is not None]
    except UnsupportedRecurrence:
        return []


def match_children(slots: Sequence[datetime], children: Sequence[tuple[str, datetime]]) -> dict[str, datetime]:
    """Child id → the slot (recurrence-id) it occupies: its own start when free, else the nearest free slot."""
    free = sorted(set(slots))
    out: dict[str, datetime] = {}
    for record_id, start in children:
        if start in free:
            out[record_id] = start
            free.remove(start)
    for record_id, start in sorted((c for c in children if c[0] not in out), key=lambda c: c[1]):
        if free:
            slot = min(free, key=lambda s: abs(s - start))
            out[record_id] = slot
            free.remove(slot)
    return out


def _exceptions(plan: PlanState, item: CalendarItem, values: Mapping[str, Any], children: Sequence[CrmRecord],
                matched: Mapping[str, datetime], slots: Sequence[datetime]) -> list[CalendarException]:
    """EXDATEs for slots no child occupies and overrides for children that differ (a series read without
    any child, as a user who cannot see them would, is taken as it stands)."""
    taken = set(matched.values())
    out = [CalendarException(s, cancelled=True) for s in slots if taken and s not in taken]
    for child in children:
        rid = matched.get(child.record_id)
        if rid is None:
            continue
        own = _to_mailbox(plan, child.fields)
        changes = item_changes(plan.mapping, {k: own[k] for k in OCCURRENCE_ROWS & own.keys()}, plan.ctx)
        start, end = changes.get("start"), changes.get("end")
        moved = start is not None and start != rid
        subject = own.get("subject") if own.get("subject") != values.get("subject") else None
        location = own.get("location") if own.get("location") != values.get("location") else None
        lasts = item.end - item.start if item.start and item.end else None
        stretched = lasts is not None and start is not None and end is not None and end - start != lasts
        if moved or stretched or subject is not None or location is not None:
            out.append(CalendarException(rid, start=start if moved or stretched else None,
                                         end=end if moved or stretched else None, subject=subject, location=location))
    return out


def _child_entry(plan: PlanState, child: CrmRecord, rid: datetime, series_values: Mapping[str, Any],
                 one_way: Mapping[str, str]) -> IdMapEntry:
    """The occurrence's entry; its mailbox id is completed by the engine once the series exists.

    Agreed values are the occurrence as the mailbox shows it (the series' fields with the child's
    subject, location and time, and the series' Salesforce-bound rows), so fields an occurrence
    cannot carry are never written back blank, and none is written back unchanged.
    """
    own = _to_mailbox(plan, child.fields)
    agreed = {**series_values, "rrule": None, **{k: own[k] for k in OCCURRENCE_ROWS & own.keys()}}
    hashes = {**one_way, **values_hashes({k: v for k, v in agreed.items() if k in series_values})}
    return _agreed_entry(plan, _record_key(plan, child), child, hashes, mailbox_item_id=occurrence_id("", rid))


def _record_key(plan: PlanState, record: CrmRecord) -> str:
    return sync_key(plan.session.sf_org_id, crm_identity(record.object_type, record.record_id))


def _agreed_entry(plan: PlanState, key: str, record: CrmRecord, hashes: Mapping[str, str],
                  **changes: Any) -> IdMapEntry:
    """An entry linking ``record`` whose values both sides already agree on (``hashes``)."""
    return IdMapEntry(plan.session.sf_org_id, plan.session.mailbox_id, key, plan.mapping.table.kind,
                      plan.mapping.table.object_type, crm_id=record.record_id, crm_version=record.version,
                      field_hashes=hashes, mailbox_hash=content_of(hashes), crm_hash=content_of(hashes), **changes)


def _join_series(plan: PlanState, master_entry: IdMapEntry, children: Sequence[CrmRecord],
                 reconcile: Reconcile) -> None:
    """Children Salesforce made anew (a changed pattern) take over the occurrence they now occupy.

    An entry of that occurrence whose child was deleted in this same change set is reused, so the
    occurrence is kept instead of being cancelled and its agreed values stay.
    """
    series_id = master_entry.mailbox_item_id or ""
    taken = {e.mailbox_item_id: e for e in plan.by_parent.get(series_id, ())
             if e.mailbox_item_id != series_id and not e.deleted}
    for child in children:
        start = _start(child)
        if start is None:
            continue
        occurrence = occurrence_id(series_id, start)
        previous = taken.get(occurrence)
        if previous is not None and previous.crm_id not in plan.crm_deleted:
            plan.skip("", child.record_id, "its occurrence is already linked to another Event", plan.crm_origin, child)
            continue
        key = _record_key(plan, child)
        base = previous.field_hashes if previous is not None else {}
        entry = IdMapEntry(plan.session.sf_org_id, plan.session.mailbox_id, key, plan.mapping.table.kind,
                           plan.mapping.table.object_type, mailbox_item_id=occurrence, series_id=series_id,
                           crm_id=child.record_id, field_hashes=base or _hashes_of(plan, child))
        if previous is not None:
            plan.relinked.add(previous.crm_id or "")
            plan.add(_retired(previous))
        reconcile(plan, entry, child)


def _hashes_of(plan: PlanState, child: CrmRecord) -> dict[str, str]:
    own = _to_mailbox(plan, child.fields)
    own["rrule"] = None
    return {k: value_hash(v) for k, v in own.items()}


def _retired(previous: IdMapEntry) -> RecordEntry:
    return RecordEntry(previous.sync_key, "its occurrence was taken over by the Event Salesforce made anew",
                       replace(previous, deleted=True, unlinked=True), frozenset())
