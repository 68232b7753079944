"""Graph ``event`` JSON ⇄ the core's ``CalendarItem``.

Reads ask for UTC (``Prefer: outlook.timezone``) and map ``originalStartTimeZone`` (Windows or
IANA name) to the item's IANA zone. Writes send UTC instants and NEVER attendees: Exchange
mails every attendee of an organiser's meeting on create, change and delete, and Graph has no
switch to stop it, so the product's events are appointments in the owner's calendar (the
meeting's people stay on the Salesforce side as EventRelations).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

from app.providers.graph.series_write import local_time, recurrence_of
from app.sync.items import Attendee, CalendarItem, ResponseStatus, ShowAs

# A named property in PS_PUBLIC_STRINGS ({00020329-...}): the sync key on events the product writes.
SYNC_KEY_PROPERTY = "String {00020329-0000-0000-C000-000000000046} Name SynclineKey"
SELECT = ",".join(("id", "changeKey", "iCalUId", "subject", "body", "start", "end", "isAllDay", "location",
                   "attendees", "organizer", "showAs", "sensitivity", "categories", "isCancelled", "type",
                   "seriesMasterId", "originalStartTimeZone", "lastModifiedDateTime", "isOrganizer"))
EXPAND = f"singleValueExtendedProperties($filter=id eq '{SYNC_KEY_PROPERTY}')"

_SHOW_AS = {"free": ShowAs.FREE, "tentative": ShowAs.TENTATIVE, "busy": ShowAs.BUSY, "oof": ShowAs.OUT_OF_OFFICE,
            "workingElsewhere": ShowAs.WORKING_ELSEWHERE}
_SHOW_AS_OUT = {v: k for k, v in _SHOW_AS.items()}
_RESPONSE = {"organizer": ResponseStatus.ORGANIZER, "accepted": ResponseStatus.ACCEPTED,
             "tentativelyAccepted": ResponseStatus.TENTATIVE, "declined": ResponseStatus.DECLINED}
WRITABLE = frozenset({"subject", "start", "end", "timezone", "all_day", "start_date", "end_date", "location",
                      "body_text", "body_html", "private", "show_as", "categories", "cancelled"})


def read_event(event: Mapping[str, Any]) -> CalendarItem:
    """One single-instance event (series are not mapped in this slice: see ``is_series_part``)."""
    all_day = bool(event.get("isAllDay"))
    start, end = _instant(event.get("start")), _instant(event.get("end"))
    body = event.get("body") or {}
    text = str(body.get("content") or "")
    html = body.get("contentType") == "html"
    return CalendarItem(
        item_id=str(event["id"]), uid=str(event.get("iCalUId") or event["id"]), subject=str(event.get("subject") or ""),
        start=None if all_day else start, end=None if all_day else end,
        timezone=iana_zone(event.get("originalStartTimeZone")), all_day=all_day,
        start_date=_raw_day(event.get("start")) if all_day else None,
        end_date=_raw_day(event.get("end")) if all_day else None,
        organizer=_address(event.get("organizer")), attendees=tuple(_attendees(event)),
        cancelled=bool(event.get("isCancelled")),
        private=str(event.get("sensitivity") or "normal") in ("private", "confidential"),
        categories=tuple(event.get("categories") or ()), body_text="" if html else text,
        body_html=text if html else "", location=str((event.get("location") or {}).get("displayName") or ""),
        show_as=_SHOW_AS.get(str(event.get("showAs")), ShowAs.BUSY), version=str(event.get("changeKey") or ""),
        modified_at=_stamp(event.get("lastModifiedDateTime")), sync_key=sync_key_of(event))


def is_series_part(event: Mapping[str, Any]) -> bool:
    return str(event.get("type") or "singleInstance") != "singleInstance"


def write_event(item: CalendarItem, sync_key: str | None = None) -> dict[str, Any]:
    """The create/PATCH body for an item: no attendees (no invitation mail), UTC times (a series:
    its own zone and a ``patternedRecurrence``; raises UnsupportedRecurrence for a rule Graph cannot hold)."""
    body: dict[str, Any] = {
        "subject": item.subject, "isAllDay": item.all_day, "showAs": _SHOW_AS_OUT.get(item.show_as, "busy"),
        "sensitivity": "private" if item.private else "normal", "categories": list(item.categories),
        "location": {"displayName": item.location},
        "body": {"contentType": "html", "content": item.body_html} if item.body_html and not item.body_text
        else {"contentType": "text", "content": item.body_text}}
    if item.all_day and item.start_date:
        end_date = item.end_date if item.end_date and item.end_date > item.start_date else (
            item.start_date + timedelta(days=1))
        body["start"], body["end"] = _day(item.start_date), _day(end_date)
    elif item.start and item.end and item.rrule:     # a series repeats on its own wall clock
        body["start"], body["end"] = local_time(item.start, item.timezone), local_time(item.end, item.timezone)
    elif item.start and item.end:
        body["start"], body["end"] = _utc(item.start), _utc(item.end)
    if item.rrule:
        body["recurrence"] = recurrence_of(item)
    if sync_key:
        body["singleValueExtendedProperties"] = [{"id": SYNC_KEY_PROPERTY, "value": sync_key}]
    return body


def sync_key_of(event: Mapping[str, Any]) -> str | None:
    for prop in event.get("singleValueExtendedProperties") or ():
        if str(prop.get("id", "")).lower() == SYNC_KEY_PROPERTY.lower():
            return str(prop.get("value"))
    return None


def iana_zone(name: Any) -> str:
    """``originalStartTimeZone`` as an IANA name (Windows names through CLDR's table); UTC if unknown."""
    text = str(name or "")
    zone = WINDOWS_TO_OLSON.get(text, text)
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return zone


def _instant(value: Any) -> datetime | None:
    """A ``dateTimeTimeZone`` read with ``outlook.timezone="UTC"`` (other zones converted too)."""
    if not isinstance(value, Mapping) or not value.get("dateTime"):
        return None
    moment = datetime.fromisoformat(str(value["dateTime"]).rstrip("Z")[:26])
    zone = iana_zone(value.get("timeZone") or "UTC")
    return moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _raw_day(value: Any) -> date | None:
    """An all-day event's day as written: all-day events float, they are not instants."""
    text = str((value or {}).get("dateTime") or "") if isinstance(value, Mapping) else ""
    return date.fromisoformat(text[:10]) if text else None


def _utc(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}


def _day(day: date) -> dict[str, str]:
    return {"dateTime": day.isoformat() + "T00:00:00", "timeZone": "UTC"}


def _stamp(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")) if value else None
    except ValueError:
        return None


def _address(recipient: Any) -> str:
    email = (recipient or {}).get("emailAddress") or {}
    return str(email.get("address") or "")


def _attendees(event: Mapping[str, Any]) -> list[Attendee]:
    out = []
    for attendee in event.get("attendees") or ():
        email = (attendee.get("emailAddress") or {})
        response = str((attendee.get("status") or {}).get("response") or "none")
        out.append(Attendee(str(email.get("address") or ""), str(email.get("name") or ""),
                            _RESPONSE.get(response, ResponseStatus.NONE), attendee.get("type") != "optional"))
    return [a for a in out if a.email]
