"""An import read, planned and written in chunks (``app.sync.chunks``) ends exactly where one
plan of the whole mailbox would: no duplicate after a crash in any chunk, nothing left for the
next session, and a pair Salesforce changed is planned with both its sides."""
from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest

from app.sync import FolderKind, SyncPolicy
from app.sync.idmap import mailbox_stream
from tests.fakes.mailbox_memory import InMemoryMailbox, SimulatedCrash, StreamingMailbox
from tests.unit.sync.sync_world import NOW, World, meeting

CAL = FolderKind.CALENDAR
CHUNK = 10


def _world(items: int = 35, streaming: bool = True) -> World:
    world = World(policy=SyncPolicy(import_chunk_size=CHUNK))
    world.mailbox = StreamingMailbox(world.clock, "alice") if streaming else InMemoryMailbox(world.clock, "alice")
    for n in range(items):
        world.mailbox.put(CAL, meeting(f"Meeting {n}", start=NOW + timedelta(days=1 + n % 20, hours=n % 7)))
    return world


def _keys(world: World) -> list[str]:
    return sorted(r.sync_key or "" for r in world.events())


def test_an_import_larger_than_a_chunk_is_read_planned_and_written_chunk_by_chunk():
    world = _world(35)
    outcome = world.sync()
    assert [len(c) for c in world.mailbox.chunks_read] == [10, 10, 10, 5]
    assert world.crm.calls.count("upsert_by_sync_key") == 4          # one write per chunk
    assert outcome.counts[CAL].created == 35 and len(set(_keys(world))) == 35
    assert (world.session.mailbox_id, mailbox_stream(CAL)) in world.cursors.cursors
    again = world.sync()
    assert CAL not in again.counts and len(world.events()) == 35 and len(world.calendar()) == 35


def test_a_crash_in_the_middle_chunk_resumes_without_duplicates():
    world = _world(35)
    upserts = 0
    upsert = world.crm.upsert_by_sync_key

    def killed_in_second_chunk(object_type, writes):
        nonlocal upserts
        upserts += 1
        if upserts == 2:   # three of the second chunk's creates reach Salesforce, then the worker dies
            world.crm.faults.arm("upsert_by_sync_key", after=3, error=SimulatedCrash("SIGKILL"))
        return upsert(object_type, writes)

    world.crm.upsert_by_sync_key = killed_in_second_chunk
    with pytest.raises(SimulatedCrash):
        world.sync()
    assert len(world.events()) == 13
    assert (world.session.mailbox_id, mailbox_stream(CAL)) not in world.cursors.cursors   # the listing replays
    world.sync()
    assert len(world.events()) == 35 and len(set(_keys(world))) == 35 and len(world.calendar()) == 35
    assert all(e.is_linked and e.pending is None for e in world.id_map.rows.values())
    assert CAL not in world.sync().counts


def test_a_failed_chunk_read_keeps_the_cursor_and_the_next_session_finishes_the_import():
    world = _world(35)
    world.mailbox.faults.arm("read_chunks", after=2, error=SimulatedCrash("connection lost"))
    with pytest.raises(SimulatedCrash):
        world.sync()
    assert len(world.events()) == 20
    world.sync()
    assert len(world.events()) == 35 and len(set(_keys(world))) == 35
    assert CAL not in world.sync().counts


def _relisted_with_edits_on_both_sides(streaming: bool) -> World:
    """A synced mailbox whose next listing is full (cursor expired); meanwhile one late meeting's
    record was deleted in Salesforce and the meeting edited, another edited on both sides."""
    world = _world(35, streaming)
    world.sync()
    by_subject = {i.subject: i for i in world.calendar()}
    records = {r.fields["Subject"]: r for r in world.events()}
    world.crm.delete("Event", records["Meeting 33"].record_id)
    world.mailbox.edit(CAL, by_subject["Meeting 33"].item_id, location="Room 9")
    world.crm.edit("Event", records["Meeting 31"].record_id, Location="Salesforce room")
    world.mailbox.edit(CAL, by_subject["Meeting 31"].item_id, location="Mailbox room")
    world.mailbox.expire_cursors(CAL)
    return world


def test_salesforce_changes_are_planned_with_their_items_after_a_full_relisting():
    """The items paired with Salesforce's changes lead the first chunk: the edit-versus-delete and
    the two-sided edit end as one plan of the whole mailbox ends them, with no write error
    (no update sent to a deleted record)."""
    chunked, whole = _relisted_with_edits_on_both_sides(True), _relisted_with_edits_on_both_sides(False)
    paired = {i.item_id for i in chunked.calendar() if i.subject in ("Meeting 31", "Meeting 33")}
    outcomes = chunked.sync(), whole.sync()
    assert set(chunked.mailbox.chunks_read[-4][:2]) == paired   # they lead the relisting's first chunk
    assert [list(o.errors) for o in outcomes] == [[], []]

    def state(world: World) -> tuple:
        events = sorted((r.fields.get("Subject"), r.fields.get("Location")) for r in world.events())
        items = sorted((i.subject, i.location) for i in world.calendar())
        return events, items

    assert state(chunked) == state(whole)
    assert CAL not in chunked.sync().counts


def test_a_port_without_the_streaming_verbs_syncs_in_one_chunk_as_before():
    world = _world(35, streaming=False)
    assert world.sync().counts[CAL].created == 35
    assert world.crm.calls.count("upsert_by_sync_key") == 1


def test_when_every_item_is_paired_with_a_salesforce_change_the_first_chunk_takes_them_all():
    world = _world(25)
    world.sync()
    for record in world.events():
        world.crm.edit("Event", record.record_id, Location=f"{record.fields.get('Location') or ''} (moved)")
    world.mailbox.expire_cursors(CAL)
    world.crm.expire_cursors("Event")
    world.sync()
    assert [len(c) for c in world.mailbox.chunks_read[-3:]] == [10, 10, 5]   # read as 3, planned as one
    assert all(i.location.endswith("(moved)") for i in world.calendar()) and len(world.calendar()) == 25
    after = world.sync().counts[CAL]       # the mailbox writes come back as echoes, nothing more
    assert (after.created, after.updated, after.deleted, after.failed) == (0, 0, 0, 0)


def test_the_next_chunk_is_read_and_looked_up_while_the_previous_one_is_written():
    """The first chunk's Salesforce write waits (up to 5 s) for the second chunk's sync-key look-up:
    it only comes while the write is in flight when the engine overlaps them."""
    world = _world(35)
    second_looked_up = threading.Event()
    overlapped: list[bool] = []
    upsert, find = world.crm.upsert_by_sync_key, world.crm.find_by_sync_keys

    def slow_upsert(object_type, writes):
        if not overlapped:
            overlapped.append(second_looked_up.wait(5))
        return upsert(object_type, writes)

    def looked_up(object_type, keys):
        if len(world.mailbox.chunks_read) >= 2:
            second_looked_up.set()
        return find(object_type, keys)

    world.crm.upsert_by_sync_key, world.crm.find_by_sync_keys = slow_upsert, looked_up
    outcome = world.sync()
    assert overlapped == [True]
    assert outcome.counts[CAL].created == 35 and len(set(_keys(world))) == 35
    assert CAL not in world.sync().counts


def _with_a_copy_in_the_next_chunk() -> World:
    """35 meetings, the 12th (second chunk) a second resource with the 3rd's UID (one sync key)."""
    world = _world(35)
    items = sorted(world.calendar(), key=lambda i: int(i.item_id.rsplit("-", 1)[1]))   # as put, as listed
    world.mailbox.edit(CAL, items[11].item_id, uid=items[2].uid)
    return world


@pytest.mark.parametrize("overlap", [True, False])
def test_a_chunk_sharing_a_uid_with_the_write_in_flight_waits_for_it(overlap):
    """The second chunk holds the first chunk's UID again: it reads the ID map only once the first
    chunk's rows are final, so it ends as one chunk at a time ends (the copy updates the same record)."""
    world = _with_a_copy_in_the_next_chunk()
    world.policy = replace(world.policy, overlap_chunk_writes=overlap)
    writing = threading.Event()
    upsert, in_play = world.crm.upsert_by_sync_key, world.id_map.entries_in_play
    reads_while_writing: list[bool] = []

    def tracked_upsert(object_type, writes):
        writing.set()
        try:
            time.sleep(0.05)
            return upsert(object_type, writes)
        finally:
            writing.clear()

    def tracked_in_play(mailbox_id, kind, wanted):
        reads_while_writing.append(writing.is_set() and len(world.mailbox.chunks_read) == 2)
        return in_play(mailbox_id, kind, wanted)

    world.crm.upsert_by_sync_key, world.id_map.entries_in_play = tracked_upsert, tracked_in_play
    outcome = world.sync()
    assert reads_while_writing and not any(reads_while_writing)
    assert not outcome.errors and len(world.events()) == 34
    assert len(world.id_map.rows) == 34 and all(e.pending is None for e in world.id_map.rows.values())


@pytest.mark.parametrize("overlap", [True, False])
def test_a_chunk_write_killed_before_any_record_is_finished_by_the_next_session(overlap):
    """The second chunk's write dies before Salesforce saw any of it: the failure surfaces where the
    engine waits for the write, the third chunk (read and looked up meanwhile) writes nothing, and
    the next session creates the ten whose creates it undid. (Those travel with its first chunk: a
    later chunk read their rows as stored, still pending, and skipped them for good.)"""
    world = _world(35)
    world.policy = replace(world.policy, overlap_chunk_writes=overlap)
    upsert, writes_made = world.crm.upsert_by_sync_key, []

    def second_write_fails(object_type, writes):
        writes_made.append(len(writes))
        if len(writes_made) == 2:
            raise SimulatedCrash("SIGKILL")
        return upsert(object_type, writes)

    world.crm.upsert_by_sync_key = second_write_fails
    with pytest.raises(SimulatedCrash):
        world.sync()
    del world.crm.upsert_by_sync_key
    assert len(world.events()) == 10 and len(world.mailbox.chunks_read) >= 2
    world.sync()
    assert len(world.events()) == 35 and len(set(_keys(world))) == 35
    assert CAL not in world.sync().counts
