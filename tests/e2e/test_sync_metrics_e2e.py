"""Sync metrics counted by the worker process and read by one scrape of the API's /metrics:
sessions by status, items by kind and action, queue depth, mailboxes and push channels."""
from __future__ import annotations

from datetime import timedelta

from prometheus_client.parser import text_string_to_metric_families

from app.state import shared_metrics
from tests.e2e.helpers import NOW, force_sync, put_event, sign_up


def _scrape(e2e) -> dict[tuple[str, tuple], float]:
    body = e2e.app.test_client().get("/metrics").get_data(as_text=True)
    return {(sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for family in text_string_to_metric_families(body) for sample in family.samples}


def _value(scrape, name: str, **labels) -> float:
    return scrape.get((name, tuple(sorted(labels.items()))), 0.0)


def test_a_workers_sessions_and_items_show_in_the_apis_metrics(e2e, factory):
    ann = sign_up(e2e, factory)
    before = _scrape(e2e)
    put_event(ann, "metrics-one", "Metrics one", NOW + timedelta(days=2))
    put_event(ann, "metrics-two", "Metrics two", NOW + timedelta(days=3))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    after = _scrape(e2e)
    sessions = "syncline_sync_sessions_total"
    assert _value(after, sessions, status="succeeded") == _value(before, sessions, status="succeeded") + 1
    created = "syncline_sync_items_total"
    assert (_value(after, created, kind="calendar", action="created")
            == _value(before, created, kind="calendar", action="created") + 2)
    spent = "syncline_sync_session_seconds_total"
    assert _value(after, spent, status="succeeded") > _value(before, spent, status="succeeded")
    for queue in ("interactive", "sync", "default"):
        assert ("syncline_sync_queue_depth", (("queue", queue),)) in after
    assert _value(after, "syncline_sync_mailboxes", status="active") >= 1
    assert ("syncline_sync_lag_seconds", ()) in after


def test_a_failed_session_is_counted_under_its_status(e2e, factory):
    bob = sign_up(e2e, factory)
    put_event(bob, "metrics-failing", "Metrics failing", NOW + timedelta(days=4))
    before = _scrape(e2e)
    e2e.emu.faults.fail_for(500, 5)
    try:
        session = force_sync(bob)
    finally:
        e2e.emu.faults.clear()
    assert session["status"] in ("failed", "partial"), session
    after = _scrape(e2e)
    name = "syncline_sync_sessions_total"
    assert _value(after, name, status=session["status"]) == _value(before, name, status=session["status"]) + 1


def test_push_processes_report_live_connections_that_lapse_when_they_stop_renewing(e2e):
    client = e2e.rt.redis.client
    shared_metrics.set_push_connections(client, "imap", "host-a:101", 3, ttl_seconds=60)
    shared_metrics.set_push_connections(client, "imap", "host-b:202", 2, ttl_seconds=60)
    assert _value(_scrape(e2e), "syncline_push_connections", kind="imap") == 5
    client.delete(*client.keys("syncline:metrics:push:imap:host-a*"))      # host-a stopped renewing
    assert _value(_scrape(e2e), "syncline_push_connections", kind="imap") == 2
    client.delete(*client.keys("syncline:metrics:push:imap:*"))
