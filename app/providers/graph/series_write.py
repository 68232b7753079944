"""The core's series (RRULE + exceptions) written as ONE Graph recurring event, then its exceptions
applied to the occurrences Graph made (moved/retitled ones PATCHed, cancelled ones DELETEd).

The rule becomes a ``patternedRecurrence`` (RFC 5545 → Graph): a rule Graph cannot hold (BYHOUR,
several ordinals, FREQ=HOURLY…) is refused with the reason rather than written as loose events.
Start, end and ``recurrenceTimeZone`` use the Windows zone name Graph documents for every zone.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from app.sync.errors import UnsupportedRecurrence
from app.sync.items import CalendarException, CalendarItem

_DAYS = {"SU": "sunday", "MO": "monday", "TU": "tuesday", "WE": "wednesday", "TH": "thursday", "FR": "friday",
         "SA": "saturday"}
_INDEX = {1: "first", 2: "second", 3: "third", 4: "fourth", -1: "last"}
_OLSON_TO_WINDOWS: dict[str, str] = {}
for _windows, _olson in WINDOWS_TO_OLSON.items():
    _OLSON_TO_WINDOWS.setdefault(_olson, _windows)
_KNOWN = {"FREQ", "INTERVAL", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS", "COUNT", "UNTIL", "WKST"}


def windows_zone(zone: str) -> str:
    return "UTC" if zone in ("UTC", "Etc/UTC") else _OLSON_TO_WINDOWS.get(zone, "UTC")


def local_time(moment: datetime, zone: str) -> dict[str, str]:
    """A dateTimeTimeZone on the series' wall clock (UTC where the zone has no Windows name)."""
    name = windows_zone(zone)
    local = moment.astimezone(ZoneInfo(zone) if name != "UTC" else UTC)
    return {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": name}


def recurrence_of(item: CalendarItem) -> dict[str, Any]:
    """The ``patternedRecurrence`` for the item's RRULE, anchored at its first start."""
    if item.rdates or not item.rrule or "\n" in item.rrule.strip():
        raise UnsupportedRecurrence("only a single RRULE (no RDATE) can be written to Office 365")
    parts = dict(p.split("=", 1) for p in item.rrule.strip().removeprefix("RRULE:").split(";") if "=" in p)
    unknown = set(parts) - _KNOWN
    if unknown:
        raise UnsupportedRecurrence(f"Office 365 recurrences cannot hold {', '.join(sorted(unknown))}")
    zone = item.timezone if windows_zone(item.timezone) != "UTC" else "UTC"
    start = _first_local(item, zone)
    days, ordinals = _by_day(parts.get("BYDAY", ""))
    setpos = int(parts["BYSETPOS"]) if "BYSETPOS" in parts else (ordinals.pop() if len(ordinals) == 1 else None)
    if ordinals or (setpos is not None and setpos not in _INDEX):
        raise UnsupportedRecurrence(f"the rule {item.rrule!r} has an ordinal Office 365 cannot hold")
    pattern: dict[str, Any] = {"interval": int(parts.get("INTERVAL", "1"))}
    freq = parts.get("FREQ", "")
    if freq == "DAILY" and days:
        pattern.update(type="weekly", daysOfWeek=days, firstDayOfWeek="sunday")
    elif freq == "DAILY":
        pattern["type"] = "daily"
    elif freq == "WEEKLY":
        pattern.update(type="weekly", daysOfWeek=days or [_weekday(start)],
                       firstDayOfWeek=_DAYS.get(parts.get("WKST", "MO"), "monday"))
    elif freq in ("MONTHLY", "YEARLY"):
        relative = bool(days)
        kind = ("relative" if relative else "absolute") + ("Monthly" if freq == "MONTHLY" else "Yearly")
        pattern["type"] = kind
        if relative:
            pattern.update(daysOfWeek=days, index=_INDEX[setpos if setpos is not None else 1])
        else:
            pattern["dayOfMonth"] = int(parts.get("BYMONTHDAY", start.day))
        if freq == "YEARLY":
            pattern["month"] = int(parts.get("BYMONTH", start.month))
    else:
        raise UnsupportedRecurrence(f"Office 365 recurrences cannot repeat {freq or 'without FREQ'}")
    return {"pattern": pattern, "range": _range(parts, start, zone)}


def _range(parts: Mapping[str, str], start: datetime, zone: str) -> dict[str, Any]:
    rng: dict[str, Any] = {"startDate": start.date().isoformat(), "recurrenceTimeZone": windows_zone(zone)}
    if "COUNT" in parts:
        rng.update(type="numbered", numberOfOccurrences=int(parts["COUNT"]))
    elif "UNTIL" in parts:
        text = parts["UNTIL"]
        until = datetime.strptime(text[:15], "%Y%m%dT%H%M%S") if "T" in text else datetime.strptime(text[:8], "%Y%m%d")
        if text.endswith("Z"):
            until = until.replace(tzinfo=UTC).astimezone(ZoneInfo(zone))
        rng.update(type="endDate", endDate=until.date().isoformat())
    else:
        rng["type"] = "noEnd"
    return rng


def _by_day(text: str) -> tuple[list[str], set[int]]:
    days, ordinals = [], set()
    for token in filter(None, text.split(",")):
        day = token[-2:].upper()
        if day not in _DAYS:
            raise UnsupportedRecurrence(f"unknown weekday {token!r}")
        days.append(_DAYS[day])
        if token[:-2]:
            ordinals.add(int(token[:-2]))
    return days, ordinals


def _first_local(item: CalendarItem, zone: str) -> datetime:
    if item.all_day and item.start_date:
        return datetime.combine(item.start_date, datetime.min.time())
    if item.start is None:
        raise UnsupportedRecurrence("a timed series needs a start")
    return item.start.astimezone(ZoneInfo(zone))


def _weekday(moment: datetime) -> str:
    return moment.strftime("%A").lower()


def exception_changes(exception: CalendarException, zone: str) -> dict[str, Any]:
    """The PATCH body that makes one occurrence this exception (only what it overrides)."""
    body: dict[str, Any] = {}
    if exception.subject is not None:
        body["subject"] = exception.subject
    if exception.location is not None:
        body["location"] = {"displayName": exception.location}
    if exception.start is not None:
        body["start"] = local_time(exception.start, zone)
    if exception.end is not None:
        body["end"] = local_time(exception.end, zone)
    return body
