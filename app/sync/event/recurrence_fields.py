"""A Salesforce recurring Event's pattern fields ⇄ an RFC 5545 RRULE (pure data translation).

Salesforce (Object Reference, Event) describes a series on its main record: ``IsRecurrence``,
``RecurrenceType`` (RecursDaily, RecursEveryWeekday, RecursWeekly, RecursMonthly, RecursMonthlyNth,
RecursYearly, RecursYearlyNth), ``RecurrenceInterval``, ``RecurrenceDayOfWeekMask`` (Sunday = 1,
Monday = 2 … Saturday = 64, summed), ``RecurrenceDayOfMonth``, ``RecurrenceInstance`` (First …
Fourth, Last), ``RecurrenceMonthOfYear`` (January …), ``RecurrenceStartDateTime``,
``RecurrenceEndDateOnly`` (the day the last occurrence starts, required) and
``RecurrenceTimeZoneSidKey``. Salesforce itself creates the occurrences as child Events
(``RecurrenceActivityId`` = the main record). There is no occurrence count, so a COUNT rule
has no Salesforce form: ``UnrepresentableRule`` names what cannot be written.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sync.transforms import UNREADABLE, Codec, FieldContext, parse_sf_datetime

RECURRENCE_FIELDS = (
    "IsRecurrence", "RecurrenceActivityId", "RecurrenceType", "RecurrenceInterval", "RecurrenceDayOfWeekMask",
    "RecurrenceDayOfMonth", "RecurrenceInstance", "RecurrenceMonthOfYear", "RecurrenceStartDateTime",
    "RecurrenceEndDateOnly", "RecurrenceTimeZoneSidKey",
)
DAY_BITS = {"SU": 1, "MO": 2, "TU": 4, "WE": 8, "TH": 16, "FR": 32, "SA": 64}
WEEKDAYS_MASK = 2 + 4 + 8 + 16 + 32
INSTANCES = {"First": 1, "Second": 2, "Third": 3, "Fourth": 4, "Last": -1}
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")
PART_ORDER = ("FREQ", "INTERVAL", "BYMONTH", "BYMONTHDAY", "BYDAY", "BYSETPOS", "UNTIL", "COUNT", "WKST")


class UnrepresentableRule(ValueError):
    """An RRULE (or a Salesforce pattern) the other side has no fields for; the message says which part."""


def is_series_master(fields: Mapping[str, Any]) -> bool:
    """The main record of a Salesforce recurring Event (its children carry ``RecurrenceActivityId``)."""
    return bool(fields.get("IsRecurrence"))


def series_parent(fields: Mapping[str, Any]) -> str | None:
    """The main record's id for a child occurrence Event, else None."""
    parent = fields.get("RecurrenceActivityId")
    return str(parent) if parent and not fields.get("IsRecurrence") else None


def normalized_rrule(text: str | None) -> str | None:
    """One spelling per rule (upper case, parts in a fixed order, INTERVAL=1 dropped) so both sides compare."""
    if not text:
        return None
    parts = {}
    for chunk in text.strip().removeprefix("RRULE:").split(";"):
        if "=" in chunk:
            key, value = chunk.split("=", 1)
            parts[key.strip().upper()] = value.strip().upper()
    if parts.get("INTERVAL") == "1":
        del parts["INTERVAL"]
    if parts.get("WKST") == "MO":
        del parts["WKST"]        # RFC 5545 default
    ordered = [k for k in PART_ORDER if k in parts] + sorted(k for k in parts if k not in PART_ORDER)
    return ";".join(f"{k}={parts[k]}" for k in ordered)


def rrule_from_fields(fields: Mapping[str, Any]) -> str | None:
    """The RRULE of a Salesforce series main record (None for a plain Event)."""
    if not is_series_master(fields):
        return None
    kind = fields.get("RecurrenceType")
    interval = int(fields.get("RecurrenceInterval") or 1)
    mask = int(fields.get("RecurrenceDayOfWeekMask") or 0)
    parts: dict[str, str] = {}
    if kind == "RecursDaily":
        parts = {"FREQ": "DAILY", "INTERVAL": str(interval)}
    elif kind == "RecursEveryWeekday":
        parts = {"FREQ": "WEEKLY", "BYDAY": _days(WEEKDAYS_MASK)}
    elif kind == "RecursWeekly":
        parts = {"FREQ": "WEEKLY", "INTERVAL": str(interval), "BYDAY": _days(mask)}
    elif kind == "RecursMonthly":
        parts = {"FREQ": "MONTHLY", "INTERVAL": str(interval), "BYMONTHDAY": str(fields["RecurrenceDayOfMonth"])}
    elif kind == "RecursMonthlyNth":
        parts = {"FREQ": "MONTHLY", "INTERVAL": str(interval), **_nth(fields, mask)}
    elif kind == "RecursYearly":
        parts = {"FREQ": "YEARLY", "BYMONTH": _month(fields), "BYMONTHDAY": str(fields["RecurrenceDayOfMonth"])}
    elif kind == "RecursYearlyNth":
        parts = {"FREQ": "YEARLY", "BYMONTH": _month(fields), **_nth(fields, mask)}
    else:
        raise UnrepresentableRule(f"RecurrenceType {kind!r}")
    parts["UNTIL"] = _until(fields)
    return normalized_rrule(";".join(f"{k}={v}" for k, v in parts.items()))


def _days(mask: int) -> str:
    days = [day for day, bit in DAY_BITS.items() if mask & bit]
    if not days:
        raise UnrepresentableRule("RecurrenceDayOfWeekMask names no day")
    return ",".join(days)


def _nth(fields: Mapping[str, Any], mask: int) -> dict[str, str]:
    """"The 2nd Tuesday" is BYDAY=2TU; "the last weekday" (several days) is BYDAY=MO,…,FR;BYSETPOS=-1."""
    ordinal = INSTANCES.get(str(fields.get("RecurrenceInstance")))
    if ordinal is None:
        raise UnrepresentableRule(f"RecurrenceInstance {fields.get('RecurrenceInstance')!r}")
    days = _days(mask)
    if "," in days:
        return {"BYDAY": days, "BYSETPOS": str(ordinal)}
    return {"BYDAY": f"{ordinal}{days}"}


def _month(fields: Mapping[str, Any]) -> str:
    name = fields.get("RecurrenceMonthOfYear")
    if name not in MONTHS:
        raise UnrepresentableRule(f"RecurrenceMonthOfYear {name!r}")
    return str(MONTHS.index(str(name)) + 1)


def _until(fields: Mapping[str, Any]) -> str:
    """RecurrenceEndDateOnly is the day the last occurrence starts: an all-day series ends on that DATE,
    a timed one at the end of that local day, written in UTC as RFC 5545 §3.3.10 requires."""
    last = date.fromisoformat(str(fields["RecurrenceEndDateOnly"])[:10])
    if fields.get("IsAllDayEvent"):
        return last.strftime("%Y%m%d")
    zone = series_zone(fields)
    end_of_day = datetime.combine(last, time(23, 59, 59), zone)
    return end_of_day.astimezone(ZoneInfo("UTC")).strftime("%Y%m%dT%H%M%SZ")


def series_zone(fields: Mapping[str, Any], default: str = "UTC") -> ZoneInfo:
    """The zone the series repeats in (its wall-clock time survives DST there)."""
    name = str(fields.get("RecurrenceTimeZoneSidKey") or default)
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(default)


def fields_from_rrule(rrule: str, start: datetime | date, timezone: str = "UTC",
                      all_day: bool = False) -> dict[str, Any]:
    """The Salesforce pattern fields for an RRULE starting at ``start``; raises UnrepresentableRule."""
    parts = dict(p.split("=", 1) for p in (normalized_rrule(rrule) or "").split(";") if "=" in p)
    freq, interval = parts.pop("FREQ", ""), int(parts.pop("INTERVAL", "1"))
    if "COUNT" in parts or "UNTIL" not in parts:
        raise UnrepresentableRule("Salesforce needs an end date (RecurrenceEndDateOnly): COUNT or endless rules")
    until = parts.pop("UNTIL")
    out: dict[str, Any] = {"IsRecurrence": True, "RecurrenceInterval": interval}
    by_day = parts.pop("BYDAY", "")
    month_day, month, setpos = parts.pop("BYMONTHDAY", None), parts.pop("BYMONTH", None), parts.pop("BYSETPOS", None)
    if parts:
        raise UnrepresentableRule(", ".join(sorted(parts)))
    if freq == "DAILY" and not by_day:
        out["RecurrenceType"] = "RecursDaily"
    elif freq == "WEEKLY" and by_day and not month_day:
        mask = _mask(by_day)
        if mask == WEEKDAYS_MASK and interval == 1:
            out = {"IsRecurrence": True, "RecurrenceType": "RecursEveryWeekday", "RecurrenceDayOfWeekMask": mask}
        else:
            out.update(RecurrenceType="RecursWeekly", RecurrenceDayOfWeekMask=mask)
    elif freq in ("MONTHLY", "YEARLY") and month_day and not by_day and "," not in month_day:
        out.update(RecurrenceType="RecursMonthly" if freq == "MONTHLY" else "RecursYearly",
                   RecurrenceDayOfMonth=int(month_day))
    elif freq in ("MONTHLY", "YEARLY") and by_day and not month_day:
        out.update(RecurrenceType="RecursMonthlyNth" if freq == "MONTHLY" else "RecursYearlyNth",
                   **_instance(by_day, setpos))
    else:
        raise UnrepresentableRule(f"FREQ={freq} with these parts")
    if freq == "YEARLY":
        if interval != 1 or not month or "," in month:
            raise UnrepresentableRule("a yearly rule repeats every year in one BYMONTH")
        out.pop("RecurrenceInterval", None)
        out["RecurrenceMonthOfYear"] = MONTHS[int(month) - 1]
    elif month:
        raise UnrepresentableRule("BYMONTH")
    out.update(_bounds(start, until, timezone, all_day))
    return out


def _mask(by_day: str) -> int:
    try:
        return sum(DAY_BITS[d] for d in by_day.split(","))
    except KeyError:
        raise UnrepresentableRule(f"BYDAY={by_day}") from None


def _instance(by_day: str, setpos: str | None) -> dict[str, Any]:
    """BYDAY=2TU, or BYDAY=MO,…;BYSETPOS=n, as RecurrenceInstance + RecurrenceDayOfWeekMask."""
    by_ordinal = {v: k for k, v in INSTANCES.items()}
    if setpos is not None:
        if int(setpos) not in by_ordinal:
            raise UnrepresentableRule(f"BYSETPOS={setpos}")
        return {"RecurrenceInstance": by_ordinal[int(setpos)], "RecurrenceDayOfWeekMask": _mask(by_day)}
    ordinal, day = by_day[:-2], by_day[-2:]
    if "," in by_day or not ordinal or int(ordinal) not in by_ordinal:
        raise UnrepresentableRule(f"BYDAY={by_day}")
    return {"RecurrenceInstance": by_ordinal[int(ordinal)], "RecurrenceDayOfWeekMask": _mask(day)}


def _bounds(start: datetime | date, until: str, timezone: str, all_day: bool) -> dict[str, Any]:
    if all_day or not isinstance(start, datetime):
        first = start.date() if isinstance(start, datetime) else start
        last = date(int(until[:4]), int(until[4:6]), int(until[6:8]))
        return {"RecurrenceStartDateTime": f"{first.isoformat()}T00:00:00.000+0000",
                "RecurrenceEndDateOnly": last.isoformat()}
    zone = ZoneInfo(timezone)
    end = datetime.strptime(until.rstrip("Z")[:15], "%Y%m%dT%H%M%S").replace(tzinfo=ZoneInfo("UTC"))
    utc = start.astimezone(ZoneInfo("UTC"))
    return {"RecurrenceStartDateTime": utc.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
            "RecurrenceEndDateOnly": end.astimezone(zone).date().isoformat(),
            "RecurrenceTimeZoneSidKey": timezone}


class RecurrenceCodec(Codec):
    """A series' RRULE ⇄ the main record's pattern fields (and the zone it repeats in).

    Read both ways so the two sides compare; written to the mailbox only: a mailbox series is
    mirrored occurrence by occurrence, and Salesforce regenerates (drops) child Events when a
    pattern changes, which would lose their links.
    """

    salesforce_types = frozenset({"picklist", "boolean", "int", "date", "datetime", "string", "reference"})

    def salesforce_fields(self, row: Any) -> tuple[str, ...]:
        return RECURRENCE_FIELDS

    def mailbox_fields(self, row: Any) -> tuple[str, ...]:
        return ("rrule", "timezone")

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> str | None:
        if getattr(item, "recurrence_id", None) is not None:
            return None
        return normalized_rrule(getattr(item, "rrule", None))

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> Any:
        if not is_series_master(fields):
            return UNREADABLE     # a plain Event or occurrence: it has no pattern to compare
        try:
            return rrule_from_fields(fields)
        except (UnrepresentableRule, KeyError, ValueError):
            return UNREADABLE

    def to_record(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {}

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {"rrule": value}


def series_start(fields: Mapping[str, Any]) -> datetime | None:
    """RecurrenceStartDateTime as an aware instant (None when absent)."""
    raw = fields.get("RecurrenceStartDateTime")
    return parse_sf_datetime(str(raw)) if raw else None
