"""iCalendar helpers shared by events and tasks: parsing, categories, dates, sync key."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from icalendar import Calendar, Component

from app.providers.imap_dav.encoding import clean_text, decode_body
from app.providers.imap_dav.ical_parser import calendar_from_ical
from app.providers.imap_dav.timezones import zone, zone_for_tzid

log = logging.getLogger(__name__)

SYNC_KEY_PROP = "X-SYNCLINE-KEY"
PRODID = "-//Syncline//Syncline sync engine//EN"


def parse_calendar(data: str | bytes) -> Calendar | None:
    """The parsed VCALENDAR, or None (logged) when the server holds something unreadable
    (icalendar fails on some malformed parameters with AttributeError or TypeError)."""
    try:
        return calendar_from_ical(decode_body(data))
    except (ValueError, IndexError, KeyError, AttributeError, TypeError) as exc:
        log.warning("skipping unreadable iCalendar resource: %s", exc)
        return None


def new_calendar() -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    return calendar


def text_of(component: Component, name: str) -> str:
    value = component.get(name)
    return str(value) if value is not None else ""


def categories_of(component: Component) -> tuple[str, ...]:
    """All CATEGORIES values, whether in one property or repeated ones, in order, deduplicated."""
    raw = component.get("CATEGORIES")
    props = raw if isinstance(raw, list) else [raw] if raw is not None else []
    values: list[str] = []
    for prop in props:
        values += [str(v) for v in getattr(prop, "cats", None) or []]
    return tuple(dict.fromkeys(v for v in values if v))


def as_utc(value: date | datetime) -> datetime:
    """A recurrence id or timestamp as an aware UTC datetime (dates at midnight, floating as UTC)."""
    if not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=UTC)
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def decoded_time(component: Component, name: str, floating: str) -> Any:
    """DTSTART/DTEND/DUE/RECURRENCE-ID: a date, or an aware date-time (see ``localized``)."""
    value = decoded(component, name)
    return localized(value, _tzid(component.get(name)), floating) if value is not None else None


def localized(value: Any, tzid: str | None, floating: str) -> Any:
    """A naive date-time made aware: a TZID ``icalendar`` could not resolve (no VTIMEZONE) named by
    ``zone_for_tzid``, else the floating time of RFC 5545 §3.3.5 in the mailbox owner's zone
    (``fold=0``: a time in a DST gap moves forward, an ambiguous one takes the first instant)."""
    if not isinstance(value, datetime) or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zone((zone_for_tzid(tzid) if tzid else None) or floating))


def _tzid(prop: Any) -> str | None:
    params = getattr(prop, "params", None)
    return str(params["TZID"]) if params and "TZID" in params else None


def time_list(component: Component, name: str, floating: str) -> list[Any]:
    """Every value of EXDATE/RDATE (repeated or comma-separated): dates, aware date-times, or
    PERIOD ``(start, end)`` pairs of aware date-times."""
    raw = component.get(name)
    found: list[Any] = []
    for prop in raw if isinstance(raw, list) else [raw] if raw is not None else []:
        tzid = _tzid(prop)
        for value in (v.dt for v in getattr(prop, "dts", [])):
            if isinstance(value, tuple):
                begin = localized(value[0], tzid, floating)
                end = begin + value[1] if isinstance(value[1], timedelta) else localized(value[1], tzid, floating)
                found.append((begin, end))
            else:
                found.append(localized(value, tzid, floating))
    return found


def decoded(component: Component, name: str) -> Any:
    try:
        return component.decoded(name) if name in component else None
    except (ValueError, KeyError):
        return None


def replace_prop(component: Component, name: str, value: Any, parameters: dict | None = None) -> None:
    """Set a property to exactly one value (strings cleaned); empty values remove it."""
    component.pop(name, None)
    if isinstance(value, str):
        value = clean_text(value)
    if value not in (None, "", (), []):
        component.add(name, value, parameters=parameters)


def set_categories(component: Component, categories: tuple[str, ...]) -> None:
    component.pop("CATEGORIES", None)
    cleaned = [clean_text(c) for c in categories if clean_text(c)]
    if cleaned:
        component.add("CATEGORIES", cleaned)


def serialise(calendar: Calendar) -> str:
    return calendar.to_ical().decode("utf-8")
