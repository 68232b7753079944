"""Turning mailbox changes into syncable units and finding each unit's counterpart.

A unit is a plain item or one occurrence of a series. Identity ladder (after Odoo): the ID
map, then the org-wide sync key (iCalUID), then a fuzzy subject + start + end match that is
accepted only when exactly one unmanaged candidate fits.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from app.sync.errors import UnsupportedRecurrence
from app.sync.idmap import IdMapEntry, mailbox_identity, sync_key
from app.sync.items import CalendarItem, FolderKind, MailboxItem, split_occurrence_id
from app.sync.mapping import BoundMapping, mailbox_values, record_fields
from app.sync.policy import SyncPolicy, SyncSession
from app.sync.ports import MailboxChanges, SearchCriteria
from app.sync.recurrence import expand_series, is_series

FUZZY_KEYS: dict[FolderKind, tuple[str, ...]] = {
    FolderKind.CALENDAR: ("subject", "timing"),
    FolderKind.TASKS: ("subject", "due_date"),
    FolderKind.CONTACTS: ("email",),
}


@dataclass(frozen=True)
class MailboxUnit:
    """One syncable thing; ``parent_id`` is the mailbox item it came from (itself or the series)."""

    item: MailboxItem
    key: str
    parent_id: str


@dataclass(frozen=True)
class RefusedSeries:
    """A series the product cannot expand: a per-item error, never a guessed single record."""

    item: CalendarItem
    key: str
    error: UnsupportedRecurrence


def mailbox_units(changes: MailboxChanges, session: SyncSession, policy: SyncPolicy) -> list[MailboxUnit]:
    """Every unit in the change set: series are expanded inside the window, occurrence by occurrence."""
    return expand_units(changes, session, policy)[0]


def expand_units(changes: MailboxChanges, session: SyncSession,
                 policy: SyncPolicy) -> tuple[list[MailboxUnit], list[RefusedSeries]]:
    """``mailbox_units`` plus the series refused; a refused series yields no unit, so nothing of it
    is created, changed or deleted on the other side until its rule can be expanded."""
    units: list[MailboxUnit] = []
    refused: list[RefusedSeries] = []
    for item in changes.items:
        try:
            unit_items = _expand(item, session, policy)
        except UnsupportedRecurrence as exc:
            assert isinstance(item, CalendarItem)
            refused.append(RefusedSeries(item, sync_key(session.sf_org_id, mailbox_identity(session.mailbox_id, item)),
                                         exc))
            continue
        for unit_item in unit_items:
            key = sync_key(session.sf_org_id, mailbox_identity(session.mailbox_id, unit_item))
            units.append(MailboxUnit(unit_item, key, item.item_id))
    return units, refused


def _expand(item: MailboxItem, session: SyncSession, policy: SyncPolicy) -> Sequence[MailboxItem]:
    if not isinstance(item, CalendarItem) or not is_series(item):
        return (item,)
    low, high = policy.window.bounds(session.now)
    return expand_series(item, low, high, policy.series_expander)


def entry_for_unit(unit: MailboxUnit, by_item: Mapping[str, IdMapEntry],
                   by_key: Mapping[str, IdMapEntry]) -> IdMapEntry | None:
    """The ID-map rung: item id, then the key stored on the item, then the computed key.

    An occurrence inherits its series' stored key, which names the series, never the occurrence."""
    entry = by_item.get(unit.item.item_id)
    if entry is None and unit.item.sync_key and getattr(unit.item, "recurrence_id", None) is None:
        entry = by_key.get(unit.item.sync_key)
    return entry if entry is not None else by_key.get(unit.key)


def fuzzy_criteria(unit: MailboxUnit, mapping: BoundMapping, session: SyncSession) -> SearchCriteria | None:
    """Equality filters for the fuzzy rung, or None when the item lacks the fields to match on."""
    keys = FUZZY_KEYS.get(mapping.table.kind, ())
    rows = {r.key for r in mapping.table.active_rows()}
    if not keys or not set(keys) <= rows:
        return None
    ctx = mapping.context(session.timezone)
    values = mailbox_values(mapping, unit.item, ctx, only=keys)
    if any(v in (None, "") for v in values.values()):
        return None
    return SearchCriteria(equals=record_fields(mapping, values, ctx), owner_id=session.owner_id)


def occurrence_start(item_id: str) -> datetime | None:
    """The recurrence-id encoded in an occurrence id, or None for plain items."""
    _, stamp = split_occurrence_id(item_id)
    if stamp is None:
        return None
    return datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
