"""Push end to end: the product subscribes through the Graph fake (which validates the HTTPS
webhook of a real API server), an event created in Outlook is POSTed to the API as a change
notification, and the REAL worker's session puts it in Salesforce — no schedule involved (an event,
and a To Do task through its list's subscription). A forged notification is refused and starts nothing."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import GraphSubscription
from app.services import graph_subscriptions
from tests.e2e.helpers import NOW, dashboard, wait_until
from tests.e2e.test_graph_worker_e2e import FMT, _office365_user
from tests.graph_webhook import public_api as serving_api


@pytest.fixture
def public_api(e2e) -> Iterator[object]:
    with serving_api(e2e.rt.config, e2e.graph) as rt:
        yield rt


def test_an_outlook_event_reaches_salesforce_through_a_notification(e2e, factory, public_api):
    ann = _office365_user(e2e, factory)
    counts = graph_subscriptions.maintain(public_api)
    assert counts.created >= 1, counts
    with public_api.db.session_scope() as s:
        row = s.scalar(select(GraphSubscription).where(GraphSubscription.mailbox_id == ann.mailbox_id,
                                                       GraphSubscription.kind == "calendar"))
        subscription_id = row.subscription_id
    graph_sub = e2e.graph.store.push.get(subscription_id)
    assert graph_sub is not None and graph_sub.resource == f"users/{ann.user.email}/events"
    assert graph_sub.client_state and graph_sub.client_state not in (row.client_state_hash, "")
    assert graph_sub.notification_url == public_api.config.public_url + "/api/v1/graph/notifications"

    start = NOW + timedelta(days=2)
    e2e.graph.store.create_event(ann.user.email, {
        "subject": "Pushed meeting", "start": {"dateTime": start.strftime(FMT), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).strftime(FMT), "timeZone": "UTC"}})
    events = wait_until(lambda: [e for e in e2e.emu.records(ann.sf_org, "Event") if e["Subject"] == "Pushed meeting"],
                   "the pushed event reaching Salesforce", e2e)
    assert len(events) == 1
    sessions = dashboard(ann)["sessions"]
    assert sessions and {s["trigger"] for s in sessions} == {"push"}, sessions
    push = dashboard(ann)["push"]       # the subscription is live and its change shows in the freshness
    assert push["live"] and push["mode"] == "graph" and push["last_change_at"] is not None, push

    e2e.graph.store.push.drain()
    seen = len(e2e.graph.store.push.deliveries)
    forged = {"subscriptionId": subscription_id, "clientState": "guessed", "changeType": "deleted",
              "resource": f"Users/{ann.user.email}/Events/x", "tenantId": "t"}
    e2e.graph.store.push.post_raw(graph_sub.notification_url, forged)
    e2e.graph.store.push.drain()
    assert [d.status for d in e2e.graph.store.push.deliveries[seen:]] == [403]


def test_a_to_do_task_reaches_salesforce_through_a_notification(e2e, factory, public_api):
    ann = _office365_user(e2e, factory)
    counts = graph_subscriptions.maintain(public_api)
    assert counts.failed == 0 and not counts.skipped, counts
    todo = e2e.graph.store.todo
    tasks = todo.default_list(ann.user.email)
    with public_api.db.session_scope() as s:
        watched = s.scalar(select(GraphSubscription.resource).where(GraphSubscription.mailbox_id == ann.mailbox_id,
                                                                    GraphSubscription.kind == "tasks"))
    assert watched == f"users/{ann.user.email}/todo/lists/{tasks.id}/tasks"

    todo.create(ann.user.email, tasks.id, {"title": "Pushed follow-up", "importance": "high"})
    found = wait_until(lambda: [t for t in e2e.emu.records(ann.sf_org, "Task") if t["Subject"] == "Pushed follow-up"],
                  "the pushed To Do task reaching Salesforce", e2e)
    assert len(found) == 1 and found[0]["Priority"] == "High"
    sessions = dashboard(ann)["sessions"]
    assert sessions and {s["trigger"] for s in sessions} == {"push"}, sessions
