"""The port's calendar writes on a server with RFC 6638 implicit scheduling (Cyrus): silent for
meetings the server itself scheduled, attendee details kept, SEQUENCE only where the organizer
revised, and the ETag Cyrus leaves out of a scheduling PUT read back instead."""
from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest

from app.providers.imap_dav import build_mailbox
from app.sync.items import Attendee, CalendarItem, FolderKind, ResponseStatus, occurrence_id
from app.sync.ports import ItemPatch
from tests.integration.imap_dav.conftest import PLAINTEXT_FOR_TESTS
from tests.integration.imap_dav.dav_client import get_raw, put_raw, vevents
from tests.realservers.cyrus import imip_method

CAL = FolderKind.CALENDAR
START = (datetime.now(UTC) + timedelta(days=5)).replace(hour=9, minute=0, second=0, microsecond=0)
STAMP = "%Y%m%dT%H%M%SZ"


@pytest.fixture
def people(cyrus_server):
    """alice (the mailbox), bob (a colleague on the same server) and the server's sent count so far."""
    alice, bob = cyrus_server.create_user("alice"), cyrus_server.create_user("bob")
    url = cyrus_server.base_url + "/"
    mailbox = build_mailbox({"caldav_url": url}, alice.username, alice.password, PLAINTEXT_FOR_TESTS)
    yield alice, bob, mailbox, len(cyrus_server.imip_messages())
    mailbox.close()


def sent(cyrus_server, bob, before: int) -> list[str]:
    mail = cyrus_server.imip_messages()[before:]
    return [imip_method(m) for m in mail] + ["inbox"] * len(bob.inbox())


def meeting(uid: str, organizer: str, attendees: str, sequence: int = 0) -> str:
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//client//EN\nBEGIN:VEVENT\n"
            f"UID:{uid}\nDTSTAMP:{START.strftime(STAMP)}\nSEQUENCE:{sequence}\nDTSTART:{START.strftime(STAMP)}\n"
            f"DTEND:{(START + timedelta(hours=1)).strftime(STAMP)}\nRRULE:FREQ=DAILY;COUNT=3\nSUMMARY:Review\n"
            f"ORGANIZER;CN=The Organizer:mailto:{organizer}\n{attendees}END:VEVENT\nEND:VCALENDAR\n")


def test_editing_a_meeting_the_server_scheduled_is_silent_and_keeps_attendee_details(cyrus_server, people):
    alice, bob, mailbox, before = people
    path = put_raw(alice, "calendar", "review.ics", meeting(
        f"review-{secrets.token_hex(3)}", alice.address,
        f"ATTENDEE;CN=Bob;CUTYPE=INDIVIDUAL;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:{bob.address}\n"
        "ATTENDEE;CN=Carol;ROLE=CHAIR;RSVP=TRUE;PARTSTAT=NEEDS-ACTION:mailto:carol@client.test\n"))
    invited = sent(cyrus_server, bob, before)
    assert invited == ["REQUEST", "inbox"]  # control: the client's PUT was scheduled
    second = occurrence_id(path, START + timedelta(days=1))
    third = occurrence_id(path, START + timedelta(days=2))
    assert mailbox.update_items(CAL, [ItemPatch(path, {"subject": "Review (v2)"})])[0].ok
    assert mailbox.update_items(CAL, [ItemPatch(second, {"start": START + timedelta(days=1, hours=2),
                                                         "end": START + timedelta(days=1, hours=3)})])[0].ok
    assert mailbox.delete_items(CAL, [third])[0].ok
    assert sent(cyrus_server, bob, before) == invited
    events = vevents(get_raw(alice, path))
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    bob_prop = next(a for a in master["ATTENDEE"] if bob.address in str(a))
    carol_prop = next(a for a in master["ATTENDEE"] if "carol" in str(a))
    assert (bob_prop.params["CUTYPE"], bob_prop.params["RSVP"], bob_prop.params["SCHEDULE-AGENT"]) == (
        "INDIVIDUAL", "TRUE", "CLIENT")
    assert carol_prop.params["ROLE"] == "CHAIR" and "SCHEDULE-STATUS" not in carol_prop.params
    assert master["ORGANIZER"].params["CN"] == "The Organizer"
    [override] = [e for e in events if "RECURRENCE-ID" in e]  # the moved occurrence: same meeting, same people
    assert str(override["ORGANIZER"]).endswith(alice.address) and len(override["ATTENDEE"]) == 2
    assert {a.params["SCHEDULE-AGENT"] for a in override["ATTENDEE"]} == {"CLIENT"}
    assert "SCHEDULE-AGENT" not in override["ORGANIZER"].params  # alice's own copy: nothing to say there
    assert mailbox.delete_items(CAL, [path])[0].ok
    assert sent(cyrus_server, bob, before) == invited


def test_sequence_moves_only_in_the_organizers_copy_and_only_on_significant_changes(cyrus_server, people):
    alice, bob, mailbox, before = people
    own = put_raw(alice, "calendar", "own.ics", meeting(f"own-{secrets.token_hex(3)}", alice.address,
                                                         f"ATTENDEE:mailto:{bob.address}\n", sequence=4))
    invited = put_raw(alice, "calendar", "invited.ics", meeting(
        f"invited-{secrets.token_hex(3)}", "carol@client.test",
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{alice.address}\n", sequence=7))
    control = sent(cyrus_server, bob, before)
    later = {"start": START + timedelta(hours=1), "end": START + timedelta(hours=2)}
    for path, changes in ((own, {"location": "Room 2"}), (own, later), (invited, {"subject": "x"}), (invited, later)):
        assert mailbox.update_items(CAL, [ItemPatch(path, changes)])[0].ok
    sequence = {p: int(vevents(get_raw(alice, p))[0]["SEQUENCE"]) for p in (own, invited)}
    assert sequence == {own: 5, invited: 7}  # a location edit is no revision; an attendee never revises
    assert vevents(get_raw(alice, invited))[0]["ORGANIZER"].params["SCHEDULE-AGENT"] == "CLIENT"  # no REPLY
    assert sent(cyrus_server, bob, before) == control
    assert mailbox.folders[CAL].client.collection.owner_addresses == frozenset({alice.address})


def test_version_after_a_scheduling_put_is_the_stored_etag(cyrus_server, people):
    alice, bob, mailbox, before = people
    item = CalendarItem(item_id="", uid="", subject="Kick-off", start=START, end=START + timedelta(hours=1),
                        timezone="UTC", organizer=alice.address, sync_key=f"k{secrets.token_hex(3)}",
                        attendees=(Attendee(bob.address, "Bob", ResponseStatus.NONE),))
    created = mailbox.create_items(CAL, [item])[0]
    assert created.ok and created.version == mailbox.get_items(CAL, [created.target_id])[0].version
    updated = mailbox.update_items(CAL, [ItemPatch(created.target_id, {"subject": "Kick-off (moved)"})])[0]
    assert updated.ok and updated.version == mailbox.get_items(CAL, [created.target_id])[0].version
    assert sent(cyrus_server, bob, before) == []


def test_own_event_sequence_counts_revisions_of_time_only(dav_account, dav_mailbox):
    """On every server: the owner's own event (no ORGANIZER) is revised by a move, not by a rename."""
    item = CalendarItem(item_id="", uid="", subject="Focus", start=START, end=START + timedelta(hours=1),
                        timezone="Europe/Berlin", sync_key=f"k{secrets.token_hex(3)}")
    path = dav_mailbox.create_items(CAL, [item])[0].target_id
    assert dav_mailbox.update_items(CAL, [ItemPatch(path, {"subject": "Focus time"})])[0].ok
    assert int(vevents(get_raw(dav_account, path))[0].get("SEQUENCE", 0)) == 0
    assert dav_mailbox.update_items(CAL, [ItemPatch(path, {"end": START + timedelta(hours=2)})])[0].ok
    event = vevents(get_raw(dav_account, path))[0]
    assert int(event["SEQUENCE"]) == 1 and "ORGANIZER" not in event and "ATTENDEE" not in event


def test_assigned_task_edits_are_silent(cyrus_server, people):
    alice, bob, mailbox, before = people
    path = put_raw(alice, "calendar", "assigned.ics", (
        "BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:-//client//EN\nBEGIN:VTODO\n"
        f"UID:todo-{secrets.token_hex(3)}\nDTSTAMP:{START.strftime(STAMP)}\nDUE:{START.strftime(STAMP)}\n"
        f"SUMMARY:Send the quote\nORGANIZER:mailto:{alice.address}\n"
        f"ATTENDEE;PARTSTAT=NEEDS-ACTION:mailto:{bob.address}\nATTENDEE:mailto:carol@client.test\n"
        "END:VTODO\nEND:VCALENDAR\n"))
    assigned = sent(cyrus_server, bob, before)
    assert assigned == ["REQUEST", "inbox"]  # control: Cyrus schedules tasks too
    assert mailbox.update_items(FolderKind.TASKS, [ItemPatch(path, {"subject": "Send the signed quote"})])[0].ok
    assert sent(cyrus_server, bob, before) == assigned


def test_owner_addresses_are_known_when_the_calendar_url_is_configured_directly(cyrus_server):
    alice = cyrus_server.create_user("alice")
    url = alice.base_url + alice.collection_path("calendar")
    mailbox = build_mailbox({"caldav_url": url}, alice.username, alice.password, PLAINTEXT_FOR_TESTS)
    try:
        mailbox.changes_since(CAL, None)
        collection = mailbox.folders[CAL].client.collection
        assert (collection.href, collection.owner_addresses) == (alice.collection_path("calendar"),
                                                                 frozenset({alice.address}))
    finally:
        mailbox.close()
