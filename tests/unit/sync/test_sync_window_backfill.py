"""A wider sync window (or the horizon moving on) backfills what delta cursors would never
re-deliver; narrowing deletes nothing; a folder kind the server lacks is left out, not failed."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from app.sync import FolderKind, SyncPolicy, SyncWindow
from app.sync.errors import FolderUnavailable
from app.sync.idmap import mailbox_stream
from app.sync.transforms import format_sf_datetime
from app.sync.window_reach import Reach, window_reach
from tests.unit.sync.sync_world import NOW, OWNER, World, meeting

CAL = FolderKind.CALENDAR


def _sf_event(world: World, subject: str, days: int) -> str:
    start = NOW + timedelta(days=days)
    return world.crm.create("Event", OWNER, Subject=subject, IsAllDayEvent=False,
                            StartDateTime=format_sf_datetime(start),
                            EndDateTime=format_sf_datetime(start + timedelta(hours=1)))


def _widened(world: World, **window: int) -> None:
    world.policy = replace(world.policy, window=SyncWindow(**window))


def test_widening_the_window_backfills_both_directions_on_the_next_session():
    world = World()
    world.mailbox.put(CAL, meeting("Old meeting", start=NOW - timedelta(days=30)))
    _sf_event(world, "Old Salesforce event", -25)
    world.sync()
    assert [e.fields["Subject"] for e in world.events()] == ["Old Salesforce event"]
    assert [i.subject for i in world.calendar()] == ["Old meeting"]

    world.sync()                                      # unchanged: the deltas deliver nothing
    _widened(world, days_back=45)
    outcome = world.sync()
    assert outcome.counts[CAL].created == 2
    assert sorted(e.fields["Subject"] for e in world.events()) == ["Old Salesforce event", "Old meeting"]
    assert sorted(i.subject for i in world.calendar()) == ["Old Salesforce event", "Old meeting"]
    again = world.sync().counts.get(CAL)
    assert again is None or again.created == 0


def test_narrowing_deletes_nothing_and_widening_again_backfills_what_arrived_meanwhile():
    world = World()
    world.mailbox.put(CAL, meeting("Linked", start=NOW - timedelta(days=10)))
    world.sync()
    _widened(world, days_back=2)
    world.mailbox.put(CAL, meeting("Created while narrow", start=NOW - timedelta(days=7)))
    world.sync()
    assert [e.fields["Subject"] for e in world.events()] == ["Linked"]
    _widened(world, days_back=14)
    world.sync()
    assert sorted(e.fields["Subject"] for e in world.events()) == ["Created while narrow", "Linked"]


def test_items_the_moving_horizon_reaches_are_picked_up_without_being_edited():
    world = World()
    world.mailbox.put(CAL, meeting("Booked far ahead", start=NOW + timedelta(days=61)))
    world.sync()
    assert world.events() == []
    later = replace(world.session, now=NOW + timedelta(days=3))
    world.sync(session=later)
    assert [e.fields["Subject"] for e in world.events()] == ["Booked far ahead"]


def test_an_unchanged_window_keeps_using_the_delta_cursor():
    world = World()
    world.mailbox.put(CAL, meeting("Soon"))
    world.sync()
    listings = []
    original = world.mailbox.changes_since
    world.mailbox.changes_since = lambda kind, cursor: listings.append(cursor) or original(kind, cursor)
    world.sync(session=replace(world.session, now=NOW + timedelta(hours=6)))
    assert None not in listings


def test_reach_covers_and_narrows():
    window = SyncWindow(days_back=14, days_ahead=60)
    seen = window_reach(window, CAL, NOW)
    assert seen.covers(window_reach(window, CAL, NOW + timedelta(hours=20)))
    assert not seen.covers(window_reach(window, CAL, NOW + timedelta(days=2)))
    assert not seen.covers(window_reach(SyncWindow(days_back=15), CAL, NOW))
    assert Reach.decode(seen.encode()) == seen and Reach.decode("garbage") is None
    assert window_reach(window, FolderKind.CONTACTS, NOW).covers(Reach())
    narrow = seen.narrowed_to(window_reach(SyncWindow(days_back=2, days_ahead=10), CAL, NOW))
    assert not narrow.covers(seen)


class _NoTasksMailbox:
    """A calendar-only account: its server offers no task list."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):
        method = getattr(self.inner, name)

        def call(kind, *args, **kwargs):
            if kind is FolderKind.TASKS:
                raise FolderUnavailable("no collection offering VTODO")
            return method(kind, *args, **kwargs)
        return call


def test_a_kind_the_server_lacks_is_reported_unavailable_and_the_rest_syncs():
    world = World()
    world.mailbox.put(CAL, meeting("Calendar works"))
    outcome = world.sync(mailbox=_NoTasksMailbox(world.mailbox))
    assert outcome.unavailable == {FolderKind.TASKS: "no collection offering VTODO"}
    assert outcome.ok and [e.fields["Subject"] for e in world.events()] == ["Calendar works"]
    assert world.cursors.load("alice", mailbox_stream(FolderKind.TASKS)) is None


def test_default_window_is_two_weeks_back_and_two_months_ahead():
    assert SyncPolicy().window == SyncWindow(days_back=14, days_ahead=60, task_recent_days=30)


def test_an_endless_series_gets_the_occurrences_the_horizon_reaches_as_weeks_pass():
    world = World()
    start = NOW + timedelta(days=1)
    world.mailbox.put(CAL, meeting("Weekly", start=start, rrule="FREQ=WEEKLY"))
    world.sync()
    first = len(world.events())
    world.sync(session=replace(world.session, now=NOW + timedelta(days=15)))
    horizon = format_sf_datetime(NOW + timedelta(days=15 + 60))
    assert len(world.events()) == first + 2
    assert max(e.fields["StartDateTime"] for e in world.events()) < horizon
