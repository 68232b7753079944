"""``run_sync`` over the in-memory ports: crash safety, dedup, cursors, per-record errors."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.sync import (
    SYNC_KEY_FIELD,
    Attendee,
    AuthFailure,
    FolderKind,
    InvalidData,
    SyncPolicy,
    TemporaryFailure,
)
from app.sync.idmap import crm_stream, mailbox_stream
from app.sync.outcome import KindCounts
from app.sync.transforms import format_sf_datetime
from tests.fakes.mailbox_memory import SimulatedCrash
from tests.unit.sync.sync_world import NOW, OWNER, World, event_describe, meeting

CAL = FolderKind.CALENDAR


@pytest.fixture
def world() -> World:
    return World()


def test_crash_after_salesforce_create_before_id_map_write_creates_no_duplicate(world):
    world.mailbox.put(CAL, meeting("Board meeting"))
    world.crm.faults.arm("upsert_by_sync_key", after=1, error=SimulatedCrash("worker killed"))
    with pytest.raises(SimulatedCrash):
        world.sync()
    assert len(world.events()) == 1  # Salesforce accepted the create; the ID map only has a pending entry
    [pending] = world.id_map.rows.values()
    assert pending.pending is not None and pending.crm_id is None
    outcome = world.sync()
    assert len(world.events()) == 1 and outcome.counts[CAL].created == 0
    [entry] = world.id_map.rows.values()
    assert entry.is_linked and entry.crm_id == world.events()[0].record_id


def test_crash_between_create_and_final_id_map_write_also_replays_cleanly(world):
    world.mailbox.put(CAL, meeting("Board meeting"))
    world.id_map.faults.arm("put", after=world.id_map.put_calls + 1, error=SimulatedCrash("after writes"))
    with pytest.raises(SimulatedCrash):
        world.sync()
    world.sync()
    world.sync()
    assert len(world.events()) == 1 and len(world.calendar()) == 1


def test_crash_after_mailbox_create_before_id_map_write_creates_no_duplicate_item(world):
    start = NOW + timedelta(days=3)
    world.crm.create("Event", OWNER, Subject="Created in Salesforce", IsAllDayEvent=False,
                     StartDateTime=format_sf_datetime(start), EndDateTime=format_sf_datetime(start + timedelta(hours=1)))
    world.mailbox.faults.arm("create_items", after=1, error=SimulatedCrash("worker killed"))
    with pytest.raises(SimulatedCrash):
        world.sync()
    world.sync()
    assert [i.subject for i in world.calendar()] == ["Created in Salesforce"]
    assert len(world.events()) == 1


@pytest.mark.parametrize("first_side", ["mailbox", "crm"])
def test_an_undone_create_is_not_forgotten_when_the_next_session_crashes_too(world, first_side):
    """A create that crashed before reaching the far side is undone by the next session; that session
    crashing before its own create must leave the pair pending, not settled with one side missing."""
    world.sync()                                    # cursors saved: the next sessions read deltas
    start = NOW + timedelta(days=3)
    if first_side == "mailbox":
        world.crm.create("Event", OWNER, Subject="Made in Salesforce", IsAllDayEvent=False,
                         StartDateTime=format_sf_datetime(start),
                         EndDateTime=format_sf_datetime(start + timedelta(hours=1)))
        world.mailbox.faults.arm("create_items", after=0, error=SimulatedCrash("worker killed"))
    else:
        world.mailbox.put(CAL, meeting("Made in the mailbox"))
        world.crm.faults.arm("upsert_by_sync_key", after=0, error=SimulatedCrash("worker killed"))
    with pytest.raises(SimulatedCrash):
        world.sync()
    assert [e.pending for e in world.id_map.rows.values()] != [None]
    world.id_map.faults.arm("put", after=world.id_map.put_calls + 1, error=SimulatedCrash("killed again"))
    with pytest.raises(SimulatedCrash):
        world.sync()
    world.sync()
    assert len(world.calendar()) == 1 and len(world.events()) == 1
    [entry] = world.id_map.rows.values()
    assert entry.is_linked


def test_two_mailboxes_sharing_one_meeting_make_one_event(world):
    world.crm.users = {"alice@example.com": OWNER}
    world.crm.people = {"carol@client.com": "003CAROL"}
    invite = dict(uid="shared-uid", organizer="alice@example.com",
                  attendees=(Attendee("bob@example.com"), Attendee("carol@client.com")))
    world.mailbox.put(CAL, meeting("Pricing call", **invite))
    bob_mailbox, bob = world.second_mailbox("bob", "005000000000BOB")
    bob_mailbox.put(CAL, meeting("Pricing call", **invite))
    world.sync()
    world.sync(bob_mailbox, bob)
    [event] = world.events()
    assert event.fields["OwnerId"] == OWNER  # the organizer stays the owner
    assert [r.relation_id for r in world.crm.relations[event.record_id]] == ["003CAROL"]
    bob_entries = world.id_map.entries("bob", CAL)
    assert [e.crm_id for e in bob_entries] == [event.record_id]


def test_expired_cursors_trigger_a_full_resync_that_creates_no_duplicates(world):
    world.mailbox.put(CAL, meeting("One"))
    world.mailbox.put(CAL, meeting("Two"))
    world.sync()
    world.mailbox.expire_cursors(CAL)
    world.crm.expire_cursors("Event")
    outcome = world.sync()
    assert set(outcome.full_resyncs) == {"mailbox:calendar", "crm:calendar_as_event"}
    assert len(world.events()) == 2 and outcome.counts[CAL].created == 0


def test_delete_missed_during_a_full_resync_is_still_detected(world):
    item = world.mailbox.put(CAL, meeting("Will vanish"))
    world.sync()
    world.mailbox.remove(CAL, item.item_id)
    world.mailbox.expire_cursors(CAL)  # the tombstone is lost with the cursor
    world.sync()
    assert world.events() == []


def test_one_rejected_record_does_not_sink_the_batch_and_waits_for_a_replay(world):
    for subject in ("Alpha", "Bravo", "Charlie"):
        world.mailbox.put(CAL, meeting(subject))
    world.crm.faults.reject("upsert_by_sync_key", lambda w: w.fields["Subject"] == "Bravo", code=InvalidData.code)
    outcome = world.sync()
    assert sorted(r.fields["Subject"] for r in world.events()) == ["Alpha", "Charlie"]
    assert [(e.code, e.retried) for e in outcome.errors] == [("invalid", False)]
    assert outcome.held_streams == ()  # a permanent error does not block the mailbox's cursor
    world.crm.faults.clear()  # e.g. the admin fixed the validation rule
    world.sync()
    assert sorted(r.fields["Subject"] for r in world.events()) == ["Alpha", "Charlie"], "a dead letter waits"
    [dead] = [e for e in world.id_map.rows.values() if e.last_error]
    world.id_map.put([replace(dead, attempts=0)])  # what POST …/failed-items/replay does
    world.sync()
    assert sorted(r.fields["Subject"] for r in world.events()) == ["Alpha", "Bravo", "Charlie"]


def test_a_dead_letter_is_retried_when_the_item_changes(world):
    item = world.mailbox.put(CAL, meeting("Bravo"))
    world.crm.faults.reject("upsert_by_sync_key", lambda w: True, code=InvalidData.code)
    assert [(e.code, e.retried) for e in world.sync().errors] == [("invalid", False)]
    world.crm.faults.clear()
    assert world.sync().errors == () and world.events() == []
    world.mailbox.put(CAL, replace(item, subject="Bravo (fixed)"))
    world.sync()
    assert [r.fields["Subject"] for r in world.events()] == ["Bravo (fixed)"]


def test_a_temporary_item_error_is_retried_next_session(world):
    world.mailbox.put(CAL, meeting("Alpha"))
    world.crm.faults.reject("upsert_by_sync_key", lambda w: True, code=TemporaryFailure.code)
    assert [(e.code, e.retried) for e in world.sync().errors] == [("temporary", True)]
    world.crm.faults.clear()
    world.sync()
    assert [r.fields["Subject"] for r in world.events()] == ["Alpha"]


def test_temporary_failure_holds_the_cursor_back_and_the_change_replays(world):
    item = world.mailbox.put(CAL, meeting("Before"))
    world.sync()
    cursor = world.cursors.load("alice", mailbox_stream(CAL))
    world.mailbox.edit(CAL, item.item_id, subject="After")
    world.crm.faults.arm("update_records", after=0, error=TemporaryFailure("503"))
    outcome = world.sync()
    assert mailbox_stream(CAL) in outcome.held_streams
    assert world.cursors.load("alice", mailbox_stream(CAL)) == cursor
    world.sync()
    assert world.events()[0].fields["Subject"] == "After"


def test_crash_before_the_cursor_is_saved_replays_without_duplicates(world):
    world.mailbox.put(CAL, meeting("Once"))
    world.cursors.faults.arm("save", error=SimulatedCrash("before cursor save"))
    with pytest.raises(SimulatedCrash):
        world.sync()
    assert world.cursors.load("alice", mailbox_stream(CAL)) is None
    outcome = world.sync()
    assert len(world.events()) == 1 and outcome.counts[CAL].created == 0


def test_over_long_subject_is_truncated_so_salesforce_accepts_it():
    world = World(describe=event_describe(Subject=10))
    world.mailbox.put(CAL, meeting("Ein sehr langer Betreff 🎉"))
    outcome = world.sync()
    assert outcome.ok and world.events()[0].fields["Subject"] == "Ein sehr l"
    # the long mailbox value is not "changed" forever (the record's version is agreed: nothing to count)
    assert world.sync().counts.get(CAL, KindCounts()).updated == 0


def test_salesforce_time_reaches_the_mailbox_in_berlin_time_across_dst(world):
    world.crm.create("Event", OWNER, Subject="Call", IsAllDayEvent=False, StartDateTime="2026-12-01T09:00:00.000+0000",
                     EndDateTime="2026-12-01T09:30:00.000+0000")
    world.sync()
    [item] = world.calendar()
    assert item.start == datetime(2026, 12, 1, 10, tzinfo=ZoneInfo("Europe/Berlin"))
    assert world.sync().counts[CAL].updated == 0


def test_mailbox_delete_deletes_the_event_and_the_tombstone_prevents_recreation(world):
    item = world.mailbox.put(CAL, meeting("Short-lived"))
    world.sync()
    world.mailbox.remove(CAL, item.item_id)
    world.sync()
    assert world.events() == [] and next(iter(world.id_map.rows.values())).deleted


def test_salesforce_delete_removes_the_mailbox_item(world):
    world.mailbox.put(CAL, meeting("Short-lived"))
    world.sync()
    world.crm.delete("Event", world.events()[0].record_id)
    world.sync()
    assert world.calendar() == []


def test_auth_failure_stops_the_run_and_saves_no_cursor(world):
    world.mailbox.put(CAL, meeting("x"))
    world.crm.faults.arm("upsert_by_sync_key", error=AuthFailure("invalid_grant"))
    with pytest.raises(AuthFailure):
        world.sync()
    assert world.cursors.load("alice", crm_stream("calendar_as_event")) is None


def test_sync_key_is_written_on_records_we_create(world):
    world.mailbox.put(CAL, meeting("Keyed"))
    world.sync()
    assert world.events()[0].fields[SYNC_KEY_FIELD]


def test_policy_batch_size_splits_writes(world):
    world.policy = SyncPolicy(crm_batch_size=2)
    for n in range(5):
        world.mailbox.put(CAL, meeting(f"M{n}"))
    world.sync()
    assert world.crm.calls.count("upsert_by_sync_key") == 3 and len(world.events()) == 5


def test_tasks_mirror_status_both_ways(world):
    from app.sync import TaskItem, TaskStatus

    task = world.mailbox.put(FolderKind.TASKS, TaskItem("", "Send offer", due_date=NOW.date()))
    world.sync()
    [record] = world.crm.all("Task")
    assert (record.fields["Status"], record.fields["ActivityDate"]) == ("Not Started", NOW.date().isoformat())
    world.crm.edit("Task", record.record_id, Status="Completed")
    world.sync()
    assert world.mailbox.items[FolderKind.TASKS][task.item_id].status is TaskStatus.COMPLETED


def test_contacts_link_to_an_existing_salesforce_contact_by_email_instead_of_duplicating(world):
    from app.sync import ContactItem

    world.crm.create("Contact", OWNER, FirstName="Zoë", LastName="Łukasiewicz", Email="zoe@client.com")
    world.mailbox.put(FolderKind.CONTACTS, ContactItem("", "Zoë", "Łukasiewicz", "zoe@client.com", job_title="CFO"))
    world.sync()
    world.sync()
    [contact] = world.crm.all("Contact")
    assert contact.fields["Title"] == "CFO" and len(world.mailbox.items[FolderKind.CONTACTS]) == 1


def test_our_own_update_replayed_after_a_crash_is_not_mistaken_for_a_user_edit():
    from app.sync import ConflictPolicy

    world = World(policy=SyncPolicy(conflict=ConflictPolicy.MAILBOX_WINS))
    item = world.mailbox.put(CAL, meeting("Review"))
    world.sync()
    event = world.events()[0]
    world.crm.edit("Event", event.record_id, Location="Room X")
    world.id_map.faults.arm("put", after=world.id_map.put_calls + 1, error=SimulatedCrash("before ID map write"))
    with pytest.raises(SimulatedCrash):
        world.sync()  # "Room X" reached the mailbox, the ID map never heard of it
    world.crm.edit("Event", event.record_id, Location="Room Y")  # a later, real Salesforce edit
    outcome = world.sync()
    assert world.mailbox.items[CAL][item.item_id].location == "Room Y" and not outcome.conflicts
