"""What the adapter writes so a CalDAV server with implicit scheduling (RFC 6638) never sends
invitations, updates, cancellations or replies on its behalf, and what SEQUENCE then says.

A sync engine mirrors Salesforce into the user's calendar; it must not message the meeting's
attendees. RFC 6638 §7.1: ``SCHEDULE-AGENT=CLIENT`` on an ATTENDEE tells the server the client
handles that attendee (so the server sends nothing to them), and on the ORGANIZER of an
attendee's copy that the client handles replies. The value must be the same on every
ORGANIZER, and on every ATTENDEE with the same address, in the resource (all components).

Turning an attendee the server used to schedule (``SERVER``, the default) into ``CLIENT`` is,
by RFC 6638 §3.2.1.2's table, a CANCEL to that attendee. So every calendar write also carries
the per-request switches servers honour (``davsync.NO_SCHEDULING``): ``Schedule-Reply: F``
(SabreDAV skips scheduling for the request) and ``Scheduling-Enabled: F`` (Cyrus, Fastmail's
server); on those the first write to a meeting the server used to schedule is silent too.

SEQUENCE (RFC 5545 §3.8.7.4, RFC 5546 §2.1.4) is the organizer's revision counter: it goes up
only in the organizer's own copy and only when a scheduling-significant property changed
(start, end, recurrence, status). An attendee's copy keeps the organizer's number, or the
organizer's next update would look stale to the attendee's calendar.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Component

SCHEDULED_COMPONENTS = ("VEVENT", "VTODO")
# Set by servers, or forcing a send (RFC 6638 §7.2/§7.3): never written back by a client that sends nothing.
SERVER_SCHEDULING_PARAMS = ("SCHEDULE-STATUS", "SCHEDULE-FORCE-SEND")
SIGNIFICANT_LISTS = ("RRULE", "RDATE", "EXDATE")


def components(calendar: Calendar) -> list[Component]:
    return [c for c in calendar.subcomponents if c.name in SCHEDULED_COMPONENTS]


def client_scheduled(calendar: Calendar, owner_addresses: Iterable[str] = ()) -> None:
    """``SCHEDULE-AGENT=CLIENT`` on every ATTENDEE of every component, and on every ORGANIZER
    unless this is the organizer's own copy (where that parameter would mean nothing)."""
    names = ("ATTENDEE",) if is_organizer_copy(calendar, owner_addresses) else ("ORGANIZER", "ATTENDEE")
    for component in components(calendar):
        for name in names:
            for prop in _props(component.get(name)):
                for param in SERVER_SCHEDULING_PARAMS:
                    prop.params.pop(param, None)
                prop.params["SCHEDULE-AGENT"] = "CLIENT"


def complete_overrides(calendar: Calendar) -> None:
    """An override without ORGANIZER gets the master's ORGANIZER and attendees: RFC 6638 §3.1 wants the
    same ORGANIZER in every component, and an override's missing ATTENDEEs would drop them from it."""
    parts = components(calendar)
    master = next((c for c in parts if "RECURRENCE-ID" not in c), None)
    if master is None or "ORGANIZER" not in master:
        return
    for override in (c for c in parts if c is not master and "ORGANIZER" not in c):
        override.add("ORGANIZER", master["ORGANIZER"])
        if "ATTENDEE" not in override:
            for attendee in _props(master.get("ATTENDEE")):
                override.add("ATTENDEE", attendee)


def address(prop: Any) -> str:
    """The address of an ORGANIZER/ATTENDEE value, without ``mailto:``, lower-cased."""
    value = str(prop or "")
    return (value[7:] if value.lower().startswith("mailto:") else value).strip().lower()


def is_organizer_copy(calendar: Calendar, owner_addresses: Iterable[str]) -> bool:
    """No ORGANIZER (not a meeting: the owner's own) or an ORGANIZER that is one of the owner's
    calendar user addresses. Unknown addresses never count as the owner's (no SEQUENCE bump)."""
    owners = {address(a) for a in owner_addresses}
    organizers = {address(c.get("ORGANIZER")) for c in components(calendar) if "ORGANIZER" in c}
    return not organizers or organizers <= owners


def significant_state(calendar: Calendar) -> dict[str, tuple]:
    """Per component (keyed by RECURRENCE-ID), the values whose change is a new revision."""
    return {_recurrence_key(c): _significant(c) for c in components(calendar)}


def bump_sequences(calendar: Calendar, before: dict[str, tuple], owner_addresses: Iterable[str]) -> None:
    """SEQUENCE+1 on each component of the organizer's copy whose significant state changed since
    ``before``; a new override starts at its master's (new) number."""
    if not is_organizer_copy(calendar, owner_addresses):
        return
    parts = components(calendar)
    master_sequence = 0
    for component in sorted(parts, key=lambda c: "RECURRENCE-ID" in c):  # the master first
        key = _recurrence_key(component)
        current = _sequence(component)
        if key not in before:
            if key:
                _set_sequence(component, max(current, master_sequence))
            continue
        if before[key] != _significant(component):
            current += 1
            _set_sequence(component, current)
        if not key:
            master_sequence = current


def _significant(component: Component) -> tuple:
    start = _value(component, "DTSTART")
    end = _value(component, "DTEND") or _value(component, "DUE")
    duration = _value(component, "DURATION")
    if end is None and start is not None and isinstance(duration, timedelta):
        end = start + duration
    lists = tuple(frozenset(_list_values(component, name)) for name in SIGNIFICANT_LISTS)
    return (_instant(start), _instant(end), lists, str(component.get("STATUS", "")).upper())


def _list_values(component: Component, name: str) -> list[Any]:
    values: list[Any] = []
    for prop in _props(component.get(name)):
        if hasattr(prop, "dts"):
            values += [_instant(d.dt) for d in prop.dts]
        elif hasattr(prop, "to_ical"):
            values.append(prop.to_ical())
        else:
            values.append(str(prop))
    return values


def _value(component: Component, name: str) -> Any:
    try:
        return component.decoded(name) if name in component else None
    except (ValueError, KeyError):
        return None


def _instant(value: Any) -> Any:
    """Aware date-times compared as instants, whatever zone they were written in."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.timestamp()
    return value.isoformat() if isinstance(value, date) else value


def _recurrence_key(component: Component) -> str:
    rid = _value(component, "RECURRENCE-ID")
    return str(_instant(rid)) if rid is not None else ""


def _sequence(component: Component) -> int:
    try:
        return int(component.get("SEQUENCE", 0))
    except (TypeError, ValueError):
        return 0


def _set_sequence(component: Component, value: int) -> None:
    component.pop("SEQUENCE", None)
    component.add("SEQUENCE", value)


def _props(raw: Any) -> list[Any]:
    return raw if isinstance(raw, list) else [raw] if raw is not None else []
