"""Sync metrics counted by the worker process and read by one scrape of the API's /metrics:
sessions by status, items by kind and action, queue depth, mailboxes and push channels."""
from __future__ import annotations

from datetime import timedelta

from app.state import shared_metrics
from tests.e2e.helpers import NOW, force_sync, metric_value, put_event, scrape_metrics, sign_up


def test_a_workers_sessions_and_items_show_in_the_apis_metrics(e2e, factory):
    ann = sign_up(e2e, factory)
    before = scrape_metrics(e2e)
    put_event(ann, "metrics-one", "Metrics one", NOW + timedelta(days=2))
    put_event(ann, "metrics-two", "Metrics two", NOW + timedelta(days=3))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    after = scrape_metrics(e2e)
    sessions = "syncline_sync_sessions_total"
    assert metric_value(after, sessions, status="succeeded") == metric_value(before, sessions, status="succeeded") + 1
    created = "syncline_sync_items_total"
    assert (metric_value(after, created, kind="calendar", action="created")
            == metric_value(before, created, kind="calendar", action="created") + 2)
    spent = "syncline_sync_session_seconds_total"
    assert metric_value(after, spent, status="succeeded") > metric_value(before, spent, status="succeeded")
    for queue in ("interactive", "sync", "default"):
        assert ("syncline_sync_queue_depth", (("queue", queue),)) in after
    assert metric_value(after, "syncline_sync_mailboxes", status="active") >= 1
    assert ("syncline_sync_lag_seconds", ()) in after


def test_a_failed_session_is_counted_under_its_status(e2e, factory):
    bob = sign_up(e2e, factory)
    put_event(bob, "metrics-failing", "Metrics failing", NOW + timedelta(days=4))
    before = scrape_metrics(e2e)
    e2e.emu.faults.fail_for(500, 5)
    try:
        session = force_sync(bob)
    finally:
        e2e.emu.faults.clear()
    assert session["status"] in ("failed", "partial"), session
    after = scrape_metrics(e2e)
    name = "syncline_sync_sessions_total"
    assert metric_value(after, name, status=session["status"]) == metric_value(before, name, status=session["status"]) + 1


def test_push_processes_report_live_connections_that_lapse_when_they_stop_renewing(e2e):
    client = e2e.rt.redis.client
    shared_metrics.set_push_connections(client, "imap", "host-a:101", 3, ttl_seconds=60)
    shared_metrics.set_push_connections(client, "imap", "host-b:202", 2, ttl_seconds=60)
    assert metric_value(scrape_metrics(e2e), "syncline_push_connections", kind="imap") == 5
    client.delete(*client.keys("syncline:metrics:push:imap:host-a*"))      # host-a stopped renewing
    assert metric_value(scrape_metrics(e2e), "syncline_push_connections", kind="imap") == 2
    client.delete(*client.keys("syncline:metrics:push:imap:*"))
