"""Push freshness on a real Redis: the live mark lapses with its heartbeat, the last change seen is
kept, and the dashboard's lag counts to the session after the change, or the wait so far."""
from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime, timedelta

import pytest
import redis as redis_lib

from app.services.push_status import describe
from app.state import push_freshness
from app.state.push_freshness import PushFreshness

_ids = itertools.count(900_001)
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def client(redis_url):
    c = redis_lib.Redis.from_url(redis_url)
    yield c
    c.close()


def test_a_mailbox_never_watched_is_not_live_and_has_seen_nothing(client):
    assert push_freshness.read(client, next(_ids)) == PushFreshness(False, None, None)


def test_the_live_mark_and_the_last_change_are_read_back_and_the_mark_can_be_dropped(client):
    mailbox, other = next(_ids), next(_ids)
    push_freshness.mark_all(client, {mailbox: "imap-idle+dav-poll"}, ttl_seconds=60)
    push_freshness.record_change(client, mailbox, T0)
    assert push_freshness.read(client, mailbox) == PushFreshness(True, "imap-idle+dav-poll", T0)
    push_freshness.mark_all(client, {mailbox: None, other: "imap-noop"}, ttl_seconds=60)
    assert push_freshness.read(client, mailbox) == PushFreshness(False, None, T0)
    assert push_freshness.read(client, other) == PushFreshness(True, "imap-noop", None)
    push_freshness.mark_down(client, other)
    assert push_freshness.read(client, other).live is False


def test_the_live_mark_lapses_when_the_watcher_stops_renewing_it(client):
    mailbox = next(_ids)
    push_freshness.mark_all(client, {mailbox: "dav-poll"}, ttl_seconds=1)
    deadline = time.monotonic() + 10
    while push_freshness.read(client, mailbox).live and time.monotonic() < deadline:
        time.sleep(0.1)
    assert push_freshness.read(client, mailbox).live is False


def test_lag_runs_to_the_session_after_the_change_or_counts_the_wait_so_far():
    seen = PushFreshness(True, "imap-idle", T0)
    synced = describe(seen, (T0 + timedelta(seconds=4)).replace(tzinfo=None), T0 + timedelta(minutes=5))
    assert (synced["synced"], synced["lag_seconds"]) == (True, 4.0)
    waiting = describe(seen, T0 - timedelta(minutes=1), T0 + timedelta(seconds=7))
    assert (waiting["synced"], waiting["lag_seconds"]) == (False, 7.0)
    assert describe(PushFreshness(False, None, None), T0, T0)["lag_seconds"] is None
