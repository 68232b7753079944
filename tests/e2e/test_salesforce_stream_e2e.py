"""Salesforce Change Data Capture end to end: a REAL `python -m app push-watcher` subscribes to the
emulator's Streaming API, a Salesforce edit makes it queue the org's poll, and the REAL worker's
poll and session carry the edit to Radicale — no scheduler runs and nobody forces anything.
Also: a restarted watcher resumes after the stored replay id; a replay id Salesforce no longer
keeps means new events only plus a poll at once (none at all: new events only); an org without
CDC is left to the poll and probed again."""
from __future__ import annotations

import secrets
from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from app.services.org_change_loop import poll_org_changes
from app.services.org_change_stream import store_replay_id, stored_replay_id
from tests.e2e.helpers import (
    NOW,
    Person,
    dashboard,
    force_sync,
    metric_value,
    put_event,
    scrape_metrics,
    sign_up,
    wait_until,
)
from tests.e2e.test_imap_push_e2e import WatcherProcess

SALESFORCE_ARGS = ("--salesforce-reprobe", "1")


@pytest.fixture
def watchers(e2e) -> Iterator[Callable[[], WatcherProcess]]:
    """Start push watchers on demand (each with a short long-poll on the emulator); all stop at the end."""
    e2e.emu.cometd.timeout_s = 20.0     # a world of many orgs: each watcher holds one long poll per org
    started: list[WatcherProcess] = []

    def start() -> WatcherProcess:
        process = WatcherProcess(e2e.env, e2e.tmp / f"push-watcher-sf-{secrets.token_hex(3)}.log", *SALESFORCE_ARGS)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()
    e2e.emu.cometd.timeout_s = 110.0


def _records(watcher: WatcherProcess, message: str, org_pk: int) -> list[dict]:
    return [r for r in watcher.records(message) if r.get("org_pk") == org_pk]


def _synced_meeting(e2e, factory, uid: str, subject: str) -> tuple[Person, str]:
    """A user whose meeting is in Salesforce and whose mailbox reads routed changes (org poll opened)."""
    person = sign_up(e2e, factory)
    put_event(person, uid, subject, NOW + timedelta(days=2))
    assert force_sync(person)["status"] == "succeeded"
    assert poll_org_changes(e2e.rt, person.user.org_id).status == "opened"
    assert force_sync(person)["status"] == "succeeded"
    [event] = e2e.emu.records(person.sf_org, "Event")
    return person, event["Id"]


def _subscribed(person: Person, watcher: WatcherProcess, count: int = 1) -> dict:
    return wait_until(lambda: (_records(watcher, "salesforce stream subscribed", person.user.org_id)[count - 1:]
                               or [None])[0], "the org's stream subscribing", person.e2e, 60, watcher)


def _calendar_says(person: Person, subject: str, watcher: WatcherProcess) -> None:
    wait_until(lambda: [i.subject for i in person.calendar_items()] == [subject],
               f"{subject!r} reaching the calendar", person.e2e, 180, watcher)


def _last_session_pushed(person: Person) -> None:
    """The session that carried the edit was queued by the org poll (trigger "push"), not forced."""
    session = wait_until(lambda: [s for s in dashboard(person)["sessions"][:1] if s["finished_at"]],
                         "the session finishing", person.e2e, 30)[0]
    assert session["trigger"] == "push" and session["status"] == "succeeded", session


def test_a_salesforce_edit_reaches_the_calendar_through_change_data_capture(e2e, factory, watchers):
    ann, event_id = _synced_meeting(e2e, factory, "cdc-1", "Roadmap")
    watcher = watchers()
    assert _subscribed(ann, watcher)["replay_id"] is None          # first subscription: new events only
    e2e.emu.update(ann.sf_org, "Event", event_id, {"Subject": "Roadmap (moved in Salesforce)"})
    _calendar_says(ann, "Roadmap (moved in Salesforce)", watcher)
    _last_session_pushed(ann)
    assert _records(watcher, "salesforce change seen", ann.user.org_id)
    wait_until(lambda: stored_replay_id(e2e.rt, ann.user.org_id), "the replay id being stored", e2e, 30, watcher)
    wait_until(lambda: metric_value(scrape_metrics(e2e), "syncline_push_connections", kind="salesforce") >= 1,
               "the live subscription showing in /metrics", e2e, 30, watcher)


def test_a_restarted_watcher_resumes_after_the_stored_replay_id(e2e, factory, watchers):
    bob, event_id = _synced_meeting(e2e, factory, "cdc-2", "Budget")
    first = watchers()
    _subscribed(bob, first)
    e2e.emu.update(bob.sf_org, "Event", event_id, {"Subject": "Budget v2"})
    _calendar_says(bob, "Budget v2", first)
    stored = wait_until(lambda: stored_replay_id(e2e.rt, bob.user.org_id), "the replay id being stored", e2e, 30)
    first.stop()
    e2e.emu.update(bob.sf_org, "Event", event_id, {"Subject": "Budget v3 (while nobody listened)"})
    second = watchers()
    assert _subscribed(bob, second)["replay_id"] == stored          # resumed, not "new events only"
    _calendar_says(bob, "Budget v3 (while nobody listened)", second)
    assert not _records(second, "salesforce replay id no longer retained; polling to catch up", bob.user.org_id)


def test_an_expired_replay_id_means_new_events_only_and_a_poll_at_once(e2e, factory, watchers):
    cat, event_id = _synced_meeting(e2e, factory, "cdc-3", "Offsite")
    store_replay_id(e2e.rt, cat.user.org_id, 5)                     # long gone (beyond 72 hours)
    e2e.emu.update(cat.sf_org, "Event", event_id, {"Subject": "Offsite (while the stream was away)"})
    watcher = watchers()
    assert _subscribed(cat, watcher)["replay_id"] is None
    assert _records(watcher, "salesforce replay id no longer retained; polling to catch up", cat.user.org_id)[0]["replay_id"] == 5
    _calendar_says(cat, "Offsite (while the stream was away)", watcher)     # the immediate poll caught up
    e2e.emu.update(cat.sf_org, "Event", event_id, {"Subject": "Offsite (live again)"})
    _calendar_says(cat, "Offsite (live again)", watcher)


def test_an_org_without_change_data_capture_is_left_to_the_poll_and_probed_again(e2e, factory, watchers):
    dan, event_id = _synced_meeting(e2e, factory, "cdc-4", "Review")
    e2e.emu.set_change_data_capture(dan.sf_org, False)
    try:
        watcher = watchers()
        wait_until(lambda: _records(watcher, "salesforce stream unavailable; poll only", dan.user.org_id),
                   "the stream falling back to the poll", e2e, 60, watcher)
        e2e.emu.update(dan.sf_org, "Event", event_id, {"Subject": "Review (CDC off)"})
        assert poll_org_changes(e2e.rt, dan.user.org_id).mailboxes == [dan.mailbox_id]    # the backstop's poll
        _calendar_says(dan, "Review (CDC off)", watcher)
        assert not _records(watcher, "salesforce change seen", dan.user.org_id)
        assert len(_records(watcher, "salesforce stream unavailable; poll only", dan.user.org_id)) >= 1
    finally:
        e2e.emu.set_change_data_capture(dan.sf_org, True)
    _subscribed(dan, watcher)                                       # re-probed: live once CDC is on
    e2e.emu.update(dan.sf_org, "Event", event_id, {"Subject": "Review (CDC on)"})
    _calendar_says(dan, "Review (CDC on)", watcher)
