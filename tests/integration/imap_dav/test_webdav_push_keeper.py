"""The push watcher's WebDAV-Push keeper against Radicale behind the sandbox's push front, with real
SQL: it registers every collection that pushes, renews a registration near its expiry in place
(same registration), unregisters collections no longer watched, releases a mailbox's
registrations, and leaves a server without WebDAV-Push to polling."""
from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.models import DavPushSubscription
from app.models.base import utcnow
from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.imap_dav.dav_probe import dav_collections
from app.services.dav_push_subscriptions import PUSH_PATH, WebDavPushKeeper
from app.sync.items import FolderKind
from sandbox.mailservers.webdav_push_front import WebDavPushFront
from tests.factories import Factory
from tests.realservers.fixtures import LOOPBACK_POLICY

PUBLIC = "https://syncline.test"


@pytest.fixture
def world(sqlite_app, radicale_server) -> Iterator[tuple]:
    rt = sqlite_app.extensions["syncline"]
    keeper = WebDavPushKeeper(dataclasses.replace(rt, config=rt.config.with_overrides(public_url=PUBLIC)))
    account = radicale_server.create_user()
    account.make_calendar("calendar")
    account.make_addressbook("contacts")
    factory = Factory(sqlite_app)
    mailbox = factory.mailbox(factory.user(factory.org()))
    front = WebDavPushFront(radicale_server.base_url)
    ports = [build_mailbox({"caldav_url": url, "carddav_url": url}, account.username, account.password,
                           MailboxOptions(allow_plaintext=True, timeout=10, host_policy=LOOPBACK_POLICY))
             for url in (front.base_url + "/", radicale_server.base_url + "/")]
    yield keeper, front, ports, mailbox.id
    for port in ports:
        port.close()
    front.stop()


def _rows(keeper: WebDavPushKeeper, mailbox_id: int) -> dict[str, DavPushSubscription]:
    with keeper.rt.db.session_scope() as s:
        rows = list(s.scalars(select(DavPushSubscription).where(DavPushSubscription.mailbox_id == mailbox_id)))
        s.expunge_all()
    return {r.collection_url: r for r in rows}


def test_registers_renews_in_place_drops_stale_and_releases(world):
    keeper, front, (pushing, _), mailbox_id = world
    collections = dav_collections(pushing)
    calendar = pushing.folders[FolderKind.CALENDAR].client.collection.href
    assert keeper.keep(mailbox_id, collections) is True
    rows = _rows(keeper, mailbox_id)
    assert len(rows) == 2 and all(r.registration_url.startswith(front.base_url) for r in rows.values())
    [registration] = front.registered(calendar)
    assert registration.push_resource.startswith(PUBLIC + PUSH_PATH)
    assert rows[front.base_url + calendar].token_hash not in registration.push_resource

    with keeper.rt.db.session_scope() as s:          # near expiry: renewed with the same push resource
        s.get(DavPushSubscription, rows[front.base_url + calendar].id).expires_at = utcnow() + timedelta(hours=1)
    assert keeper.keep(mailbox_id, collections) is True
    renewed = _rows(keeper, mailbox_id)[front.base_url + calendar]
    assert front.registered(calendar)[0].id == registration.id and len(front.registered(calendar)) == 1
    assert renewed.registration_url == rows[front.base_url + calendar].registration_url
    assert renewed.expires_at > utcnow() + timedelta(days=2)

    assert keeper.keep(mailbox_id, {calendar: collections[calendar]}) is True      # the address book no longer watched
    assert list(_rows(keeper, mailbox_id)) == [front.base_url + calendar]
    assert len(front.registrations) == 1

    keeper.release(keeper.take_registrations(mailbox_id), collections[calendar])
    assert _rows(keeper, mailbox_id) == {} and front.registrations == {}


def test_a_server_without_webdav_push_is_left_to_polling(world):
    keeper, _front, (_, plain), mailbox_id = world
    assert keeper.keep(mailbox_id, dav_collections(plain)) is False
    assert _rows(keeper, mailbox_id) == {}


def test_a_new_public_url_replaces_each_registration_and_removes_the_old_one(world):
    """SYNCLINE_PUBLIC_URL changed: the registrations still pushing to the old address are replaced
    (a new push resource is a new registration in the draft) and the old ones unregistered."""
    keeper, front, (pushing, _), mailbox_id = world
    collections = dav_collections(pushing)
    calendar = pushing.folders[FolderKind.CALENDAR].client.collection.href
    assert keeper.keep(mailbox_id, collections) is True
    [before] = front.registered(calendar)
    moved_rt = dataclasses.replace(keeper.rt, config=keeper.rt.config.with_overrides(public_url="https://new.syncline.test"))
    moved = WebDavPushKeeper(moved_rt)
    assert moved.keep(mailbox_id, collections) is True
    [after] = front.registered(calendar)
    assert after.id != before.id and after.push_resource.startswith("https://new.syncline.test" + PUSH_PATH)
    assert len(front.registrations) == 2                               # one per collection, none left behind
    assert _rows(keeper, mailbox_id)[front.base_url + calendar].registration_url == front.registration_url(after)
    assert moved.keep(mailbox_id, collections) is True and front.registered(calendar)[0].id == after.id   # settled


def test_a_registration_sealed_without_its_public_url_is_kept_as_it_is(world):
    """Rows made before the public URL was sealed with them are taken as current (no churn)."""
    import json

    keeper, front, (pushing, _), mailbox_id = world
    collections = dav_collections(pushing)
    calendar = pushing.folders[FolderKind.CALENDAR].client.collection.href
    assert keeper.keep(mailbox_id, collections) is True
    [before] = front.registered(calendar)
    with keeper.rt.db.session_scope() as s:
        for row in s.scalars(select(DavPushSubscription).where(DavPushSubscription.mailbox_id == mailbox_id)):
            data = json.loads(keeper.rt.secrets.decrypt(row.keys_enc))
            del data["base"]
            row.keys_enc = keeper.rt.secrets.encrypt(json.dumps(data))
    moved_rt = dataclasses.replace(keeper.rt, config=keeper.rt.config.with_overrides(public_url="https://new.syncline.test"))
    assert WebDavPushKeeper(moved_rt).keep(mailbox_id, collections) is True
    assert [r.id for r in front.registered(calendar)] == [before.id]
