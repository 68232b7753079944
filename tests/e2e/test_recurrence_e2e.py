"""Recurring series through the whole product (API → worker → CalDAV on Radicale → Salesforce emulator):
the services inject the series expander and hand the user's time zone to the CalDAV reader, so an
ordinal-weekday series written in floating time lands at the owner's wall-clock time."""
from __future__ import annotations

from datetime import timedelta

from app.sync.transforms import parse_sf_datetime
from tests.e2e.helpers import NOW, dashboard, force_sync, sign_up
from tests.recurrence_corpus import reference, vcalendar

OWNER_ZONE = "America/New_York"


def test_floating_second_sunday_series_lands_at_the_owners_wall_clock_time(e2e, factory):
    ann = sign_up(e2e, factory, calendar_days_ahead=200)
    response = e2e.app.test_client().patch("/api/v1/me", json={"settings": {"timezone": OWNER_ZONE}},
                                           headers=ann.headers)
    assert response.status_code == 200, response.json
    first = (NOW + timedelta(days=1)).strftime("%Y%m%d")
    ics = vcalendar(f"""
UID:e2e-second-sunday
SUMMARY:Sunday maintenance
DTSTART:{first}T023000
DTEND:{first}T033000
RRULE:FREQ=MONTHLY;BYDAY=2SU;COUNT=4
""")
    put = ann.dav.session().put(f"{ann.dav.principal_url}calendar/e2e-second-sunday.ics", data=ics.encode(),
                                headers={"Content-Type": "text/calendar; charset=utf-8"})
    assert put.status_code in (201, 204), put.text
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    events = e2e.emu.records(ann.sf_org, "Event")
    got = sorted((parse_sf_datetime(e["StartDateTime"]), parse_sf_datetime(e["EndDateTime"])) for e in events)
    want = reference(ics, OWNER_ZONE, NOW - timedelta(days=14), NOW + timedelta(days=200))
    assert len(want) == 5   # DTSTART is always the first instance (RFC 5545), then COUNT=4 second Sundays
    assert [start for start, _ in got] == [start for start, _ in want]
    # RFC 5545 §3.8.5.3: every instance lasts exactly DTEND - DTSTART, even on the spring-gap Sunday
    assert {end - start for start, end in got} == {timedelta(hours=1)}
    assert {e["Subject"] for e in events} == {"Sunday maintenance"}


def test_a_series_the_product_cannot_expand_shows_on_the_dashboard_with_its_reason(e2e, factory):
    ann = sign_up(e2e, factory)
    start = (NOW + timedelta(days=1)).strftime("%Y%m%dT%H%M%SZ")
    ics = vcalendar(f"""
UID:e2e-hourly
SUMMARY:Sensor check
DTSTART:{start}
DURATION:PT10M
RRULE:FREQ=HOURLY
""")
    put = ann.dav.session().put(f"{ann.dav.principal_url}calendar/e2e-hourly.ics", data=ics.encode(),
                                headers={"Content-Type": "text/calendar; charset=utf-8"})
    assert put.status_code in (201, 204), put.text
    force_sync(ann)
    [latest] = dashboard(ann)["sessions"][:1]
    [error] = [e for e in latest["errors"] if e["code"] == "unsupported_recurrence"]
    assert "Sensor check" in error["reason"] and error["will_retry"] is False
    assert e2e.emu.records(ann.sf_org, "Event") == []
