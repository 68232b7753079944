"""A delegated profile's maintenance pass, against the Graph fake and a real HTTPS API: a mailbox
that has not signed in is left alone (nothing tried, not marked), nor one whose session runs (it
holds the lock under which tokens are refreshed), a signed-in one is subscribed,
and its subscriptions deleted when suspended, all with its user's own token; a removed mailbox's
rows are forgotten (no token is left to tell Graph, which drops them at expiry)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import GraphSubscription, Mailbox
from app.models.base import utcnow
from app.services import graph_push_clients, graph_subscriptions
from app.state import keys
from app.state.locks import Lease
from tests.graph_webhook import public_api
from tests.integration.graph.test_graph_auth_api import world  # noqa: F401 -- the API-driven world


@pytest.fixture
def api(world):  # noqa: F811
    with public_api(world.rt.config, world.fake) as rt:
        yield rt


def _count(rt, mailbox_id) -> int:
    with rt.db.session_scope() as s:
        return len(s.scalars(select(GraphSubscription).where(GraphSubscription.mailbox_id == mailbox_id)).all())


def test_delegated_maintenance_works_with_each_users_token_only(world, api):  # noqa: F811
    world.fake.store.register_client("app-push", "push-secret")
    world.profile("app-push", client_secret="push-secret", auth_mode="delegated")
    world.register_mailbox()
    push, me = world.fake.store.push, world.address.lower()
    push.callers.clear()
    waiting = graph_subscriptions.maintain(api)
    assert (waiting.created, waiting.failed) == (0, 0) and push.callers == []
    assert world.mailbox()["status"] == "active"          # not signed in yet: the session says so, not push

    assert world.sign_in().status_code == 200
    session_lock = Lease(world.rt.redis.client, keys.mailbox_lock(world.mailbox_id), 30)
    assert session_lock.acquire()                   # a session runs (and may be refreshing the token)
    try:
        busy = graph_subscriptions.maintain(api)
    finally:
        session_lock.release()
    assert (busy.created, busy.failed) == (0, 1) and push.callers == []      # the next pass does it
    made = graph_subscriptions.maintain(api)
    assert made.created == _count(api, world.mailbox_id) >= 4 and made.failed == 0, made
    assert {(method, who) for method, who, _ in push.callers} == {("POST", me)}
    assert {s.creator for s in push.live()} == {me}

    push.callers.clear()
    with api.db.session_scope() as s:
        s.get(Mailbox, world.mailbox_id).status = "suspended"
    assert graph_subscriptions.maintain(api).deleted == made.created
    assert {(method, who) for method, who, _ in push.callers} == {("DELETE", me)} and push.live() == []

    with api.db.session_scope() as s:
        s.get(Mailbox, world.mailbox_id).status = "active"
    assert graph_subscriptions.maintain(api).created == made.created
    with api.db.session_scope() as s:
        pk = s.scalars(select(GraphSubscription.id).where(GraphSubscription.mailbox_id == world.mailbox_id)).first()
        s.delete(s.get(Mailbox, world.mailbox_id))
    assert graph_subscriptions.refresh(api, pk, recreate=False) == "dropped"
    assert graph_subscriptions.maintain(api).forgotten == made.created - 1
    assert _count(api, None) == 0


def test_a_lifecycle_answer_a_running_session_outlasts_is_done_by_the_next_pass(world, api, monkeypatch):  # noqa: F811
    world.fake.store.register_client("app-push", "push-secret")
    world.profile("app-push", client_secret="push-secret", auth_mode="delegated")
    world.register_mailbox()
    assert world.sign_in().status_code == 200
    assert graph_subscriptions.maintain(api).created >= 4
    with api.db.session_scope() as s:
        row = s.scalars(select(GraphSubscription).where(GraphSubscription.mailbox_id == world.mailbox_id)).first()
        pk, subscription_id, stored = row.id, row.subscription_id, row.expires_at
    push = world.fake.store.push
    monkeypatch.setattr(graph_push_clients, "LOCK_WAIT_SECONDS", 0.5)
    session_lock = Lease(world.rt.redis.client, keys.mailbox_lock(world.mailbox_id), 30)
    assert session_lock.acquire()                   # a session runs past the lifecycle answer's wait
    try:
        assert graph_subscriptions.refresh(api, pk, recreate=False) == "deferred"
    finally:
        session_lock.release()
    with api.db.session_scope() as s:
        due = s.get(GraphSubscription, pk).expires_at
    assert due < stored and due - utcnow() < graph_subscriptions.RENEW_AHEAD, "within the next pass's renewals"
    push.callers.clear()
    assert graph_subscriptions.maintain(api).renewed >= 1
    assert ("PATCH", world.address.lower(), subscription_id) in push.callers
    with api.db.session_scope() as s:
        assert s.get(GraphSubscription, pk).expires_at > stored - timedelta(minutes=5)    # Graph's new expiry
