"""Keeping Office 365 mailboxes subscribed, against the Graph fake and a real HTTPS API: create
(validated by Graph), renew before expiry, delete at Graph when the mailbox is suspended, and
the lifecycle answers (reauthorise by renewing, recreate a removed subscription)."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import GraphSubscription, Mailbox
from app.models.base import utcnow
from app.services import graph_subscriptions
from tests.graph_webhook import public_api


@pytest.fixture
def api(world):
    with public_api(world.rt.config, world.fake) as rt:
        yield rt


def _rows(rt, mailbox_id, kind: str | None = "calendar"):
    """The mailbox's subscription rows (of one kind; every kind with ``kind=None``)."""
    with rt.db.session_scope() as s:
        rows = s.scalars(select(GraphSubscription).where(GraphSubscription.mailbox_id == mailbox_id)).all()
        return [(r.id, r.subscription_id, r.kind, r.expires_at) for r in rows if kind in (None, r.kind)]


def test_maintenance_creates_once_renews_before_expiry_and_deletes_when_suspended(world, api):
    push = world.fake.store.push
    first = graph_subscriptions.maintain(api)
    assert (first.created, first.failed, first.skipped) == (len(_rows(api, world.mailbox_id, None)), 0, [])
    [(pk, sub_id, kind, expires)] = _rows(api, world.mailbox_id)
    assert kind == "calendar" and push.get(sub_id).resource == f"users/{world.address}/events"
    assert timedelta(days=6) < expires - utcnow() <= timedelta(minutes=10080)
    assert graph_subscriptions.maintain(api).created == 0 and _rows(api, world.mailbox_id)[0][1] == sub_id

    with api.db.session_scope() as s:                       # within a day of expiry
        s.get(GraphSubscription, pk).expires_at = utcnow() + timedelta(hours=3)
    assert graph_subscriptions.maintain(api).renewed == 1
    [(_, renewed_id, _, renewed_expiry)] = _rows(api, world.mailbox_id)
    assert renewed_id == sub_id and renewed_expiry - utcnow() > timedelta(days=6)
    assert push.get(sub_id).expires == renewed_expiry

    every = len(_rows(api, world.mailbox_id, None))
    with api.db.session_scope() as s:
        s.get(Mailbox, world.mailbox_id).status = "suspended"
    assert graph_subscriptions.maintain(api).deleted == every
    assert _rows(api, world.mailbox_id, None) == [] and push.live() == []


def test_a_removed_mailboxs_subscription_is_deleted_at_graph(world, api):
    graph_subscriptions.maintain(api)
    [(pk, sub_id, _, _)] = _rows(api, world.mailbox_id)
    with api.db.session_scope() as s:
        s.delete(s.get(Mailbox, world.mailbox_id))
    with api.db.session_scope() as s:
        assert s.get(GraphSubscription, pk).mailbox_id is None      # kept, so Graph can be told
    orphans = len(_rows(api, None, None))
    assert orphans >= 4 and graph_subscriptions.maintain(api).deleted == orphans
    assert world.fake.store.push.get(sub_id) is None
    with api.db.session_scope() as s:
        assert s.get(GraphSubscription, pk) is None


def test_lifecycle_refresh_renews_or_recreates(world, api):
    push = world.fake.store.push
    graph_subscriptions.maintain(api)
    [(pk, sub_id, _, _)] = _rows(api, world.mailbox_id)
    push.subscriptions[sub_id].needs_reauthorization = True
    assert graph_subscriptions.refresh(api, pk, recreate=False) == "renewed"
    assert not push.get(sub_id).needs_reauthorization
    push.delete(sub_id)                                    # Graph removed it
    assert graph_subscriptions.refresh(api, pk, recreate=False) == "recreated"
    [(_, new_id, kind, _)] = _rows(api, world.mailbox_id)
    assert new_id != sub_id and kind == "calendar" and push.get(new_id) is not None


def test_a_new_public_url_makes_each_subscription_anew_and_deletes_the_old_one(world, api):
    """A renewal keeps a subscription's notificationUrl: after SYNCLINE_PUBLIC_URL changed, each
    subscription is made anew under the new address and the old one deleted at Graph."""
    push = world.fake.store.push
    graph_subscriptions.maintain(api)
    old = {sub_id for _, sub_id, _, _ in _rows(api, world.mailbox_id, None)}
    with public_api(world.rt.config, world.fake) as moved:
        new_root = moved.config.public_url
        counts = graph_subscriptions.maintain(moved)
        assert (counts.renewed, counts.created, counts.failed) == (len(old), 0, 0)
        now = {sub_id for _, sub_id, _, _ in _rows(moved, world.mailbox_id, None)}
        assert len(now) == len(old) and not now & old and all(push.get(i) is None for i in old)
        assert all(push.get(i).notification_url.startswith(new_root + "/") for i in now)
        with moved.db.session_scope() as s:
            assert set(s.scalars(select(GraphSubscription.push_root))) == {new_root}
        again = graph_subscriptions.maintain(moved)
        assert (again.renewed, again.created) == (0, 0)
        assert {sub_id for _, sub_id, _, _ in _rows(moved, world.mailbox_id, None)} == now


def _forget_roots(rt) -> None:
    """As rows made before migration 0014 recorded no public URL."""
    with rt.db.session_scope() as s:
        for row in s.scalars(select(GraphSubscription)):
            row.push_root = None


def test_a_subscription_that_recorded_no_public_url_is_checked_against_graphs_copy(world, api):
    """Rows made before their address was recorded: Graph's notificationUrl is read once; one under
    an old address is made anew, one under the current address is kept and its address recorded."""
    push, store = world.fake.store.push, world.fake.store
    graph_subscriptions.maintain(api)                     # made under api's address, now the old one
    old = {sub_id for _, sub_id, _, _ in _rows(api, world.mailbox_id, None)}
    _forget_roots(api)
    with public_api(world.rt.config, world.fake) as current:
        counts = graph_subscriptions.maintain(current)
        assert (counts.renewed, counts.created, counts.failed) == (len(old), 0, 0)
        now = {sub_id for _, sub_id, _, _ in _rows(current, world.mailbox_id, None)}
        assert len(now) == len(old) and not now & old and all(push.get(i) is None for i in old)
        assert all(push.get(i).notification_url.startswith(current.config.public_url + "/") for i in now)

        _forget_roots(current)
        calls = store.requests
        assert graph_subscriptions.maintain(current).renewed == 0
        assert {sub_id for _, sub_id, _, _ in _rows(current, world.mailbox_id, None)} == now
        with current.db.session_scope() as s:
            assert set(s.scalars(select(GraphSubscription.push_root))) == {current.config.public_url}
        assert store.requests - calls == len(now)                       # one read each, once
        assert graph_subscriptions.maintain(current).renewed == 0 and store.requests - calls == len(now)


def test_a_copy_at_graph_without_a_notification_url_is_read_once_and_kept_as_current(world, api):
    push, store = world.fake.store.push, world.fake.store
    graph_subscriptions.maintain(api)
    rows = _rows(api, world.mailbox_id, None)
    for _, sub_id, _, _ in rows:
        push.get(sub_id).notification_url = ""          # an answer that omits it
    _forget_roots(api)
    calls = store.requests
    assert graph_subscriptions.maintain(api).renewed == 0
    assert graph_subscriptions.maintain(api).renewed == 0
    assert store.requests - calls == len(rows), "one read each, not one at every pass"
    with api.db.session_scope() as s:
        assert set(s.scalars(select(GraphSubscription.push_root))) == {api.config.public_url.rstrip("/")}


def test_a_subscription_that_recorded_no_public_url_and_graph_lost_is_made_anew(world, api):
    push = world.fake.store.push
    graph_subscriptions.maintain(api)
    [(_, sub_id, _, _)] = _rows(api, world.mailbox_id)
    _forget_roots(api)
    push.delete(sub_id)
    assert graph_subscriptions.maintain(api).failed == 0
    [(_, new_id, _, _)] = _rows(api, world.mailbox_id)
    assert new_id != sub_id and push.get(new_id) is not None


def test_nothing_is_subscribed_while_the_public_url_is_not_https(world):
    assert world.rt.config.public_url.startswith("http://")
    calls = world.fake.store.requests
    counts = graph_subscriptions.maintain(world.rt)
    assert (counts.created, counts.failed) == (0, 0) and _rows(world.rt, world.mailbox_id) == []
    assert world.fake.store.requests == calls
