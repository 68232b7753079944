"""Salesforce Classic recurring Events: the main record (IsRecurrence) and the child occurrences.

As Salesforce does (Object Reference, Event): creating a main record with IsRecurrence = true
and its Recurrence* pattern creates one child Event per occurrence (RecurrenceActivityId = the
main record, IsRecurrence = false), at most 100; the pattern needs RecurrenceStartDateTime,
RecurrenceEndDateOnly and RecurrenceType (plus the fields that type uses). Changing the pattern
of the main record deletes the children and creates them anew; changing another field of the
series overrides that field on every child; deleting the main record deletes the children.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import rrule as du

from .errors import RecordError, RecordFailed
from .values import format_datetime, parse_datetime

MAX_OCCURRENCES = 100
PATTERN_FIELDS = frozenset({
    "RecurrenceType", "RecurrenceInterval", "RecurrenceDayOfWeekMask", "RecurrenceDayOfMonth",
    "RecurrenceInstance", "RecurrenceMonthOfYear", "RecurrenceStartDateTime", "RecurrenceEndDateOnly",
    "RecurrenceTimeZoneSidKey", "IsAllDayEvent", "DurationInMinutes",
})
COPIED_FIELDS = ("Subject", "Location", "Description", "ShowAs", "Type", "IsPrivate", "WhoId", "WhatId",
                 "OwnerId", "IsAllDayEvent", "IsReminderSet")
DAYS = (du.SU, du.MO, du.TU, du.WE, du.TH, du.FR, du.SA)          # bit 1, 2, 4 … 64
INSTANCES = {"First": 1, "Second": 2, "Third": 3, "Fourth": 4, "Last": -1}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
NEEDED = {"RecursWeekly": ("RecurrenceDayOfWeekMask",), "RecursMonthly": ("RecurrenceDayOfMonth",),
          "RecursMonthlyNth": ("RecurrenceInstance", "RecurrenceDayOfWeekMask"),
          "RecursYearly": ("RecurrenceMonthOfYear", "RecurrenceDayOfMonth"),
          "RecursYearlyNth": ("RecurrenceMonthOfYear", "RecurrenceInstance", "RecurrenceDayOfWeekMask")}


def _fail(code: str, message: str, fields: list[str]) -> RecordFailed:
    return RecordFailed([RecordError(code, message, fields)])


def occurrence_starts(record: dict[str, Any]) -> list[datetime]:
    """The UTC starts of a main record's occurrences; RecordFailed when the pattern is incomplete."""
    kind = record.get("RecurrenceType")
    needed = ("RecurrenceStartDateTime", "RecurrenceEndDateOnly", "RecurrenceType", *NEEDED.get(kind or "", ()))
    missing = [name for name in needed if record.get(name) in (None, "")]
    if missing:
        raise _fail("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{', '.join(missing)}]", missing)
    zone = _zone(record)
    first = parse_datetime(str(record["RecurrenceStartDateTime"])).astimezone(zone).replace(tzinfo=None)
    last_day = datetime.fromisoformat(str(record["RecurrenceEndDateOnly"])[:10]).date()
    if last_day < first.date():
        raise _fail("FIELD_INTEGRITY_EXCEPTION", "Recurrence end date must be after its start date",
                    ["RecurrenceEndDateOnly"])
    rule = du.rrule(until=datetime.combine(last_day, time.max), dtstart=first, **_pattern(record, first))
    starts = [wall.replace(tzinfo=zone).astimezone(ZoneInfo("UTC")) for wall in rule[:MAX_OCCURRENCES + 1]]
    if len(starts) > MAX_OCCURRENCES:
        raise _fail("FIELD_INTEGRITY_EXCEPTION",
                    f"A recurring event can't have more than {MAX_OCCURRENCES} occurrences", ["RecurrenceEndDateOnly"])
    return starts


def _zone(record: dict[str, Any]) -> ZoneInfo:
    try:
        return ZoneInfo(str(record.get("RecurrenceTimeZoneSidKey") or "UTC"))
    except (ZoneInfoNotFoundError, ValueError):
        raise _fail("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST", "bad value for restricted picklist field: "
                    f"{record.get('RecurrenceTimeZoneSidKey')}", ["RecurrenceTimeZoneSidKey"]) from None


def _pattern(record: dict[str, Any], first: datetime) -> dict[str, Any]:
    kind, interval = record["RecurrenceType"], int(record.get("RecurrenceInterval") or 1)
    mask = int(record.get("RecurrenceDayOfWeekMask") or 0)
    days = [d for bit, d in enumerate(DAYS) if mask & (1 << bit)]
    if kind in NEEDED and "RecurrenceDayOfWeekMask" in NEEDED[kind] and not days:
        raise _fail("FIELD_INTEGRITY_EXCEPTION", "Recurrence day of week mask is invalid", ["RecurrenceDayOfWeekMask"])
    nth = INSTANCES.get(str(record.get("RecurrenceInstance")), 1)
    month = MONTHS.index(record["RecurrenceMonthOfYear"]) + 1 if record.get("RecurrenceMonthOfYear") in MONTHS else 1
    day = int(record.get("RecurrenceDayOfMonth") or first.day)
    return {
        "RecursDaily": {"freq": du.DAILY, "interval": interval},
        "RecursEveryWeekday": {"freq": du.WEEKLY, "byweekday": DAYS[1:6]},
        "RecursWeekly": {"freq": du.WEEKLY, "interval": interval, "byweekday": days},
        "RecursMonthly": {"freq": du.MONTHLY, "interval": interval, "bymonthday": day},
        "RecursMonthlyNth": {"freq": du.MONTHLY, "interval": interval, "byweekday": days, "bysetpos": nth},
        "RecursYearly": {"freq": du.YEARLY, "bymonth": month, "bymonthday": day},
        "RecursYearlyNth": {"freq": du.YEARLY, "bymonth": month, "byweekday": days, "bysetpos": nth},
    }[kind]


def children(master: dict[str, Any], starts: list[datetime]) -> list[dict[str, Any]]:
    """The child Events of a main record (no ids yet): its fields, each at one occurrence's start."""
    minutes = int(master.get("DurationInMinutes") or 0)
    out = []
    for start in starts:
        child = {name: master.get(name) for name in COPIED_FIELDS}
        child.update(IsRecurrence=False, RecurrenceActivityId=master["Id"], DurationInMinutes=minutes)
        if master.get("IsAllDayEvent"):
            day = start.astimezone(_zone(master)).date()
            child.update(ActivityDate=day.isoformat(),
                         StartDateTime=format_datetime(datetime.combine(day, time(), ZoneInfo("UTC"))))
            child["ActivityDateTime"] = child["StartDateTime"]
            child["EndDateTime"] = format_datetime(parse_datetime(child["StartDateTime"])
                                                   + timedelta(minutes=max(minutes - 1440, 0)))
        else:
            child.update(StartDateTime=format_datetime(start), ActivityDateTime=format_datetime(start),
                         EndDateTime=format_datetime(start + timedelta(minutes=minutes)),
                         ActivityDate=start.date().isoformat())
        out.append(child)
    return out


def first_occurrence_timing(record: dict[str, Any], starts: list[datetime]) -> None:
    """The main record sits at its first occurrence (as Salesforce shows it)."""
    if starts and not record.get("IsAllDayEvent"):
        minutes = int(record.get("DurationInMinutes") or 0)
        record.update(StartDateTime=format_datetime(starts[0]), ActivityDateTime=format_datetime(starts[0]),
                      EndDateTime=format_datetime(starts[0] + timedelta(minutes=minutes)),
                      ActivityDate=starts[0].date().isoformat())
