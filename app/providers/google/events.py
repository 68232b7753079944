"""Calendar v3 ``Event`` JSON ⇄ the core's ``CalendarItem``.

Identity is the ``iCalUID`` (the same meeting in every attendee's calendar); the product's sync key
rides in ``extendedProperties.private`` (visible to this calendar only) and the ``etag`` is the
version used for conditional writes. Writes carry no attendees: the meeting's people stay on the
Salesforce side as EventRelations, and ``sendUpdates=none`` (calendar.py) keeps Google from mailing
anyone about an event a guest list came with.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sync.items import Attendee, CalendarItem, ResponseStatus, ShowAs

SYNC_KEY = "synclineKey"
_RESPONSE = {"accepted": ResponseStatus.ACCEPTED, "tentative": ResponseStatus.TENTATIVE,
             "declined": ResponseStatus.DECLINED}
WRITABLE = frozenset({"subject", "start", "end", "timezone", "all_day", "start_date", "end_date", "location",
                      "body_text", "body_html", "private", "show_as", "rrule"})
# Which Event fields a core field's change rewrites (a PATCH sends only those).
GOOGLE_FIELDS = {"subject": ("summary",), "location": ("location",), "body_text": ("description",),
                 "body_html": ("description",), "private": ("visibility",), "show_as": ("transparency",),
                 "start": ("start", "end"), "end": ("start", "end"), "timezone": ("start", "end"),
                 "all_day": ("start", "end"), "start_date": ("start", "end"), "end_date": ("start", "end"),
                 "rrule": ("recurrence", "start", "end")}


def read_event(event: Mapping[str, Any]) -> CalendarItem:
    """One event (a series master reads as its first occurrence; series.py adds rule and exceptions)."""
    start, end = event.get("start") or {}, event.get("end") or {}
    all_day = "date" in start
    description = str(event.get("description") or "")
    html = "<" in description and ">" in description
    organizer = event.get("organizer") or {}
    return CalendarItem(
        item_id=str(event["id"]), uid=str(event.get("iCalUID") or event["id"]), subject=str(event.get("summary") or ""),
        start=None if all_day else instant(start), end=None if all_day else instant(end),
        timezone=zone_name(start.get("timeZone")), all_day=all_day,
        start_date=date.fromisoformat(str(start["date"])) if all_day else None,
        end_date=date.fromisoformat(str(end["date"])) if all_day and end.get("date") else None,
        organizer=str(organizer.get("email") or ""), attendees=tuple(_attendees(event)),
        cancelled=event.get("status") == "cancelled", private=event.get("visibility") in ("private", "confidential"),
        body_text="" if html else description, body_html=description if html else "",
        location=str(event.get("location") or ""),
        show_as=ShowAs.FREE if event.get("transparency") == "transparent" else ShowAs.BUSY,
        version=str(event.get("etag") or ""), modified_at=_stamp(event.get("updated")), sync_key=sync_key_of(event))


def write_event(item: CalendarItem, sync_key: str | None = None) -> dict[str, Any]:
    """The insert/patch body for an item: times with an IANA zone (a series needs one for its wall clock)."""
    body: dict[str, Any] = {
        "summary": item.subject, "location": item.location, "description": item.body_text or item.body_html,
        "transparency": "transparent" if item.show_as is ShowAs.FREE else "opaque",
        "visibility": "private" if item.private else "default"}
    if item.all_day and item.start_date:
        end = item.end_date if item.end_date and item.end_date > item.start_date else item.start_date + timedelta(days=1)
        body["start"], body["end"] = {"date": item.start_date.isoformat()}, {"date": end.isoformat()}
    elif item.start and item.end:
        zone = zone_name(item.timezone)
        body["start"], body["end"] = local_time(item.start, zone), local_time(item.end, zone)
    if sync_key:
        body["extendedProperties"] = {"private": {SYNC_KEY: sync_key}}
    return body


def sync_key_of(event: Mapping[str, Any]) -> str | None:
    value = ((event.get("extendedProperties") or {}).get("private") or {}).get(SYNC_KEY)
    return str(value) if value else None


def instant(value: Mapping[str, Any] | None) -> datetime | None:
    """An EventDateTime's ``dateTime`` (RFC 3339, offset included) as a UTC instant."""
    text = str((value or {}).get("dateTime") or "")
    if not text:
        return None
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(zone_name((value or {}).get("timeZone"))))
    return moment.astimezone(UTC)


def original_start(value: Mapping[str, Any] | None) -> datetime | None:
    """An occurrence's ``originalStartTime`` as the core's recurrence id (all day: midnight UTC of the date)."""
    if value and value.get("date") and not value.get("dateTime"):
        return datetime.combine(date.fromisoformat(str(value["date"])), time(), UTC)
    return instant(value)


def local_time(moment: datetime, zone: str) -> dict[str, str]:
    return {"dateTime": moment.astimezone(ZoneInfo(zone)).isoformat(timespec="seconds"), "timeZone": zone}


def zone_name(name: Any) -> str:
    """An IANA zone name as given, UTC when absent or unknown."""
    text = str(name or "UTC")
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return text


def _attendees(event: Mapping[str, Any]) -> list[Attendee]:
    out = []
    for guest in event.get("attendees") or ():
        if guest.get("resource"):
            continue
        response = ResponseStatus.ORGANIZER if guest.get("organizer") else _RESPONSE.get(
            str(guest.get("responseStatus")), ResponseStatus.NONE)
        out.append(Attendee(str(guest.get("email") or ""), str(guest.get("displayName") or ""), response,
                            not guest.get("optional")))
    return [a for a in out if a.email]


def _stamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None
