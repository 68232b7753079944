"""The sandbox's WebDAV-Push front for Radicale and the product's WebDAV-Push client against it:
discovery, registration (and its update), an encrypted push after a PUT that decrypts to the
draft's push-message with the collection's new sync-token, unregistration, refusals, and a push
resource that answers 410 losing its registration."""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.imap_dav.dav_probe import collection_version, dav_collections
from app.providers.imap_dav.web_push_crypto import decrypt, new_receiver_keys
from app.providers.imap_dav.webdav_push import parse_push_message, push_support, register, unregister
from app.sync.errors import PermissionDenied
from app.sync.items import FolderKind
from sandbox.mailservers.webdav_push_front import WebDavPushFront
from sandbox.salesforce.server import TlsServer
from tests.realservers.fixtures import LOOPBACK_POLICY

EVENT = ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:{uid}\r\n"
         "DTSTAMP:20261201T100000Z\r\nDTSTART:20261210T100000Z\r\nDTEND:20261210T110000Z\r\n"
         "SUMMARY:Pushed\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


class PushResource:
    """An HTTPS push resource that records what it is sent and answers ``status``."""

    def __init__(self) -> None:
        self.received: list[tuple[dict, bytes]] = []
        self.status = "201 Created"
        self.arrived = threading.Event()
        self.server = TlsServer(self.app)
        self.url = f"https://127.0.0.1:{self.server.port}/push/"
        self.server.start()

    def app(self, environ, start_response):
        body = environ["wsgi.input"].read(int(environ.get("CONTENT_LENGTH") or 0))
        self.received.append(({k: v for k, v in environ.items() if k.startswith(("HTTP_", "CONTENT_"))}, body))
        self.arrived.set()
        start_response(self.status, [("Content-Length", "0")])
        return [b""]

    def wait(self, count: int) -> list[tuple[dict, bytes]]:
        deadline = time.monotonic() + 30
        while len(self.received) < count and time.monotonic() < deadline:
            self.arrived.wait(0.2)
            self.arrived.clear()
        assert len(self.received) >= count, "no push arrived"
        return self.received


@pytest.fixture
def world(radicale_server) -> Iterator[tuple]:
    account = radicale_server.create_user()
    account.make_calendar("calendar")
    account.make_addressbook("contacts")
    receiver = PushResource()
    front = WebDavPushFront(radicale_server.base_url, ca_file=receiver.server.ca_path)
    url = front.base_url + "/"
    port = build_mailbox({"caldav_url": url, "carddav_url": url}, account.username, account.password,
                         MailboxOptions(allow_plaintext=True, timeout=10, host_policy=LOOPBACK_POLICY))
    yield front, receiver, port, account
    port.close()
    front.stop()
    receiver.server.stop()


def _calendar(port):
    folder = port.folders[FolderKind.CALENDAR]
    return folder.client.collection.href, folder.client.session


def _put(front, account, uid: str, **headers: str) -> None:
    url = f"{front.base_url}/{account.username}/calendar/{uid}.ics"
    answer = requests.put(url, data=EVENT.format(uid=uid).encode(), auth=(account.username, account.password),
                          headers={"Content-Type": "text/calendar", **headers}, timeout=10)
    assert answer.status_code in (201, 204), answer.text


def test_discovery_says_which_collections_push(world):
    front, _receiver, port, account = world
    href, session = _calendar(port)
    support = push_support(session, href)
    assert support is not None and support.topic == front.topic(href)
    assert push_support(session, f"/{account.username}/") is None          # the home: no push here
    options = requests.options(front.base_url + href, auth=(account.username, account.password), timeout=10)
    assert "webdav-push" in options.headers.get("DAV", "")
    assert set(dav_collections(port)) == {href, port.folders[FolderKind.CONTACTS].client.collection.href}


def test_a_put_pushes_an_encrypted_message_with_the_new_sync_token(world):
    front, receiver, port, account = world
    href, session = _calendar(port)
    keys = new_receiver_keys()
    asked = datetime.now(UTC) + timedelta(days=30)
    made = register(session, href, receiver.url + "a", keys, asked)
    assert made.url.startswith(front.base_url + "/push-registrations/")
    assert made.expires_at <= datetime.now(UTC) + timedelta(days=7, minutes=1)     # the server's cap, not ours
    again = register(session, href, receiver.url + "a", keys, asked)
    assert again.url == made.url and len(front.registered(href)) == 1              # an update, not a second one
    _put(front, account, "ev-1")
    [(headers, body)] = receiver.wait(1)
    assert headers["HTTP_CONTENT_ENCODING"] == "aes128gcm" and headers["HTTP_TTL"]
    message = parse_push_message(decrypt(body, keys))
    assert message.topic == front.topic(href) and message.content_update
    assert f"{{DAV:}}sync-token={message.sync_token}" == collection_version(session, href)
    assert unregister(session, made.url) is True
    assert unregister(session, made.url) is False                                  # 404: already gone
    assert front.registered(href) == []


def test_a_push_resource_that_answers_410_loses_its_registration(world):
    front, receiver, port, account = world
    href, session = _calendar(port)
    register(session, href, receiver.url + "gone", new_receiver_keys(), datetime.now(UTC) + timedelta(days=3))
    receiver.status = "410 Gone"
    _put(front, account, "ev-2")
    receiver.wait(1)
    deadline = time.monotonic() + 10
    while front.registered(href) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert front.registered(href) == [] and front.deliveries[-1].status == 410


def test_refusals_name_the_drafts_precondition(world):
    _front, _receiver, port, account = world
    href, session = _calendar(port)
    with pytest.raises(PermissionDenied, match="invalid-subscription"):      # Web Push needs https
        register(session, href, "http://127.0.0.1:9/push", new_receiver_keys(), datetime.now(UTC) + timedelta(days=1))
    with pytest.raises(PermissionDenied, match="push-not-available"):
        register(session, f"/{account.username}/", "https://127.0.0.1:9/p", new_receiver_keys(),
                 datetime.now(UTC) + timedelta(days=1))
