"""The org-wide change feed: ties across pages, restarts, late commits, deletes, expiry, owners."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.providers.salesforce.changes import ChangeCursor, ChangeFeed, FeedRequest, deleted_ids, parse_stamp, unseen
from app.providers.salesforce.errors import CursorExpired
from app.providers.salesforce.writes import RecordWriter

FIELDS = ("Subject", "OwnerId")


@pytest.fixture
def clock(sf_emulator):
    """Sets the emulator's server time; restores the real clock afterwards."""
    original = sf_emulator.clock

    def set_to(when: datetime) -> None:
        sf_emulator.clock = lambda: when
    yield set_to
    sf_emulator.clock = original


def _event(world, subject: str, owner: str | None = None) -> str:
    values = {"Subject": subject, "StartDateTime": "2026-01-01T10:00:00Z", "EndDateTime": "2026-01-01T11:00:00Z"}
    return world.emu.insert(world.org, "Event", values, user_id=owner)


def _all(feed: ChangeFeed, cursor: ChangeCursor, **kw):
    pages = list(feed.pages(FeedRequest("Event", FIELDS, cursor, **kw)))
    return [c for p in pages for c in p.changes], pages


def test_more_than_2000_ties_on_one_timestamp_page_without_gaps_and_restart(world, clock):
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    clock(t0)
    tied = {_event(world, f"tie {i}") for i in range(2500)}
    clock(t0 + timedelta(seconds=1))
    later = {_event(world, f"later {i}") for i in range(10)}
    feed = ChangeFeed(world.client())
    changes, pages = _all(feed, ChangeCursor("Event"))
    assert len(pages) == 2 and {c.id for c in changes} == tied | later and len(changes) == 2510
    keys = [(parse_stamp(c.version), c.id) for c in changes]
    assert keys == sorted(keys)
    # the worker applied page 1 only, saved its cursor, and died: a restart loses nothing
    applied = {c.id: c.version for c in pages[0].changes}
    assert parse_stamp(pages[0].cursor.watermark) == t0
    again, _ = _all(feed, pages[0].cursor)
    assert {c.id for c in unseen(again, applied)} == (tied | later) - set(applied)


def test_overlap_window_catches_a_late_commit_stamped_in_the_past(world, clock):
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    clock(t0)
    first = _event(world, "first")
    feed = ChangeFeed(world.client(), overlap=timedelta(minutes=5))
    changes, pages = _all(feed, ChangeCursor("Event"))
    cursor = pages[-1].cursor
    clock(t0 - timedelta(minutes=2))      # transaction started before the watermark, committed after the poll
    late = _event(world, "late")
    clock(t0 + timedelta(minutes=1))
    again, _ = _all(feed, cursor)
    known = {c.id: c.version for c in changes}
    assert [c.id for c in unseen(again, known)] == [late] and first in {c.id for c in again}


def test_deletes_come_through_the_same_query(world):
    ids = [_event(world, f"e{i}") for i in range(3)]
    feed = ChangeFeed(world.client())
    _, pages = _all(feed, ChangeCursor("Event"))
    RecordWriter(feed.client).delete(ids[:2])
    changes, _ = _all(feed, pages[-1].cursor)
    deleted = {c.id for c in changes if c.deleted}
    assert deleted == set(ids[:2])


def test_cursor_older_than_the_deleted_window_signals_full_resync(world):
    old = (datetime.now(UTC) - timedelta(days=16)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    client = world.client()
    before = world.emu.api_calls(world.org)
    with pytest.raises(CursorExpired):
        _all(ChangeFeed(client), ChangeCursor("Event", old))
    assert world.emu.api_calls(world.org) == before
    with pytest.raises(CursorExpired):
        deleted_ids(client, "Event", datetime.now(UTC) - timedelta(days=16), datetime.now(UTC))


def test_get_deleted_lists_recent_deletions(world, clock):
    now = datetime.now(UTC).replace(second=0, microsecond=0)   # the org exists since this minute
    ids = [_event(world, f"e{i}") for i in range(2)]
    client = world.client()
    RecordWriter(client).delete(ids[:1])
    clock(now + timedelta(minutes=2))      # getDeleted covers whole minutes up to "now"
    assert [i for i, _ in deleted_ids(client, "Event", now, now + timedelta(minutes=2))] == ids[:1]


def test_owner_filter_on_the_server_and_client_side_fallback(world):
    other = world.emu.create_user(world.org, email=f"bob@{world.org.lower()}.test")
    mine, theirs = _event(world, "mine"), _event(world, "theirs", owner=other)
    feed = ChangeFeed(world.client())
    changes, _ = _all(feed, ChangeCursor("Event"), owner_ids=[world.user])
    assert [c.id for c in changes] == [mine]
    many = [f"005{n:012d}AAA" for n in range(3000)] + [other]          # does not fit one URL
    soql, owners = feed.statement(FeedRequest("Event", FIELDS, ChangeCursor("Event"), owner_ids=many))
    assert "OwnerId IN" not in soql and other in owners
    changes, _ = _all(feed, ChangeCursor("Event"), owner_ids=many)
    assert [c.id for c in changes] == [theirs]


def test_poll_reads_several_objects_in_one_call(world):
    _event(world, "meeting")
    world.emu.insert(world.org, "Task", {"Subject": "call back"})
    world.emu.insert(world.org, "Contact", {"LastName": "Doe"})
    feed = ChangeFeed(world.client())
    before = world.emu.api_calls(world.org)
    out = feed.poll([FeedRequest("Event", FIELDS, ChangeCursor("Event")),
                     FeedRequest("Task", FIELDS, ChangeCursor("Task")),
                     FeedRequest("Contact", ("LastName",), ChangeCursor("Contact"))])
    assert world.emu.api_calls(world.org) - before == 1
    assert {k: sum(len(p.changes) for p in v) for k, v in out.items()} == {"Event": 1, "Task": 1, "Contact": 1}
    assert all(v[-1].cursor.watermark for v in out.values())
