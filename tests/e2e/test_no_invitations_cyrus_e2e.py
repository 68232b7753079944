"""No invitation spam: what a sync session writes into a calendar on a server with RFC 6638
implicit scheduling (Cyrus, the server Fastmail runs) makes that server send nothing.

Each step is a real session (the session runner with the product's own ports) between the
Salesforce emulator and Cyrus. Cyrus's outgoing iMIP is captured and the local attendee's
scheduling Inbox is read; each test's control step shows the same counters move for a plain
calendar client's write, so a zero is a real zero.
"""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar

from app import create_app
from app.models import Mailbox
from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.salesforce.connect import connect_org
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from app.sync.items import FolderKind
from app.sync.transforms import parse_sf_datetime
from tests.conftest import _clean, emulator_overrides, make_test_config
from tests.factories import Factory
from tests.realservers.cyrus import CyrusAccount, CyrusServer, imip_method
from tests.realservers.fixtures import LOOPBACK_MAIL_HOSTS, LOOPBACK_POLICY

STAMP = "%Y%m%dT%H%M%SZ"
START = (datetime.now(UTC) + timedelta(days=3)).replace(hour=9, minute=0, second=0, microsecond=0)
CAROL = "carol@client.test"  # not a Cyrus user: she gets iMIP mail


@dataclass
class World:
    """Ann's Syncline user and org, her Cyrus calendar (alice) and a colleague on Cyrus (bob)."""

    app: object
    emu: object
    cyrus: CyrusServer
    alice: CyrusAccount
    bob: CyrusAccount
    sf_org: str
    org_pk: int
    mailbox_id: int
    mail_before: int = 0  # the server's iMIP count when this test began (bob is new in each test)

    def sync(self) -> None:
        status = run_session(self.app.extensions["syncline"], self.mailbox_id, "forced", default_ports)
        assert status == "succeeded", status

    def sent(self) -> list[str]:
        """Every scheduling message so far: iMIP methods, then what bob's Inbox holds."""
        mail = self.cyrus.imip_messages()[self.mail_before:]
        return [imip_method(m) for m in mail] + [f"inbox:{_method(t)}" for t in self.bob.inbox()]

    def put(self, name: str, text: str) -> None:
        """Alice's own calendar app saving an event (the server schedules as it should)."""
        response = self.alice.session().put(self._url(name), data=text.encode(),
                                            headers={"Content-Type": "text/calendar; charset=utf-8"})
        assert response.status_code in (201, 204), response.text

    def get(self, name: str) -> Calendar | None:
        response = self.alice.session().get(self._url(name))
        return None if response.status_code == 404 else Calendar.from_ical(response.content)

    def events(self) -> list[dict]:
        return sorted(self.emu.records(self.sf_org, "Event"), key=lambda e: e["StartDateTime"])

    def salesforce(self, method: str, event_id: str, **values) -> None:
        """The user editing (PATCH) or deleting the Event in Salesforce."""
        client = connect_org(self.app.extensions["syncline"], self.org_pk)
        client.restful(f"sobjects/Event/{event_id}", method, json=values or None)

    def subjects(self) -> list[str]:
        """What alice's calendar holds, read through the product's own port."""
        port = build_mailbox({"caldav_url": self.cyrus.base_url + "/"}, self.alice.username, self.alice.password,
                             MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
        try:
            return [i.subject for i in port.changes_since(FolderKind.CALENDAR, None).items]
        finally:
            port.close()

    def _url(self, name: str) -> str:
        return self.alice.base_url + self.alice.collection_path("calendar") + name


@pytest.fixture
def world(tmp_path, migrated_databases, redis_url, salesforce_emulator, cyrus_server) -> Iterator[World]:
    app = create_app(make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url,
                                      **emulator_overrides(salesforce_emulator), allowed_mail_hosts=LOOPBACK_MAIL_HOSTS))
    _clean(app)
    factory = Factory(app)
    user, sf_org, _ = factory.salesforce_user(salesforce_emulator)
    alice, bob = cyrus_server.create_user("alice"), cyrus_server.create_user("bob")
    url = cyrus_server.base_url + "/"
    mailbox = factory.mailbox(user, "imap", {"caldav_url": url, "carddav_url": url}, password=alice.password)
    with app.extensions["syncline"].db.session_scope() as s:
        s.get(Mailbox, mailbox.id).username = alice.username
    yield World(app, salesforce_emulator, cyrus_server, alice, bob, sf_org, user.org_id, mailbox.id,
                len(cyrus_server.imip_messages()))
    app.extensions["syncline"].db.dispose()


def meeting(uid: str, organizer: str, attendees: dict[str, str], start: datetime = START, sequence: int = 0,
            rrule: str = "") -> str:
    """A meeting as a calendar app writes it; ``attendees``: address → PARTSTAT."""
    people = "".join(f"ATTENDEE;CN={a.split('@')[0]};PARTSTAT={p};RSVP=TRUE:mailto:{a}\r\n" for a, p in attendees.items())
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//client//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{uid}\r\nDTSTAMP:{START.strftime(STAMP)}\r\nSEQUENCE:{sequence}\r\n"
            f"DTSTART:{start.strftime(STAMP)}\r\nDTEND:{(start + timedelta(hours=1)).strftime(STAMP)}\r\n"
            + (f"RRULE:{rrule}\r\n" if rrule else "") +
            f"SUMMARY:Pricing call\r\nLOCATION:Room 7\r\nORGANIZER;CN=Org:mailto:{organizer}\r\n{people}"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")


def test_meeting_the_user_organised_edited_moved_and_deleted_in_salesforce_sends_nothing(world):
    uid = f"organised-{secrets.token_hex(3)}"
    world.put(f"{uid}.ics", meeting(uid, world.alice.address, {world.alice.address: "ACCEPTED",
                                                               world.bob.address: "NEEDS-ACTION",
                                                               CAROL: "NEEDS-ACTION"}))
    invited = world.sent()
    assert invited == ["REQUEST", "inbox:REQUEST"]  # control: a client's PUT does make Cyrus send

    world.sync()
    [event] = world.events()
    assert event["Subject"] == "Pricing call"
    world.salesforce("PATCH", event["Id"], Subject="Pricing call (agenda)")
    world.sync()
    assert world.sent() == invited
    copy = world.get(f"{uid}.ics").walk("VEVENT")[0]
    assert str(copy["SUMMARY"]) == "Pricing call (agenda)"
    assert int(copy.get("SEQUENCE", 0)) == 0  # not a significant change (RFC 5546 2.1.4)

    later = START + timedelta(hours=2)
    world.salesforce("PATCH", event["Id"], StartDateTime=later.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                     EndDateTime=(later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))
    world.sync()
    assert world.sent() == invited
    copy = world.get(f"{uid}.ics").walk("VEVENT")[0]
    assert copy.decoded("DTSTART") == later and int(copy["SEQUENCE"]) == 1  # the organizer's copy: revised
    assert {str(a.params["SCHEDULE-AGENT"]) for a in copy["ATTENDEE"]} == {"CLIENT"}

    world.salesforce("DELETE", event["Id"])
    world.sync()
    assert world.get(f"{uid}.ics") is None
    assert world.sent() == invited


def test_attendee_copy_edited_and_deleted_in_salesforce_sends_no_reply(world):
    uid = f"invited-{secrets.token_hex(3)}"
    world.put(f"{uid}.ics", meeting(uid, CAROL, {CAROL: "ACCEPTED", world.alice.address: "ACCEPTED"}, sequence=2))
    replied = world.sent()
    assert replied == ["REPLY"]  # control: accepting in a client's PUT makes Cyrus reply to the organizer

    world.sync()
    [event] = world.events()
    later = START + timedelta(hours=1)
    world.salesforce("PATCH", event["Id"], Subject="Pricing call (prep)",
                     StartDateTime=later.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                     EndDateTime=(later + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))
    world.sync()
    assert world.sent() == replied
    copy = world.get(f"{uid}.ics").walk("VEVENT")[0]
    assert str(copy["SUMMARY"]) == "Pricing call (prep)"
    assert int(copy["SEQUENCE"]) == 2  # the organizer's number: an attendee never revises it

    world.salesforce("DELETE", event["Id"])
    world.sync()
    assert world.get(f"{uid}.ics") is None
    assert world.sent() == replied  # no DECLINED reply either


def test_event_created_in_salesforce_and_series_exceptions_send_nothing(world):
    uid = f"weekly-{secrets.token_hex(3)}"
    world.put(f"{uid}.ics", meeting(uid, world.alice.address, {world.alice.address: "ACCEPTED",
                                                               world.bob.address: "NEEDS-ACTION",
                                                               CAROL: "NEEDS-ACTION"}, rrule="FREQ=WEEKLY;COUNT=4"))
    invited = world.sent()
    assert invited == ["REQUEST", "inbox:REQUEST"]
    world.emu.insert(world.sf_org, "Event", {"Subject": "Demo from Salesforce",
                                             "StartDateTime": (START + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                                             "EndDateTime": (START + timedelta(days=1, hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")})
    world.sync()
    assert "Demo from Salesforce" in world.subjects()  # the create reached the calendar, silently
    assert world.sent() == invited

    occurrences = [e for e in world.events() if e["Subject"] == "Pricing call"]
    assert len(occurrences) >= 3, world.events()
    second, third = occurrences[1], occurrences[2]
    moved = parse_sf_datetime(second["StartDateTime"]) + timedelta(hours=3)
    world.salesforce("PATCH", second["Id"], StartDateTime=moved.strftime("%Y-%m-%dT%H:%M:%S.000+0000"),
                     EndDateTime=(moved + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.000+0000"))
    world.salesforce("DELETE", third["Id"])
    world.sync()
    series = world.get(f"{uid}.ics").walk("VEVENT")
    overrides = [e for e in series if "RECURRENCE-ID" in e]
    assert [e.decoded("DTSTART") for e in overrides] == [moved]
    assert "EXDATE" in next(e for e in series if "RECURRENCE-ID" not in e)
    assert world.sent() == invited


def _method(text: str) -> str:
    return str(Calendar.from_ical(text).get("METHOD", ""))
