"""The behaviours the sync engine relies on, with `SalesforceCrmPort` against the HTTPS emulator.

Each test runs the real `app.sync.run_sync` (in-memory mailbox and stores) so the port is
judged the way the engine uses it, and counts the API calls the emulator saw.
"""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.sync import Attendee, ConflictPolicy, RecordWrite, ResponseStatus, SyncPolicy
from app.sync.transforms import format_sf_datetime, parse_sf_datetime
from tests.fakes.mailbox_memory import SimulatedCrash
from tests.providers.salesforce.test_crm_port_world import CAL, NOW, PortWorld, meeting


@pytest.fixture
def pw(world) -> PortWorld:
    return PortWorld(world)


def _start(days: int = 3) -> str:
    return format_sf_datetime(NOW + timedelta(days=days))


def test_meeting_created_in_mailbox_becomes_one_event_and_the_next_sync_writes_nothing(pw):
    pw.mailbox.put(CAL, meeting("Board meeting", location="Room 1", body_text="Agenda"))
    before = pw.calls()
    outcome = pw.sync()
    first_calls = pw.calls() - before
    [event] = pw.events()
    assert (event["Subject"], event["Location"], event["Description"]) == ("Board meeting", "Room 1", "Agenda")
    assert parse_sf_datetime(event["StartDateTime"]) == NOW + timedelta(days=2)
    assert event["OwnerId"] == pw.sf.user and event["Syncline_Key__c"]
    assert outcome.counts[CAL].created == 1 and outcome.ok
    assert first_calls <= 6   # describe, feed, key look-up, fuzzy search (answered from the listing), upsert
    stamp = event["SystemModstamp"]
    before = pw.calls()
    second = pw.sync()
    assert second.counts[CAL].created == second.counts[CAL].updated == 0
    assert pw.events()[0]["SystemModstamp"] == stamp          # echo suppression: nothing written
    assert pw.calls() - before <= 3


def test_event_created_in_salesforce_appears_in_the_mailbox(pw):
    pw.sf.emu.insert(pw.sf.org, "Event", {"Subject": "From Salesforce", "StartDateTime": _start(),
                                          "EndDateTime": _start(3)[:11] + "23:00:00.000+0000",
                                          "OwnerId": pw.sf.user})
    pw.sync()
    [item] = pw.calendar()
    assert item.subject == "From Salesforce" and item.start == NOW + timedelta(days=3)
    pw.sync()
    assert len(pw.events()) == 1 and len(pw.calendar()) == 1


def test_updates_flow_both_ways(pw):
    item = pw.mailbox.put(CAL, meeting("Draft title"))
    pw.sync()
    pw.mailbox.edit(CAL, item.item_id, subject="Final title")
    pw.sync()
    [event] = pw.events()
    assert event["Subject"] == "Final title"
    pw.edit_in_salesforce(event["Id"], Location="Room 42")
    pw.sync()
    assert pw.calendar()[0].location == "Room 42"
    assert pw.calendar()[0].subject == "Final title"


def test_deletes_flow_both_ways(pw):
    one = pw.mailbox.put(CAL, meeting("Goes in the mailbox"))
    pw.mailbox.put(CAL, meeting("Goes in Salesforce", days=4))
    pw.sync()
    pw.mailbox.remove(CAL, one.item_id)
    pw.sync()
    assert [e["Subject"] for e in pw.events()] == ["Goes in Salesforce"]
    pw.delete_in_salesforce(pw.events()[0]["Id"])
    pw.sync()
    assert pw.calendar() == [] and pw.events() == []
    pw.sync()   # the overlap window re-reads the delete: still nothing to do, nothing recreated
    assert pw.calendar() == [] and pw.events() == []


def test_conflicting_edits_are_resolved_by_policy_and_recorded(world):
    pw = PortWorld(world, policy=SyncPolicy(conflict=ConflictPolicy.SALESFORCE_WINS))
    item = pw.mailbox.put(CAL, meeting("Original"))
    pw.sync()
    pw.mailbox.edit(CAL, item.item_id, subject="Mailbox edit")
    pw.edit_in_salesforce(pw.events()[0]["Id"], Subject="Salesforce edit")
    outcome = pw.sync()
    assert [c.field for c in outcome.conflicts] == ["subject"]
    assert pw.events()[0]["Subject"] == "Salesforce edit"
    assert pw.calendar()[0].subject == "Salesforce edit"


def test_recurring_series_becomes_one_event_per_occurrence_in_the_window(pw):
    pw.mailbox.put(CAL, meeting("Weekly sync", rrule="FREQ=WEEKLY;COUNT=3"))
    pw.sync()
    starts = sorted(parse_sf_datetime(e["StartDateTime"]) for e in pw.events())
    assert starts == [NOW + timedelta(days=2 + 7 * n) for n in range(3)]
    assert pw.sync().counts[CAL].created == 0


def test_attendees_become_event_relations_and_the_organizer_keeps_ownership(pw):
    emu, org = pw.sf.emu, pw.sf.org
    colleague = emu.create_user(org, email=f"bob@{org.lower()}.test")
    carol = emu.insert(org, "Contact", {"LastName": "Client", "Email": "Carol@Client.com"})
    dave = emu.insert(org, "Lead", {"LastName": "Prospect", "Company": "P", "Email": "dave@prospect.com"})
    invite = meeting("Pricing call", organizer=f"bob@{org.lower()}.test", attendees=(
        Attendee(f"bob@{org.lower()}.test", response=ResponseStatus.ORGANIZER),
        Attendee("carol@client.com", response=ResponseStatus.ACCEPTED), Attendee("dave@prospect.com"),
        Attendee("nobody@unknown.com")))
    item = pw.mailbox.put(CAL, invite)
    pw.sync()
    [event] = pw.events()
    assert event["OwnerId"] == colleague
    rows = {r["RelationId"]: r["Status"] for r in pw.relations(event["Id"])}
    assert rows == {carol: "Accepted", dave: "New"}
    pw.mailbox.edit(CAL, item.item_id, attendees=invite.attendees[:2])   # Dave is uninvited
    pw.sync()
    assert {r["RelationId"] for r in pw.relations(event["Id"])} == {carol}


def test_crash_after_create_before_id_map_write_makes_no_duplicate(pw):
    pw.mailbox.put(CAL, meeting("Board meeting", attendees=(Attendee("x@y.com"),)))
    pw.id_map.faults.arm("put", after=pw.id_map.put_calls + 1, error=SimulatedCrash("worker killed"))
    with pytest.raises(SimulatedCrash):
        pw.sync()
    assert len(pw.events()) == 1              # Salesforce accepted it; the ID map holds a pending entry
    outcome = pw.sync()
    assert len(pw.events()) == 1 and outcome.counts[CAL].created == 0
    [entry] = pw.id_map.rows.values()
    assert entry.is_linked and entry.crm_id == pw.events()[0]["Id"]


def test_replayed_create_upserts_the_same_record(pw):
    port = pw.port()
    write = RecordWrite({"Subject": "Once", "StartDateTime": _start(), "EndDateTime": _start(),
                         "OwnerId": pw.sf.user}, sync_key="k-replayed")
    first, second = port.upsert_by_sync_key("Event", [write]), port.upsert_by_sync_key("Event", [write])
    assert first[0].ok and second[0].ok and first[0].target_id == second[0].target_id
    assert len(pw.events()) == 1


def test_two_mailboxes_sharing_a_meeting_make_one_event(pw):
    org = pw.sf.org
    bob = pw.sf.emu.create_user(org, email=f"bob@{org.lower()}.test")
    invite = dict(uid="shared-uid", organizer="ann@acme.test", attendees=(Attendee(f"bob@{org.lower()}.test"),))
    pw.mailbox.put(CAL, meeting("Pricing call", **invite))
    bob_mailbox, bob_session = pw.second_mailbox("bob", bob)
    bob_mailbox.put(CAL, meeting("Pricing call", **invite))
    pw.sync()
    pw.sync(bob_mailbox, bob_session)
    [event] = pw.events()
    assert [e.crm_id for e in pw.id_map.entries("bob", CAL)] == [event["Id"]]


def test_initial_import_of_many_meetings_costs_few_api_calls(pw):
    for n in range(450):
        pw.mailbox.put(CAL, meeting(f"Meeting {n}", days=1 + n % 50, hours=1 + n % 3))
    before = pw.calls()
    outcome = pw.sync()
    calls = pw.calls() - before
    assert outcome.counts[CAL].created == 450 and len(pw.events()) == 450
    # 1 describe + 1 feed + 3 key look-ups (core: 200 keys per call) + 3 upserts (core: 200 per call)
    assert calls <= 10, calls
