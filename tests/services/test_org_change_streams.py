"""One Change Data Capture subscription per connected org, against the HTTPS emulator with real SQL:
a burst of change events asks for ONE org poll, and the replay id is stored only once that poll
is queued (a poll already running makes the burst wait), so a crash in between replays it."""
from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pytest

from app.services.org_change_loop import QUEUED, RUNNING
from app.services.org_change_stream import store_replay_id, stored_replay_id
from app.services.org_change_streams import OrgChangeStreams
from tests.factories import Factory


class Polls:
    """Records the org polls asked for; answers from ``outcomes`` (then QUEUED)."""

    def __init__(self, *outcomes: str) -> None:
        self.asked: list[int] = []
        self.outcomes = list(outcomes)

    def __call__(self, rt, org_pk: int) -> str:
        self.asked.append(org_pk)
        return self.outcomes.pop(0) if self.outcomes else QUEUED


def _until(streams: OrgChangeStreams, check: Callable[[], object], what: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        streams.fire_due()
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what} did not happen within {timeout}s")


@pytest.fixture
def org(sf_app, salesforce_emulator) -> Iterator[tuple]:
    salesforce_emulator.cometd.timeout_s = 0.5
    user, sf_org, _ = Factory(sf_app).salesforce_user(salesforce_emulator)
    yield sf_app.extensions["syncline"], salesforce_emulator, user.org_id, sf_org
    salesforce_emulator.cometd.timeout_s = 110.0


def _streams(rt, polls: Polls) -> OrgChangeStreams:
    streams = OrgChangeStreams(rt, quiet_seconds=0.2, enqueue=polls)
    streams.reconcile()
    return streams


@pytest.mark.parametrize(("sobject", "name_field", "polls_after"), [
    ("Contact", "LastName", 1),       # a synced object: the whole burst asks for ONE poll
    ("Account", "Name", 0),           # an object nobody syncs: no poll, the replay id moves on all the same
], ids=["synced-object", "object-nobody-syncs"])
def test_a_burst_of_events_asks_for_at_most_one_poll_and_then_stores_its_replay_id(org, sobject, name_field,
                                                                                    polls_after):
    rt, emu, org_pk, sf_org = org
    polls = Polls()
    streams = _streams(rt, polls)
    try:
        _until(streams, lambda: streams.live() == 1, "the subscription")
        assert stored_replay_id(rt, org_pk) is None and polls.asked == [], "a first subscription asks for no poll"
        for n in range(3):
            emu.insert(sf_org, sobject, {name_field: f"Burst {n}"})
        last = emu.change_events(sf_org)[-1]["replayId"]
        _until(streams, lambda: stored_replay_id(rt, org_pk) == last, "the burst's replay id being stored")
        assert polls.asked == [org_pk] * polls_after
        assert streams.live() == 1
    finally:
        streams.close()


def test_a_replay_id_salesforce_no_longer_keeps_asks_for_one_poll_at_once(org):
    """Events were missed in the gap: new events only, and the poll's own window catches up."""
    rt, _, org_pk, _ = org
    store_replay_id(rt, org_pk, 999_999)            # not retained (beyond the 72 hours)
    polls = Polls()
    streams = _streams(rt, polls)
    try:
        _until(streams, lambda: polls.asked == [org_pk], "the catch-up poll")
        assert streams.live() == 1
    finally:
        streams.close()


def test_a_running_poll_makes_the_burst_wait_and_ask_again(org):
    rt, emu, org_pk, sf_org = org
    polls = Polls(RUNNING, RUNNING)
    streams = _streams(rt, polls)
    try:
        _until(streams, lambda: streams.live() == 1, "the subscription")
        emu.insert(sf_org, "Task", {"Subject": "Call back"})
        _until(streams, lambda: len(polls.asked) == 1, "the burst asking while a poll runs")
        assert stored_replay_id(rt, org_pk) is None          # not yet: the running poll may have missed it
        last = emu.change_events(sf_org)[-1]["replayId"]
        _until(streams, lambda: stored_replay_id(rt, org_pk) == last, "the replay id after the poll was queued")
        assert len(polls.asked) == 3
    finally:
        streams.close()


def test_the_stored_replay_id_is_where_the_next_subscription_resumes(org):
    rt, emu, org_pk, sf_org = org
    polls = Polls()
    streams = _streams(rt, polls)
    try:
        _until(streams, lambda: streams.live() == 1, "the subscription")
        emu.insert(sf_org, "Contact", {"LastName": "Before the restart"})
        _until(streams, lambda: stored_replay_id(rt, org_pk), "the replay id being stored")
    finally:
        streams.close()
    emu.insert(sf_org, "Contact", {"LastName": "While nobody listened"})
    later = emu.change_events(sf_org)[-1]["replayId"]
    again = _streams(rt, polls)
    try:
        _until(again, lambda: stored_replay_id(rt, org_pk) == later, "the missed event being replayed")
        assert len(polls.asked) == 2         # the first burst, the replayed one: no extra catch-up
    finally:
        again.close()


def test_an_org_another_watcher_holds_is_not_subscribed_and_one_handed_over_resumes_there(org):
    rt, emu, org_pk, sf_org = org
    polls = Polls()
    streams = OrgChangeStreams(rt, quiet_seconds=0.2, enqueue=polls)
    try:
        streams.reconcile(lambda held: held != org_pk)
        assert org_pk not in streams.streams
        streams.reconcile()
        _until(streams, lambda: streams.live() == 1, "the subscription")
        emu.insert(sf_org, "Contact", {"LastName": "Before the hand-over"})
        _until(streams, lambda: stored_replay_id(rt, org_pk), "the replay id being stored")
        streams.reconcile(lambda held: held != org_pk)                  # handed to another watcher
        assert org_pk not in streams.streams and streams.live() == 0
        emu.insert(sf_org, "Contact", {"LastName": "While another watcher held it"})
        later = emu.change_events(sf_org)[-1]["replayId"]
        streams.reconcile()                                             # and back: resumes after the stored id
        _until(streams, lambda: stored_replay_id(rt, org_pk) == later, "the event being replayed")
    finally:
        streams.close()
