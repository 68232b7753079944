"""VEVENT resources ⇄ the core's CalendarItem: one resource holds a series master and its
RECURRENCE-ID overrides; cancelled occurrences are EXDATEs (or STATUS:CANCELLED overrides).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

from icalendar import Calendar, Component, Event, vCalAddress, vRecur

from app.providers.imap_dav import ical_common as ic
from app.providers.imap_dav import ical_scheduling as scheduling
from app.providers.imap_dav.timezones import iana_zone_name, zone
from app.sync.items import Attendee, CalendarException, CalendarItem, ResponseStatus, ShowAs
from app.sync.recurrence import nominal_end, series_length

PARTSTAT_TO_RESPONSE = {"ACCEPTED": ResponseStatus.ACCEPTED, "TENTATIVE": ResponseStatus.TENTATIVE,
                        "DECLINED": ResponseStatus.DECLINED}
RESPONSE_TO_PARTSTAT = {v: k for k, v in PARTSTAT_TO_RESPONSE.items()}
BUSYSTATUS_TO_SHOW_AS = {"FREE": ShowAs.FREE, "TENTATIVE": ShowAs.TENTATIVE, "BUSY": ShowAs.BUSY,
                         "OOF": ShowAs.OUT_OF_OFFICE, "WORKINGELSEWHERE": ShowAs.WORKING_ELSEWHERE}
SHOW_AS_TO_BUSYSTATUS = {v: k for k, v in BUSYSTATUS_TO_SHOW_AS.items()}
PRIVATE_CLASSES = frozenset({"PRIVATE", "CONFIDENTIAL"})


def read_event(href: str, etag: str, data: str, floating: str = "UTC") -> CalendarItem | None:
    """The series (or single event) in this resource; None when it holds no VEVENT.

    ``floating`` is the mailbox owner's IANA zone: the zone of times with neither TZID nor Z.
    """
    calendar = ic.parse_calendar(data)
    events = calendar.walk("VEVENT") if calendar is not None else []
    if not events:
        return None
    masters = [e for e in events if "RECURRENCE-ID" not in e]
    master = masters[0] if masters else events[0]
    overrides = [e for e in events if e is not master and "RECURRENCE-ID" in e]
    item = CalendarItem(item_id=href, uid=ic.text_of(master, "UID"), version=etag, **_timing(master, floating),
                        **_details(master))
    rdates, periods = _rdates(master, item, floating)
    exceptions = _exceptions(master, overrides, item, floating, periods)
    return replace(item, rdates=rdates, exceptions=exceptions) if rdates or exceptions else item


def _timing(event: Event, floating: str) -> dict[str, Any]:
    """All-day or timed span; a missing or non-positive end follows RFC 5545 §3.6.1 (one day for a
    DATE start, the start itself for a DATE-TIME), DURATION's days are nominal (wall-clock) days."""
    start = ic.decoded_time(event, "DTSTART", floating)
    if not isinstance(start, date):
        return {}
    end = ic.decoded_time(event, "DTEND", floating)
    end = end if isinstance(end, date) else None
    duration = ic.decoded(event, "DURATION")
    duration = duration if isinstance(duration, timedelta) else None
    if not isinstance(start, datetime):
        return {"all_day": True, "start_date": start, "end_date": _day_end(start, end, duration)}
    if _outlook_all_day(event, start, end):  # midnight to midnight, flagged all-day by Outlook/Exchange
        assert isinstance(end, datetime)
        return {"all_day": True, "start_date": start.date(), "end_date": _day_end(start.date(), end.date(), None)}
    name = iana_zone_name(start.tzinfo, start)
    local = zone(name)
    start = start.astimezone(local)
    nominal = duration if end is None and duration is not None and duration.days > 0 else None
    return {"start": start, "end": _timed_end(start, end, duration, local), "timezone": name,
            "nominal_duration": nominal}


def _outlook_all_day(event: Event, start: datetime, end: date | datetime | None) -> bool:
    midnight = time()
    return ic.text_of(event, "X-MICROSOFT-CDO-ALLDAYEVENT").upper() == "TRUE" and start.time() == midnight and \
        isinstance(end, datetime) and end.time() == midnight


def _day_end(start: date, end: date | datetime | None, duration: timedelta | None) -> date:
    if isinstance(end, datetime):  # a DATE-TIME end on a DATE start: the day it falls in, exclusive
        end = end.date() + (timedelta(days=1) if end.time() != time() else timedelta(0))
    elif end is None and duration is not None:
        end = start + timedelta(days=duration.days + (1 if duration.seconds else 0))
    return end if end is not None and end > start else start + timedelta(days=1)


def _timed_end(start: datetime, end: date | datetime | None, duration: timedelta | None, local: tzinfo) -> datetime:
    if isinstance(end, datetime):
        candidate = end.astimezone(local)
    elif isinstance(end, date):
        candidate = datetime.combine(end, time(), local)
    elif duration is not None:
        candidate = nominal_end(start, duration)
    else:
        candidate = start
    return candidate if candidate >= start else start


def _details(event: Event) -> dict[str, Any]:
    modified = ic.decoded(event, "LAST-MODIFIED") or ic.decoded(event, "DTSTAMP")
    return {
        "subject": ic.text_of(event, "SUMMARY"), "location": ic.text_of(event, "LOCATION"),
        "body_text": ic.text_of(event, "DESCRIPTION"), "body_html": _html_description(event),
        "organizer": _address(event.get("ORGANIZER")), "attendees": _attendees(event),
        "rrule": rule_text(event),
        "cancelled": ic.text_of(event, "STATUS").upper() == "CANCELLED",
        "private": ic.text_of(event, "CLASS").upper() in PRIVATE_CLASSES,
        "categories": ic.categories_of(event), "show_as": _show_as(event),
        "modified_at": ic.as_utc(modified) if modified else None,
        "sync_key": ic.text_of(event, ic.SYNC_KEY_PROP) or None,
    }


def rule_text(event: Component) -> str | None:
    """The RRULE as ``FREQ=…``; a rare second RRULE follows on an ``RRULE:`` line so the expander
    honours it. EXRULE, removed by RFC 5545 (Appendix A.3), is ignored as the reference does."""
    lines = [f"RRULE:{rule.to_ical().decode('ascii')}" for rule in _props(event, "RRULE")]
    return "\n".join(lines).removeprefix("RRULE:") or None


def _props(event: Component, name: str) -> list[Any]:
    raw = event.get(name)
    return raw if isinstance(raw, list) else [raw] if raw is not None else []


def _write_rules(event: Component, text: str | None) -> None:
    if rule_text(event) == text:
        return  # unchanged: leave the properties exactly as the client wrote them
    event.pop("RRULE", None)
    for line in (text or "").splitlines():
        event.add("RRULE", vRecur.from_ical(line.removeprefix("RRULE:")))


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


def _exceptions(master: Event, overrides: list[Event], item: CalendarItem, floating: str,
                periods: list[CalendarException]) -> tuple[CalendarException, ...]:
    """EXDATEs, PERIOD RDATEs and overrides as exceptions; unchanged override fields stay None (inherit)."""
    found: dict[datetime, CalendarException] = {e.recurrence_id: e for e in periods}
    found.update({_instance_id(v, item): CalendarException(_instance_id(v, item), cancelled=True)
                  for v in ic.time_list(master, "EXDATE", floating) if not isinstance(v, tuple)})
    length = series_length(item) if item.all_day or (item.start and item.end) else timedelta(0)
    for override in overrides:
        original = ic.decoded_time(override, "RECURRENCE-ID", floating)
        if not isinstance(original, date):
            continue  # unreadable RECURRENCE-ID: the occurrence keeps the series' values
        rid = _instance_id(original, item)
        start, end = _span(_timing(override, floating))
        moved = start is not None and end is not None and (start != rid or end - start != length)
        subject, location = ic.text_of(override, "SUMMARY"), ic.text_of(override, "LOCATION")
        found[rid] = CalendarException(
            rid, cancelled=ic.text_of(override, "STATUS").upper() == "CANCELLED",
            start=start if moved else None, end=end if moved else None,
            subject=subject if subject != item.subject else None,
            location=location if location != item.location else None,
            this_and_future=str(override["RECURRENCE-ID"].params.get("RANGE", "")).upper() == "THISANDFUTURE")
    return tuple(found[rid] for rid in sorted(found))


def _instance_id(value: date | datetime, item: CalendarItem) -> datetime:
    """An EXDATE or RECURRENCE-ID as the core's recurrence id. A value type that does not match the
    series' DTSTART (a DATE on a timed series, a DATE-TIME on an all-day one) names that day's instance."""
    if item.all_day and isinstance(value, datetime):
        return ic.as_utc(value.date())
    if not item.all_day and not isinstance(value, datetime) and item.start is not None:
        local = zone(item.timezone)
        return ic.as_utc(datetime.combine(value, item.start.astimezone(local).time()).replace(tzinfo=local))
    return ic.as_utc(value)


def _rdate_instant(value: date | datetime, item: CalendarItem) -> datetime:
    """An RDATE's start: a DATE added to a timed series starts at that day's local midnight (as the
    reference, recurring_ical_events, reads it); otherwise like a recurrence id."""
    if not item.all_day and not isinstance(value, datetime):
        local = zone(item.timezone)
        return ic.as_utc(datetime.combine(value, time()).replace(tzinfo=local))
    return _instance_id(value, item)


def _span(timing: dict[str, Any]) -> tuple[datetime | None, datetime | None]:
    """An override's start and end as instants; all-day days at midnight UTC, like their recurrence ids."""
    if timing.get("all_day"):
        return ic.as_utc(timing["start_date"]), ic.as_utc(timing["end_date"])
    return timing.get("start"), timing.get("end")


def _rdates(master: Component, item: CalendarItem, floating: str) -> tuple[tuple[datetime, ...], list[CalendarException]]:
    """RDATE instants; a PERIOD whose length differs from the series' is that occurrence's own span."""
    instants: list[datetime] = []
    periods: list[CalendarException] = []
    length = series_length(item) if item.all_day or (item.start and item.end) else timedelta(0)
    local = zone(item.timezone)
    for value in ic.time_list(master, "RDATE", floating):
        begin, end = value if isinstance(value, tuple) else (value, None)
        instants.append(_rdate_instant(begin, item))
        if end is not None and end - begin != length:
            periods.append(CalendarException(ic.as_utc(begin), start=begin.astimezone(local), end=end.astimezone(local)))
    return tuple(sorted(set(instants))), periods


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
    as_value = _instance_value(item, floating=_is_floating(master))
    _write_master(master, item, as_value)
    _write_exceptions(calendar, master, item, as_value)
    scheduling.complete_overrides(calendar)
    scheduling.client_scheduled(calendar, owner_addresses)
    scheduling.bump_sequences(calendar, before, owner_addresses)
    calendar.add_missing_timezones()
    return ic.serialise(calendar)


def _is_floating(event: Component) -> bool:
    """A series written in floating time (no TZID, no Z) keeps being written so: no drift to a zone."""
    start = ic.decoded(event, "DTSTART")
    return isinstance(start, datetime) and start.tzinfo is None and "TZID" not in event["DTSTART"].params


def _write_master(event: Event, item: CalendarItem, as_value: Callable[[datetime], Any]) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    ic.replace_prop(event, "UID", item.uid)
    ic.replace_prop(event, "DTSTAMP", now)
    ic.replace_prop(event, "LAST-MODIFIED", now)
    _write_timing(event, item, as_value)
    _write_rules(event, item.rrule)
    _write_rdates(event, item, as_value)
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


def _write_timing(event: Event, item: CalendarItem, as_value: Callable[[datetime], Any]) -> None:
    event.pop("DURATION", None)
    if item.all_day and item.start_date:
        ic.replace_prop(event, "DTSTART", item.start_date)
        ic.replace_prop(event, "DTEND", item.end_date or item.start_date + timedelta(days=1))
        return
    start = item.start or datetime.now(UTC)
    end = item.end if item.end is not None and item.end >= start else start
    ic.replace_prop(event, "DTSTART", as_value(start))
    if item.nominal_duration is not None and nominal_end(start, item.nominal_duration) == end:
        event.pop("DTEND", None)  # a series given by DURATION keeps it: its days stay nominal
        ic.replace_prop(event, "DURATION", item.nominal_duration)
    else:
        ic.replace_prop(event, "DTEND", as_value(end))


def _write_rdates(event: Event, item: CalendarItem, as_value: Callable[[datetime], Any]) -> None:
    """RDATEs are rewritten only when they changed, so PERIOD values and their TZID survive."""
    current = {_rdate_instant(v[0] if isinstance(v, tuple) else v, item) for v in ic.time_list(event, "RDATE", item.timezone)}
    if current != set(item.rdates):
        event.pop("RDATE", None)
        if item.rdates:
            event.add("RDATE", [as_value(r) for r in sorted(item.rdates)])


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


def _write_exceptions(calendar: Calendar, master: Event, item: CalendarItem,
                      as_value: Callable[[datetime], Any]) -> None:
    """EXDATE for cancelled occurrences; exactly one override per modified occurrence."""
    master.pop("EXDATE", None)
    cancelled = [e.recurrence_id for e in item.exceptions if e.cancelled]
    if cancelled:
        master.add("EXDATE", [as_value(rid) for rid in sorted(cancelled)])
    existing = {_instance_id(ic.decoded_time(e, "RECURRENCE-ID", item.timezone), item): e
                for e in calendar.walk("VEVENT") if "RECURRENCE-ID" in e}
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


def _write_override(override: Event, item: CalendarItem, exception: CalendarException,
                    as_value: Callable[[datetime], Any]) -> None:
    length = series_length(item) if item.all_day or (item.start and item.end) else timedelta(0)
    start = exception.start or exception.recurrence_id
    end = exception.end if exception.start is not None and exception.end is not None else start + length
    ic.replace_prop(override, "UID", item.uid)
    ic.replace_prop(override, "DTSTAMP", datetime.now(UTC).replace(microsecond=0))
    ic.replace_prop(override, "RECURRENCE-ID", as_value(exception.recurrence_id),
                    {"RANGE": "THISANDFUTURE"} if exception.this_and_future else None)
    ic.replace_prop(override, "DTSTART", as_value(start))
    ic.replace_prop(override, "DTEND", as_value(max(end, start)))
    ic.replace_prop(override, "SUMMARY", exception.subject if exception.subject is not None else item.subject)
    ic.replace_prop(override, "LOCATION", exception.location if exception.location is not None else item.location)
    ic.replace_prop(override, "STATUS", "CONFIRMED")


def _instance_value(item: CalendarItem, floating: bool = False) -> Callable[[datetime], Any]:
    """How this series writes an instant: DATE for all-day, its zone's local time (naive when the
    resource is in floating time) otherwise."""
    if item.all_day:
        return lambda instant: instant.astimezone(UTC).date()
    local = zone(item.timezone)
    if floating:
        return lambda instant: instant.astimezone(local).replace(tzinfo=None)
    return lambda instant: instant.astimezone(local)
