"""Graph's recurring series as the core's series model: ONE CalendarItem (master + RRULE +
exceptions), never loose occurrences.

calendarView returns occurrences and exceptions, not the master; the master (``GET /events/{id}``)
carries the ``patternedRecurrence`` and ``/instances`` lists what the window holds. An RRULE
(RFC 5545) is built from the pattern and range; exceptions come from ``type: exception``
instances keyed by ``originalStart``; occurrences the rule yields but ``/instances`` no longer
lists were cancelled.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from app.providers.graph.events import iana_zone, read_event
from app.recurrence import RruleExpander
from app.sync.errors import UnsupportedRecurrence
from app.sync.items import CalendarException, CalendarItem

_FREQ = {"daily": "DAILY", "weekly": "WEEKLY", "absoluteMonthly": "MONTHLY", "relativeMonthly": "MONTHLY",
         "absoluteYearly": "YEARLY", "relativeYearly": "YEARLY"}
_DAYS = {"sunday": "SU", "monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR",
         "saturday": "SA"}
_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


def series_zone(master: Mapping[str, Any]) -> str:
    rng = ((master.get("recurrence") or {}).get("range") or {})
    return iana_zone(rng.get("recurrenceTimeZone") or master.get("originalStartTimeZone"))


def rrule_text(recurrence: Mapping[str, Any], zone: str) -> str:
    """RFC 5545 RRULE for a Graph ``patternedRecurrence`` (UNTIL in UTC: the end date's last second, local)."""
    pattern, rng = recurrence.get("pattern") or {}, recurrence.get("range") or {}
    kind = str(pattern.get("type") or "")
    if kind not in _FREQ:
        raise UnsupportedRecurrence(f"Graph recurrence pattern {kind!r} is not understood")
    parts = [f"FREQ={_FREQ[kind]}", f"INTERVAL={int(pattern.get('interval') or 1)}"]
    days = ",".join(_DAYS[d] for d in pattern.get("daysOfWeek") or () if d in _DAYS)
    if kind == "weekly":
        parts += [f"BYDAY={days}", f"WKST={_DAYS.get(str(pattern.get('firstDayOfWeek')), 'SU')}"]
    if kind in ("absoluteYearly", "relativeYearly"):
        parts.append(f"BYMONTH={int(pattern.get('month') or 1)}")
    if kind in ("absoluteMonthly", "absoluteYearly"):
        parts.append(f"BYMONTHDAY={int(pattern.get('dayOfMonth') or 1)}")
    if kind in ("relativeMonthly", "relativeYearly"):
        parts += [f"BYDAY={days}", f"BYSETPOS={_INDEX.get(str(pattern.get('index') or 'first'), 1)}"]
    if rng.get("type") == "numbered":
        parts.append(f"COUNT={int(rng.get('numberOfOccurrences') or 1)}")
    elif rng.get("type") == "endDate" and rng.get("endDate"):
        last = datetime.combine(date.fromisoformat(str(rng["endDate"])), time(23, 59, 59), ZoneInfo(zone))
        parts.append(f"UNTIL={last.astimezone(UTC):%Y%m%dT%H%M%SZ}")
    return ";".join(parts)


def read_series(master: Mapping[str, Any], instances: Sequence[Mapping[str, Any]],
                window: tuple[datetime, datetime]) -> CalendarItem:
    """The series as one item: its rule, moved/edited occurrences, and those cancelled in the window."""
    zone = series_zone(master)
    try:
        rule = rrule_text(master.get("recurrence") or {}, zone)
    except UnsupportedRecurrence:
        # Kept as a series whose rule the core refuses per item (shown with the reason), never a single event.
        kind = str(((master.get("recurrence") or {}).get("pattern") or {}).get("type"))
        return replace(read_event(master), timezone=zone, rrule=f"X-GRAPH-PATTERN={kind}")
    item = replace(read_event(master), timezone=zone, rrule=rule)
    exceptions: dict[datetime, CalendarException] = {}
    listed: set[datetime] = set()
    for instance in instances:
        original = original_start(instance)
        if original is None:
            continue
        listed.add(original)
        if instance.get("type") == "exception":
            changed = read_event(instance)
            exceptions[original] = CalendarException(
                original, start=changed.start, end=changed.end,
                subject=changed.subject if changed.subject != item.subject else None,
                location=changed.location if changed.location != item.location else None)
    for original in RruleExpander().instances(item, *window):
        original = original.astimezone(UTC)
        if original not in listed and original not in exceptions:
            exceptions[original] = CalendarException(original, cancelled=True)
    return replace(item, exceptions=tuple(exceptions[k] for k in sorted(exceptions)))


def original_start(instance: Mapping[str, Any]) -> datetime | None:
    text = str(instance.get("originalStart") or "")
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00")[:32])
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
