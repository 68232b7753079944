"""VEVENT resources ⇄ the core's CalendarItem: one resource holds a series master and its
RECURRENCE-ID overrides; cancelled occurrences are EXDATEs (or STATUS:CANCELLED overrides).
"""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Calendar, Event, vCalAddress, vRecur

from app.providers.imap_dav import ical_common as ic
from app.providers.imap_dav import ical_scheduling as scheduling
from app.providers.imap_dav.timezones import iana_zone_name, zone
from app.sync.items import Attendee, CalendarException, CalendarItem, ResponseStatus, ShowAs

PARTSTAT_TO_RESPONSE = {"ACCEPTED": ResponseStatus.ACCEPTED, "TENTATIVE": ResponseStatus.TENTATIVE,
                        "DECLINED": ResponseStatus.DECLINED}
RESPONSE_TO_PARTSTAT = {v: k for k, v in PARTSTAT_TO_RESPONSE.items()}
BUSYSTATUS_TO_SHOW_AS = {"FREE": ShowAs.FREE, "TENTATIVE": ShowAs.TENTATIVE, "BUSY": ShowAs.BUSY,
                         "OOF": ShowAs.OUT_OF_OFFICE, "WORKINGELSEWHERE": ShowAs.WORKING_ELSEWHERE}
SHOW_AS_TO_BUSYSTATUS = {v: k for k, v in BUSYSTATUS_TO_SHOW_AS.items()}
PRIVATE_CLASSES = frozenset({"PRIVATE", "CONFIDENTIAL"})


def read_event(href: str, etag: str, data: str) -> CalendarItem | None:
    """The series (or single event) in this resource; None when it holds no VEVENT."""
    calendar = ic.parse_calendar(data)
    events = calendar.walk("VEVENT") if calendar is not None else []
    if not events:
        return None
    masters = [e for e in events if "RECURRENCE-ID" not in e]
    master = masters[0] if masters else events[0]
    overrides = [e for e in events if e is not master and "RECURRENCE-ID" in e]
    item = CalendarItem(item_id=href, uid=ic.text_of(master, "UID"), version=etag, **_timing(master), **_details(master))
    return replace(item, exceptions=_exceptions(master, overrides, item))


def _timing(event: Event) -> dict[str, Any]:
    start = ic.decoded(event, "DTSTART")
    end = ic.decoded(event, "DTEND")
    duration = ic.decoded(event, "DURATION")
    if isinstance(start, date) and not isinstance(start, datetime):
        end_date = end if isinstance(end, date) and not isinstance(end, datetime) else None
        end_date = end_date or start + (duration if isinstance(duration, timedelta) and duration.days else timedelta(days=1))
        return {"all_day": True, "start_date": start, "end_date": end_date}
    if start is None:
        return {}
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    name = iana_zone_name(start.tzinfo, start)
    local = zone(name)
    if isinstance(end, datetime):
        end = end if end.tzinfo else end.replace(tzinfo=local)
    else:
        end = start + (duration if isinstance(duration, timedelta) else timedelta(0))
    return {"start": start.astimezone(local), "end": end.astimezone(local), "timezone": name}


def _details(event: Event) -> dict[str, Any]:
    rrule = event.get("RRULE")
    modified = ic.decoded(event, "LAST-MODIFIED") or ic.decoded(event, "DTSTAMP")
    return {
        "subject": ic.text_of(event, "SUMMARY"), "location": ic.text_of(event, "LOCATION"),
        "body_text": ic.text_of(event, "DESCRIPTION"), "body_html": _html_description(event),
        "organizer": _address(event.get("ORGANIZER")), "attendees": _attendees(event),
        "rrule": rrule.to_ical().decode("ascii") if rrule is not None else None,
        "cancelled": ic.text_of(event, "STATUS").upper() == "CANCELLED",
        "private": ic.text_of(event, "CLASS").upper() in PRIVATE_CLASSES,
        "categories": ic.categories_of(event), "show_as": _show_as(event),
        "modified_at": ic.as_utc(modified) if modified else None,
        "sync_key": ic.text_of(event, ic.SYNC_KEY_PROP) or None,
    }


def _html_description(event: Event) -> str:
    alt = event.get("X-ALT-DESC")
    return str(alt) if alt is not None and "html" in str(alt.params.get("FMTTYPE", "")).lower() else ""


def _address(prop: Any) -> str:
    value = str(prop or "")
    return value[7:] if value.lower().startswith("mailto:") else value


def _attendees(event: Event) -> tuple[Attendee, ...]:
    raw = event.get("ATTENDEE")
    props = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return tuple(Attendee(email=_address(p), name=str(p.params.get("CN", "")),
                          response=PARTSTAT_TO_RESPONSE.get(str(p.params.get("PARTSTAT", "")).upper(), ResponseStatus.NONE),
                          required=str(p.params.get("ROLE", "")).upper() != "OPT-PARTICIPANT")
                 for p in props)


def _show_as(event: Event) -> ShowAs:
    busy = ic.text_of(event, "X-MICROSOFT-CDO-BUSYSTATUS").upper()
    if busy in BUSYSTATUS_TO_SHOW_AS:
        return BUSYSTATUS_TO_SHOW_AS[busy]
    return ShowAs.FREE if ic.text_of(event, "TRANSP").upper() == "TRANSPARENT" else ShowAs.BUSY


def _exceptions(master: Event, overrides: list[Event], item: CalendarItem) -> tuple[CalendarException, ...]:
    """EXDATEs and overrides as exceptions; unchanged override fields stay None (inherit)."""
    found: dict[datetime, CalendarException] = {rid: CalendarException(rid, cancelled=True) for rid in _exdates(master)}
    for override in overrides:
        rid = ic.as_utc(ic.decoded(override, "RECURRENCE-ID"))
        timing = _timing(override)
        start, end = timing.get("start"), timing.get("end")
        moved = start is not None and (start != rid or (item.start and item.end and end - start != item.end - item.start))
        subject, location = ic.text_of(override, "SUMMARY"), ic.text_of(override, "LOCATION")
        found[rid] = CalendarException(
            rid, cancelled=ic.text_of(override, "STATUS").upper() == "CANCELLED",
            start=start if moved else None, end=end if moved else None,
            subject=subject if subject != item.subject else None,
            location=location if location != item.location else None)
    return tuple(found[rid] for rid in sorted(found))


def _exdates(event: Event) -> list[datetime]:
    raw = event.get("EXDATE")
    lists = raw if isinstance(raw, list) else [raw] if raw is not None else []
    return [ic.as_utc(d.dt) for lst in lists for d in getattr(lst, "dts", [])]


def write_event(item: CalendarItem, existing: str | None, owner_addresses: frozenset[str] = frozenset()) -> str:
    """Render ``item`` into the existing resource (keeping unmapped properties) or a new one.

    The result never makes a scheduling server message anyone (``ical_scheduling``);
    ``owner_addresses`` (the calendar owner's addresses) tell the organizer's copy, whose
    SEQUENCE goes up on significant changes, from an attendee's.
    """
    calendar = ic.parse_calendar(existing) if existing else None
    calendar = calendar or ic.new_calendar()
    before = scheduling.significant_state(calendar) if existing else {}
    events = calendar.walk("VEVENT")
    master = next((e for e in events if "RECURRENCE-ID" not in e), None)
    if master is None:
        master = Event()
        calendar.add_component(master)
    _write_master(master, item)
    _write_exceptions(calendar, master, item)
    scheduling.complete_overrides(calendar)
    scheduling.client_scheduled(calendar, owner_addresses)
    scheduling.bump_sequences(calendar, before, owner_addresses)
    calendar.add_missing_timezones()
    return ic.serialise(calendar)


def _write_master(event: Event, item: CalendarItem) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    ic.replace_prop(event, "UID", item.uid)
    ic.replace_prop(event, "DTSTAMP", now)
    ic.replace_prop(event, "LAST-MODIFIED", now)
    _write_timing(event, item)
    ic.replace_prop(event, "RRULE", vRecur.from_ical(item.rrule.removeprefix("RRULE:")) if item.rrule else None)
    for name, value in (("SUMMARY", item.subject), ("LOCATION", item.location), ("DESCRIPTION", item.body_text)):
        ic.replace_prop(event, name, value)
    ic.replace_prop(event, "X-ALT-DESC", item.body_html, {"FMTTYPE": "text/html"})
    _write_organizer(event, item.organizer)
    _write_attendees(event, item.attendees)
    status = ic.text_of(event, "STATUS").upper()
    if item.cancelled or status == "CANCELLED":
        ic.replace_prop(event, "STATUS", "CANCELLED" if item.cancelled else "CONFIRMED")
    ic.replace_prop(event, "CLASS", "PRIVATE" if item.private else "PUBLIC")
    ic.set_categories(event, item.categories)
    ic.replace_prop(event, "TRANSP", "TRANSPARENT" if item.show_as is ShowAs.FREE else "OPAQUE")
    ic.replace_prop(event, "X-MICROSOFT-CDO-BUSYSTATUS", SHOW_AS_TO_BUSYSTATUS.get(item.show_as, "BUSY"))
    ic.replace_prop(event, ic.SYNC_KEY_PROP, item.sync_key)


def _write_timing(event: Event, item: CalendarItem) -> None:
    event.pop("DURATION", None)
    if item.all_day and item.start_date:
        ic.replace_prop(event, "DTSTART", item.start_date)
        ic.replace_prop(event, "DTEND", item.end_date or item.start_date + timedelta(days=1))
        return
    local = zone(item.timezone)
    start = (item.start or datetime.now(UTC)).astimezone(local)
    ic.replace_prop(event, "DTSTART", start)
    ic.replace_prop(event, "DTEND", (item.end or item.start or start).astimezone(local))


def _write_organizer(event: Event, organizer: str) -> None:
    """The same organizer keeps its property as is (CN, SENT-BY, …); another replaces it."""
    if organizer and scheduling.address(event.get("ORGANIZER")) == organizer.strip().lower():
        return
    ic.replace_prop(event, "ORGANIZER", vCalAddress(f"mailto:{organizer}") if organizer else None)


def _write_attendees(event: Event, attendees: tuple[Attendee, ...]) -> None:
    """Attendees from the item; one already there keeps the parameters the item does not carry
    (CUTYPE, RSVP, a DELEGATED or CHAIR the core reads as none/required)."""
    raw = event.get("ATTENDEE")
    earlier = {scheduling.address(p): p.params for p in (raw if isinstance(raw, list) else [raw] if raw else [])}
    event.pop("ATTENDEE", None)
    for attendee in attendees:
        params = dict(earlier.get(attendee.email.strip().lower(), {}))
        partstat = RESPONSE_TO_PARTSTAT.get(ResponseStatus(attendee.response))
        if partstat or "PARTSTAT" not in params:
            params["PARTSTAT"] = partstat or "NEEDS-ACTION"
        if not attendee.required or str(params.get("ROLE", "")).upper() in ("", "OPT-PARTICIPANT"):
            params["ROLE"] = "REQ-PARTICIPANT" if attendee.required else "OPT-PARTICIPANT"
        if attendee.name:
            params["CN"] = ic.clean_text(attendee.name)
        event.add("ATTENDEE", vCalAddress(f"mailto:{attendee.email}"), parameters=params)


def _write_exceptions(calendar: Calendar, master: Event, item: CalendarItem) -> None:
    """EXDATE for cancelled occurrences; exactly one override per modified occurrence."""
    as_value = _instance_value(item)
    master.pop("EXDATE", None)
    cancelled = [e.recurrence_id for e in item.exceptions if e.cancelled]
    if cancelled:
        master.add("EXDATE", [as_value(rid) for rid in sorted(cancelled)])
    existing = {ic.as_utc(ic.decoded(e, "RECURRENCE-ID")): e for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e}
    wanted = {e.recurrence_id: e for e in item.exceptions if not e.cancelled}
    for rid, component in existing.items():
        if rid not in wanted:
            calendar.subcomponents.remove(component)
    for rid, exception in wanted.items():
        override = existing.get(rid)
        if override is None:
            override = Event()
            calendar.add_component(override)
        _write_override(override, item, exception, as_value)


def _write_override(override: Event, item: CalendarItem, exception: CalendarException, as_value) -> None:
    duration = (item.end - item.start) if item.start and item.end else timedelta(0)
    if item.all_day:
        duration = (item.end_date - item.start_date) if item.start_date and item.end_date else timedelta(days=1)
    start = exception.start or as_value(exception.recurrence_id)
    ic.replace_prop(override, "UID", item.uid)
    ic.replace_prop(override, "DTSTAMP", datetime.now(UTC).replace(microsecond=0))
    ic.replace_prop(override, "RECURRENCE-ID", as_value(exception.recurrence_id))
    ic.replace_prop(override, "DTSTART", start if exception.start is None else exception.start.astimezone(zone(item.timezone)))
    end = exception.end.astimezone(zone(item.timezone)) if exception.end else start + duration
    ic.replace_prop(override, "DTEND", end)
    ic.replace_prop(override, "SUMMARY", exception.subject if exception.subject is not None else item.subject)
    ic.replace_prop(override, "LOCATION", exception.location if exception.location is not None else item.location)
    ic.replace_prop(override, "STATUS", "CONFIRMED")


def _instance_value(item: CalendarItem):
    """How this series writes an instance's original start: DATE for all-day, local time otherwise."""
    if item.all_day:
        return lambda rid: rid.astimezone(UTC).date()
    local = zone(item.timezone)
    return lambda rid: rid.astimezone(local)
