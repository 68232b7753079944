"""Several push watchers (one per host) share the mailboxes, against a real Redis and SQL: each
mailbox is held by exactly one live watcher, a stopping or dead watcher's share passes to the
others, and a watcher never forgets WebDAV-Push registrations of mailboxes another one holds."""
from __future__ import annotations

import secrets
import socket
import time
from collections import Counter
from datetime import timedelta
from types import SimpleNamespace

import redis
from sqlalchemy import func, select

from app.models import DavPushSubscription
from app.models.base import utcnow
from app.services.push_share import PushShare, owner
from app.services.push_targets import push_targets
from app.services.push_watcher import PushWatcher, WatcherSettings
from tests.factories import Factory

KEYS = [f"mailbox:{n}" for n in range(2000)]


def test_each_key_has_one_owner_and_a_new_member_takes_only_its_own_share():
    two = {key: owner(key, ["host-a-1", "host-b-2"]) for key in KEYS}
    assert set(Counter(two.values())) == {"host-a-1", "host-b-2"}
    assert all(600 < n < 1400 for n in Counter(two.values()).values())
    three = {key: owner(key, ["host-c-3", "host-a-1", "host-b-2"]) for key in KEYS}      # order does not matter
    moved = [key for key in KEYS if three[key] != two[key]]
    assert moved and all(three[key] == "host-c-3" for key in moved)
    assert 450 < len(moved) < 900                                                      # about a third


def _mailboxes(app, count: int) -> set[int]:
    factory = Factory(app)
    org = factory.org()
    return {factory.mailbox(factory.user(org), endpoints={"note": "no server: nothing to connect to"}).id
            for _ in range(count)}


def _registration(rt, mailbox_id: int) -> None:
    with rt.db.session_scope() as s:
        s.add(DavPushSubscription(mailbox_id=mailbox_id, collection_url=f"https://dav.test/{mailbox_id}/",
                                  topic="t", registration_url="", token_hash=secrets.token_hex(32),
                                  keys_enc="sealed", expires_at=utcnow() + timedelta(days=2)))


def test_two_watchers_split_the_mailboxes_and_a_stopping_one_hands_its_share_over(sqlite_app):
    rt = sqlite_app.extensions["syncline"]
    boxes = _mailboxes(sqlite_app, 24)
    for mailbox_id in boxes:
        _registration(rt, mailbox_id)
    settings = WatcherSettings(salesforce_streams=False)
    first, second = PushWatcher(rt, settings, member="host-a-1"), PushWatcher(rt, settings, member="host-b-2")
    try:
        first.reconcile()
        assert set(first.targets) == boxes                   # alone: it holds everything
        second.reconcile()
        first.reconcile()                                    # now it sees the second and hands over its share
        held_first, held_second = set(first.targets), set(second.targets)
        assert held_first and held_second and not held_first & held_second and held_first | held_second == boxes
        assert held_second == {m for m in boxes if owner(f"mailbox:{m}", ["host-a-1", "host-b-2"]) == "host-b-2"}
        with rt.db.session_scope() as s:                     # each keeps the other's registrations
            assert s.scalar(select(func.count()).select_from(DavPushSubscription)) == len(boxes)

        second.close()
        first.reconcile()
        assert set(first.targets) == boxes
    finally:
        first.close()
        second.close()


def test_a_watcher_that_stopped_renewing_drops_out_after_its_ttl(sqlite_app):
    rt = sqlite_app.extensions["syncline"]
    alive = PushShare(rt, "default", "host-a-1", ttl_seconds=60)
    dying = PushShare(rt, "default", "host-b-2", ttl_seconds=0.3)
    other_group = PushShare(rt, "eu", "host-c-3", ttl_seconds=60)
    dying.refresh()
    other_group.refresh()
    alive.refresh()
    assert alive.members == ["host-a-1", "host-b-2"] and other_group.members == ["host-c-3"]
    assert not all(alive.holds_mailbox(n) for n in range(50))
    time.sleep(0.5)
    alive.refresh()
    assert alive.members == ["host-a-1"] and all(alive.holds_mailbox(n) and alive.holds_org(n) for n in range(50))


def test_a_watcher_keeps_its_last_known_share_while_redis_is_unreachable(sqlite_app):
    rt = sqlite_app.extensions["syncline"]
    share = PushShare(rt, "default", "host-a-1", ttl_seconds=60)
    PushShare(rt, "default", "host-b-2", ttl_seconds=60).refresh()
    share.refresh()
    before = [share.holds_mailbox(n) for n in range(50)]
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    share.rt = SimpleNamespace(redis=SimpleNamespace(client=redis.Redis(port=port, socket_connect_timeout=0.2)))
    share.refresh()
    assert share.members == ["host-a-1", "host-b-2"] and [share.holds_mailbox(n) for n in range(50)] == before


def test_only_the_held_mailboxes_are_built_but_every_active_one_is_known(sqlite_app):
    rt = sqlite_app.extensions["syncline"]
    boxes = _mailboxes(sqlite_app, 6)
    odd = {m for m in boxes if m % 2}
    targets, active = push_targets(rt, lambda mailbox_id: mailbox_id in odd)
    assert set(targets) == odd and active == boxes
