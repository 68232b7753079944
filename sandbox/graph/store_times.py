"""Time values as the fake stores and shows them (``dateTimeTimeZone``)."""
from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON


def zone(name: str | None) -> ZoneInfo:
    """Graph takes Windows zone names (``Pacific Standard Time``) and IANA ones."""
    text = name or "UTC"
    return ZoneInfo(WINDOWS_TO_OLSON.get(text, text))


def overlaps(event: dict, start: datetime, end: datetime) -> bool:
    """calendarView semantics: the event ends after the view starts and starts before it ends."""
    ev_start, ev_end = parse_time(event["start"]), parse_time(event["end"])
    return ev_end > start and ev_start < end if ev_end > ev_start else start <= ev_start < end


def parse_time(value: dict) -> datetime:
    """A dateTimeTimeZone the fake stores: always UTC (clients write UTC or get it converted)."""
    text = value["dateTime"].rstrip("Z")[:26]
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=zone(value.get("timeZone"))).astimezone(UTC)


def utc_time(moment: datetime) -> dict:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
