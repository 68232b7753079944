"""Recurring series from real CalDAV servers (Radicale and Xandikos) reach the Salesforce emulator as
one Event per occurrence with the right start and end: DST crossings, ordinal BYDAY and BYSETPOS,
RDATE/EXDATE, overrides moved across days or into the window from outside it, floating times in the
owner's zone. Expected occurrences come from ``recurring_ical_events``, the reference."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.providers.salesforce.describe import describe
from app.providers.salesforce.org_schema import core_describe
from app.recurrence import RruleExpander
from app.sync import EVENT_MAPPING, FolderKind, SyncPolicy, SyncSession, SyncWindow, bind_mapping, run_sync
from app.sync.transforms import parse_sf_datetime
from tests.fakes.crm_memory import InMemoryCursorStore, InMemoryIdMapStore
from tests.providers.salesforce.conftest import SfWorld, make_world, sf_emulator, sf_runtime  # noqa: F401 (fixtures)
from tests.realservers.fixtures import LOOPBACK_POLICY
from tests.recurrence_corpus import (
    DST_GAP_DAILY,
    FLOATING_WEEKLY,
    GOOGLE_SECOND_TUESDAY,
    LAST_WEEKDAY_BYSETPOS,
    MOVED_IN_FROM_OUTSIDE,
    OUTLOOK_WEEKLY_DST,
    RDATE_AND_EXDATE,
    expected,
    vcalendar,
)

NOW = datetime(2026, 3, 20, 8, tzinfo=UTC)
WINDOW = SyncWindow(days_back=75, days_ahead=60)   # 4 Jan - 19 May 2026: the 15 Dec 2025 original is outside
LOW, HIGH = WINDOW.bounds(NOW)
# Radicale refuses PERIOD values (its vobject parser): the period RDATE is covered by the unit corpus.
RDATE_NO_PERIOD = (RDATE_AND_EXDATE[0].replace(", PERIOD RDATE", ""), RDATE_AND_EXDATE[1],
                   RDATE_AND_EXDATE[2].replace("RDATE;VALUE=PERIOD:20260320T080000Z/20260320T110000Z\n", ""))
SERIES = [OUTLOOK_WEEKLY_DST, GOOGLE_SECOND_TUESDAY, LAST_WEEKDAY_BYSETPOS, DST_GAP_DAILY, RDATE_NO_PERIOD,
          MOVED_IN_FROM_OUTSIDE, FLOATING_WEEKLY]


@dataclass
class Calendar:
    """One empty calendar collection on a real server, and how to PUT into it."""

    url: str
    collection: str
    session: object

    def put(self, name: str, ics: str) -> None:
        response = self.session.put(self.url.rstrip("/") + self.collection + name, data=ics.encode(),
                                    headers={"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status_code in (201, 204), response.text

    def clear(self, name: str) -> None:
        self.session.delete(self.url.rstrip("/") + self.collection + name)


@pytest.fixture
def org(request) -> SfWorld:
    """A fresh emulator org with its admin user (the Salesforce side)."""
    emulator = request.getfixturevalue("sf_emulator")
    return make_world(emulator, request.getfixturevalue("sf_runtime"))


@pytest.fixture(params=["radicale", "cyrus", "xandikos"])
def calendar(request) -> Calendar:
    """An empty calendar of a fresh user on each real server (Cyrus: the user's own ``Default``)."""
    if request.param in ("radicale", "cyrus"):
        account = request.getfixturevalue(f"{request.param}_server").create_user()
        if not account.has_collection("calendar"):
            account.make_calendar("calendar")
        return Calendar(account.base_url + "/", account.collection_path("calendar"), account.session())
    server = request.getfixturevalue("xandikos_server")
    return Calendar(server.base_url + "/", server.CALENDAR_PATH, server.account().session())


def mirror(world: SfWorld, calendar: Calendar, owner_zone: str):
    """One session of the real CalDAV port against the emulator org, as the services build it."""
    account = (calendar.session.auth or ("user", "unused"))
    port = build_mailbox({"caldav_url": calendar.url}, account[0], account[1],
                         MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY, timezone=owner_zone))
    session = SyncSession(world.org, "mbx", world.user, "ann@acme.test", owner_zone, NOW)
    policy = SyncPolicy(window=WINDOW, series_expander=RruleExpander())
    mapping = bind_mapping(EVENT_MAPPING, core_describe(describe(world.client(), "Event")))
    try:
        return run_sync(session, port, SalesforceCrmPort(world.client(), world.user), mirror.id_map, mirror.cursors,
                        policy, [mapping])
    finally:
        port.close()


def salesforce_spans(world: SfWorld) -> list[tuple[datetime, datetime]]:
    events = world.emu.records(world.org, "Event")
    return sorted((parse_sf_datetime(e["StartDateTime"]), parse_sf_datetime(e["EndDateTime"])) for e in events)


@pytest.fixture
def stores():
    mirror.id_map, mirror.cursors = InMemoryIdMapStore(), InMemoryCursorStore()


@pytest.mark.parametrize(("name", "owner_zone", "ics"), SERIES, ids=[s[0] for s in SERIES])
def test_series_reaches_salesforce_with_the_reference_occurrences(org, calendar, stores, name, owner_zone, ics):
    resource = f"series-{secrets.token_hex(4)}.ics"
    calendar.put(resource, ics.replace("\nUID:", f"\nUID:{resource}-"))
    try:
        outcome = mirror(org, calendar, owner_zone)
        assert outcome.errors == ()
        want = expected(name, owner_zone, ics, LOW, HIGH)
        assert want and salesforce_spans(org) == want
        assert all(end > start for start, end in salesforce_spans(org))
        again = mirror(org, calendar, owner_zone).counts.get(FolderKind.CALENDAR)
        assert again is None or (again.created, again.updated, again.deleted) == (0, 0, 0)
    finally:
        calendar.clear(resource)


def test_a_series_the_product_cannot_expand_is_a_per_item_error_and_no_event(org, calendar, stores):
    resource = f"hourly-{secrets.token_hex(4)}.ics"
    calendar.put(resource, vcalendar(f"""
UID:{resource}
SUMMARY:Sensor check
DTSTART;TZID=Europe/Berlin:20260320T090000
DTEND;TZID=Europe/Berlin:20260320T091000
RRULE:FREQ=HOURLY
"""))
    try:
        outcome = mirror(org, calendar, "UTC")
        [error] = outcome.errors
        assert error.code == "unsupported_recurrence" and not error.retried
        assert "Sensor check" in error.message and "occurrences in the sync window" in error.message
        assert org.emu.records(org.org, "Event") == []
    finally:
        calendar.clear(resource)


def test_an_override_moved_to_another_day_keeps_its_event_when_moved_again(org, calendar, stores):
    name, owner_zone, ics = OUTLOOK_WEEKLY_DST
    resource = f"moved-{secrets.token_hex(4)}.ics"
    calendar.put(resource, ics)
    try:
        mirror(org, calendar, owner_zone)
        before = {e["Id"] for e in org.emu.records(org.org, "Event")}
        calendar.put(resource, ics.replace("DTSTART;TZID=W. Europe Standard Time:20260401T150000",
                                           "DTSTART;TZID=W. Europe Standard Time:20260402T080000")
                     .replace("DTEND;TZID=W. Europe Standard Time:20260401T160000",
                              "DTEND;TZID=W. Europe Standard Time:20260402T090000"))
        mirror(org, calendar, owner_zone)
        events = org.emu.records(org.org, "Event")
        assert {e["Id"] for e in events} == before
        [moved] = [e for e in events if e["Subject"] == "Pipeline review (moved)"]
        assert parse_sf_datetime(moved["StartDateTime"]) == datetime(2026, 4, 2, 6, tzinfo=UTC)
        assert parse_sf_datetime(moved["EndDateTime"]) - parse_sf_datetime(moved["StartDateTime"]) == timedelta(hours=1)
    finally:
        calendar.clear(resource)
