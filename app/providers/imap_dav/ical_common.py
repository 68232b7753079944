"""iCalendar helpers shared by events and tasks: parsing, categories, dates, sync key."""
from __future__ import annotations

import logging
from datetime import UTC, date, datetime, time
from typing import Any

from icalendar import Calendar, Component

from app.providers.imap_dav.encoding import clean_text, decode_body

log = logging.getLogger(__name__)

SYNC_KEY_PROP = "X-SYNCLINE-KEY"
PRODID = "-//Syncline//Syncline sync engine//EN"


def parse_calendar(data: str | bytes) -> Calendar | None:
    """The parsed VCALENDAR, or None (logged) when the server holds something unreadable."""
    try:
        return Calendar.from_ical(decode_body(data))
    except (ValueError, IndexError, KeyError) as exc:
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
