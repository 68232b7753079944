"""Event times as Calendar v3 writes them (RFC 3339 ``dateTime`` + IANA ``timeZone``, or ``date``), and
a series' instances: RRULE/EXDATE/RDATE lines expanded on the series' wall clock (RFC 5545)."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule


def instant(value: dict[str, Any] | None, default_zone: str = "UTC") -> datetime | None:
    """A start/end as an aware instant (an all-day ``date`` is midnight in the zone)."""
    if not value:
        return None
    zone = ZoneInfo(value.get("timeZone") or default_zone)
    if value.get("dateTime"):
        moment = datetime.fromisoformat(str(value["dateTime"]).replace("Z", "+00:00"))
        return moment if moment.tzinfo else moment.replace(tzinfo=zone)
    if value.get("date"):
        return datetime.combine(date.fromisoformat(str(value["date"])), time(), zone)
    return None


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def instance_suffix(original: datetime, all_day: bool) -> str:
    """How Google names an instance: ``{seriesId}_{YYYYMMDDTHHMMSSZ}`` (``_{YYYYMMDD}`` all day)."""
    return original.strftime("%Y%m%d") if all_day else original.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def expand(master: dict[str, Any], low: datetime, high: datetime, limit: int = 2000) -> list[datetime]:
    """Original starts of the master's instances in [low, high) (EXDATEs removed)."""
    start = master.get("start") or {}
    all_day = "date" in start
    zone = ZoneInfo(start.get("timeZone") or "UTC")
    first = instant(start)
    if first is None:
        return []
    wall = first.astimezone(zone).replace(tzinfo=None)
    rules = rrule.rruleset()
    rules.rdate(wall)
    for line in master.get("recurrence") or ():
        name, _, value = str(line).partition(":")
        name = name.split(";")[0].upper()
        if name == "RRULE":
            text = value
            if "UNTIL=" in text.upper() and not all_day:
                text = _local_until(text, zone)
            rules.rrule(rrule.rrulestr(text, dtstart=wall, ignoretz=True))
        elif name in ("EXDATE", "RDATE"):
            for part in value.split(","):
                moment = _stamp(part, zone)
                (rules.exdate if name == "EXDATE" else rules.rdate)(moment)
    out = []
    for wall_start in rules:
        moment = wall_start.replace(tzinfo=zone)
        if moment >= high or len(out) >= limit:
            break
        if moment + (duration(master)) > low:
            out.append(moment)
    return out


def duration(event: dict[str, Any]) -> timedelta:
    start, end = instant(event.get("start")), instant(event.get("end"))
    return (end - start) if start and end else timedelta(0)


def _stamp(text: str, zone: ZoneInfo) -> datetime:
    text = text.strip()
    if text.endswith("Z"):
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(zone).replace(tzinfo=None)
    if "T" in text:
        return datetime.strptime(text, "%Y%m%dT%H%M%S")
    return datetime.strptime(text, "%Y%m%d")


def _local_until(text: str, zone: ZoneInfo) -> str:
    parts = []
    for part in text.split(";"):
        if part.upper().startswith("UNTIL=") and part.upper().endswith("Z"):
            until = datetime.strptime(part[6:], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC).astimezone(zone)
            part = "UNTIL=" + until.strftime("%Y%m%dT%H%M%S")
        parts.append(part)
    return ";".join(parts)
