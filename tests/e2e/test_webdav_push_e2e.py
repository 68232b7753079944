"""WebDAV-Push end to end: Radicale behind the sandbox's WebDAV-Push front, a REAL push-watcher
process (its poll interval an hour, so only a push can carry a change) that registers Syncline's
public HTTPS endpoint on the mailbox's collections, the API served over real HTTPS receiving the
front's encrypted push messages, and the REAL worker's session carrying the event to the Salesforce
emulator. Suspending the mailbox unregisters it at the server; resuming registers again."""
from __future__ import annotations

import secrets
from collections.abc import Iterator
from datetime import timedelta

import pytest
import requests
from sqlalchemy import select

from app import create_app
from app.models import DavPushSubscription
from app.services.dav_push_subscriptions import PUSH_PATH
from sandbox.mailservers.webdav_push_front import WebDavPushFront
from sandbox.salesforce.server import TlsServer
from tests.e2e.helpers import NOW, Person, dashboard, force_sync, ics, sign_up, wait_until
from tests.e2e.test_imap_push_e2e import WatcherProcess

HOUR = "3600"


@pytest.fixture(scope="module")
def public(e2e) -> Iterator[tuple[str, str]]:
    """The API on real HTTPS (SYNCLINE_PUBLIC_URL of the watcher): (its URL, its CA file)."""
    holder: dict = {}
    server = TlsServer(lambda environ, start: holder["app"](environ, start))
    url = f"https://127.0.0.1:{server.port}"
    holder["app"] = create_app(e2e.rt.config.with_overrides(public_url=url))
    server.start()
    yield url, server.ca_path
    server.stop()
    holder["app"].extensions["syncline"].db.dispose()


@pytest.fixture(scope="module")
def front(e2e, public) -> Iterator[WebDavPushFront]:
    pushing = WebDavPushFront(e2e.radicale.base_url, ca_file=public[1])
    yield pushing
    pushing.stop()


@pytest.fixture(scope="module")
def watcher(e2e, public) -> Iterator[WatcherProcess]:
    env = {**e2e.env, "SYNCLINE_PUBLIC_URL": public[0]}
    process = WatcherProcess(env, e2e.tmp / f"push-watcher-webdav-{secrets.token_hex(3)}.log",
                             "--dav-interval", HOUR, "--dav-push-interval", HOUR)
    yield process
    process.stop()


def _wait(check, what: str, person: Person, watcher: WatcherProcess, timeout: float = 90):
    return wait_until(check, what, person.e2e, timeout, watcher)


def _calendar(person: Person) -> str:
    return f"/{person.dav.username}/calendar/"


def _rows(person: Person) -> list[DavPushSubscription]:
    with person.e2e.rt.db.session_scope() as s:
        rows = list(s.scalars(select(DavPushSubscription).where(DavPushSubscription.mailbox_id == person.mailbox_id)))
        s.expunge_all()
        return rows


def _pushed(person: Person, front: WebDavPushFront, watcher: WatcherProcess) -> dict:
    """Wait until the calendar holds our registration and the dashboard shows WebDAV-Push."""
    def ready():
        push = dashboard(person)["push"]
        live = push["live"] and (push["mode"] or "").endswith("+webdav-push")
        return push if live and front.registered(_calendar(person)) else None
    return _wait(ready, "the WebDAV-Push registration", person, watcher)


def _put_through_front(person: Person, front: WebDavPushFront, uid: str, subject: str) -> None:
    answer = requests.put(f"{front.base_url}{_calendar(person)}{uid}.ics",
                          data=ics(uid, subject, NOW + timedelta(days=2)).encode(),
                          auth=(person.dav.username, person.dav.password),
                          headers={"Content-Type": "text/calendar; charset=utf-8"}, timeout=10)
    assert answer.status_code in (201, 204), answer.text


def _events(person: Person, subject: str) -> list[dict]:
    return [e for e in person.e2e.emu.records(person.sf_org, "Event") if e["Subject"] == subject]


def test_an_event_created_in_radicale_reaches_salesforce_through_a_push(e2e, factory, public, front, watcher):
    ann = sign_up(e2e, factory, caldav_port=front.port)
    _pushed(ann, front, watcher)
    [registration] = front.registered(_calendar(ann))
    assert registration.push_resource.startswith(public[0] + PUSH_PATH)
    rows = {r.collection_url: r for r in _rows(ann)}
    assert rows[front.base_url + _calendar(ann)].registration_url == front.registration_url(registration)
    assert all(r.token_hash not in registration.push_resource for r in rows.values())    # only the hash is kept
    _put_through_front(ann, front, "webdav-push-1", "Pushed through WebDAV-Push")
    _wait(lambda: _events(ann, "Pushed through WebDAV-Push"), "the event reaching Salesforce", ann, watcher)
    assert len(_events(ann, "Pushed through WebDAV-Push")) == 1
    assert any(d.push_resource == registration.push_resource and d.status == 201 for d in front.deliveries)
    assert watcher.lines("push change seen", ann.mailbox_id) == []           # the poll saw nothing: the push did it
    sessions = dashboard(ann)["sessions"]
    assert sessions and {s["trigger"] for s in sessions} == {"push"}, sessions


def test_a_suspended_mailbox_is_unregistered_and_a_resumed_one_registered_again(e2e, factory, front, watcher):
    bob = sign_up(e2e, factory, caldav_port=front.port)
    _pushed(bob, front, watcher)
    client = e2e.app.test_client()
    answer = client.post(f"/api/v1/mailboxes/{bob.mailbox_id}/suspend", json={"reason": "holiday"},
                         headers=bob.headers)
    assert answer.status_code == 200, answer.json
    _wait(lambda: not front.registered(_calendar(bob)) and not _rows(bob), "the registrations removed", bob, watcher)
    delivered = len(front.deliveries)
    _put_through_front(bob, front, "webdav-push-2", "While suspended")
    assert len(front.deliveries) == delivered and not front.registered(_calendar(bob))
    answer = client.post(f"/api/v1/mailboxes/{bob.mailbox_id}/resume", headers=bob.headers)
    assert answer.status_code == 200, answer.json
    _pushed(bob, front, watcher)


def test_the_sessions_own_write_to_the_calendar_is_not_pushed_back_to_it(e2e, factory, front, watcher):
    """A Salesforce event the session writes into the calendar names the mailbox's registration in
    ``Push-Dont-Notify``: the server spares it (no push, so no second session for our own write)."""
    cid = sign_up(e2e, factory, caldav_port=front.port)
    _pushed(cid, front, watcher)
    [registration] = front.registered(_calendar(cid))
    _wait(lambda: all(r.registration_url for r in _rows(cid)), "the registration URL stored", cid, watcher)
    start = NOW + timedelta(days=3)
    e2e.emu.insert(cid.sf_org, "Event", {
        "Subject": "Made in Salesforce", "StartDateTime": start.isoformat(), "DurationInMinutes": 60,
        "EndDateTime": (start + timedelta(hours=1)).isoformat(), "OwnerId": cid.sf_user}, cid.sf_user)
    assert force_sync(cid)["status"] == "succeeded"
    assert [i.subject for i in cid.calendar_items()] == ["Made in Salesforce"]
    _wait(lambda: registration.push_resource in front.suppressed, "the write sparing our registration", cid, watcher)
    assert not [d for d in front.deliveries if d.push_resource == registration.push_resource]
