"""Recurring series in the fake: a master's ``patternedRecurrence`` expanded into occurrences in the
series' time zone (wall clock kept across DST), with exceptions and cancelled occurrences.

Graph returns occurrences and exceptions (never the master) from calendarView; each carries
``seriesMasterId`` and ``originalStart``. An occurrence id here is the master's id and the
original start, which clients must treat as opaque.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule

from sandbox.graph.store_times import parse_time, utc_time, zone

_FREQ = {"daily": rrule.DAILY, "weekly": rrule.WEEKLY, "absoluteMonthly": rrule.MONTHLY,
         "relativeMonthly": rrule.MONTHLY, "absoluteYearly": rrule.YEARLY, "relativeYearly": rrule.YEARLY}
_DAYS = {"monday": rrule.MO, "tuesday": rrule.TU, "wednesday": rrule.WE, "thursday": rrule.TH,
         "friday": rrule.FR, "saturday": rrule.SA, "sunday": rrule.SU}
_INDEX = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}
SEPARATOR = "_occ_"


def zone_of(master: dict) -> ZoneInfo:
    name = ((master.get("recurrence") or {}).get("range") or {}).get("recurrenceTimeZone") or \
        master.get("originalStartTimeZone") or master["start"].get("timeZone") or "UTC"
    return zone(name)


def original_starts(master: dict, low: datetime, high: datetime) -> list[datetime]:
    """UTC original starts ``low <= start < high`` of the master's pattern."""
    pattern, rng = master["recurrence"]["pattern"], master["recurrence"]["range"]
    local_zone = zone_of(master)
    first = parse_time(master["start"]).astimezone(local_zone).replace(tzinfo=None)
    args: dict[str, Any] = {"dtstart": first, "interval": int(pattern.get("interval") or 1),
                            "wkst": _DAYS[pattern.get("firstDayOfWeek") or "sunday"]}
    kind = pattern["type"]
    days = [_DAYS[d] for d in pattern.get("daysOfWeek") or ()]
    if kind == "weekly":
        args["byweekday"] = days
    if kind in ("absoluteMonthly", "absoluteYearly"):
        args["bymonthday"] = int(pattern["dayOfMonth"])
    if kind in ("relativeMonthly", "relativeYearly"):
        args["byweekday"], args["bysetpos"] = days, _INDEX[pattern.get("index") or "first"]
    if kind in ("absoluteYearly", "relativeYearly"):
        args["bymonth"] = int(pattern["month"])
    if rng["type"] == "numbered":
        args["count"] = int(rng["numberOfOccurrences"])
    elif rng["type"] == "endDate":
        args["until"] = datetime.combine(date.fromisoformat(rng["endDate"]), time(23, 59, 59))
    out = []
    for local in rrule.rrule(_FREQ[kind], **args):
        moment = local.replace(tzinfo=local_zone).astimezone(UTC)
        if moment >= high:
            break
        if moment >= low:
            out.append(moment)
    return out


def occurrence_id(master_id: str, original: datetime) -> str:
    return f"{master_id}{SEPARATOR}{original:%Y%m%dT%H%M%SZ}"


def instances(master: dict, low: datetime, high: datetime) -> list[dict]:
    """The occurrences and exceptions of a series that overlap ``[low, high)``, cancelled ones left out."""
    length = parse_time(master["end"]) - parse_time(master["start"])
    overrides: dict = master.get("_overrides") or {}
    cancelled: set = master.get("_cancelled") or set()
    span = timedelta(days=366)
    out = []
    for original in original_starts(master, low - span, high + span):
        stamp = f"{original:%Y%m%dT%H%M%SZ}"
        if stamp in cancelled:
            continue
        changes = overrides.get(stamp) or {}
        start = parse_time(changes["start"]) if "start" in changes else original
        end = parse_time(changes["end"]) if "end" in changes else start + length
        if not (end > low and start < high):
            continue
        shown = {k: v for k, v in master.items() if not k.startswith("_") and k not in ("recurrence",)}
        shown.update({k: v for k, v in changes.items() if k not in ("start", "end")})
        shown.update({"id": occurrence_id(master["id"], original), "type": "exception" if changes else "occurrence",
                      "seriesMasterId": master["id"], "originalStart": original.strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "start": utc_time(start), "end": utc_time(end), "recurrence": None})
        out.append(shown)
    return out


def split_occurrence(event_id: str) -> tuple[str, str] | None:
    if SEPARATOR not in event_id:
        return None
    master, stamp = event_id.rsplit(SEPARATOR, 1)
    return master, stamp
