"""CalDAV/CardDAV servers' WebDAV-Push messages to the API, with real Redis and SQL: a content
update for a registration of ours queues one session for that mailbox only and is answered 201
(RFC 8030 §5); anything that is not an aes128gcm push-message for the registration's keys and
topic is 400 and queues nothing; an address we do not know (or a suspended mailbox's) is 404."""
from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from rq import Queue

from app.models import DavPushSubscription, Mailbox
from app.models.base import utcnow
from app.providers.imap_dav.web_push_crypto import encrypt, new_receiver_keys
from app.services.dav_push_subscriptions import PUSH_PATH, seal_keys, token_hash
from app.state import keys, queues

TOPIC = "O7M1nQ7cKkKTKsoS_j6Z3w"
ENCRYPTED = {"Content-Encoding": "aes128gcm", "Content-Type": 'application/xml; charset="UTF-8"'}


@pytest.fixture
def rt(app):
    return app.extensions["syncline"]


def _registered(factory, rt, user=None):
    """A mailbox with one registration: (mailbox id, push URL path, receiver keys)."""
    mailbox = factory.mailbox(user or factory.user(factory.org()))
    token, receiver = secrets.token_urlsafe(32), new_receiver_keys()
    with rt.db.session_scope() as s:
        s.add(DavPushSubscription(mailbox_id=mailbox.id, collection_url="http://dav.test/u/calendar/", topic=TOPIC,
                                  registration_url="http://dav.test/push/1", token_hash=token_hash(token),
                                  keys_enc=seal_keys(rt, token, receiver), expires_at=utcnow() + timedelta(days=3)))
    return mailbox.id, PUSH_PATH + token, receiver


def _message(topic: str = TOPIC, content: bool = True) -> bytes:
    update = "<content-update><D:sync-token>http://dav.test/sync/10</D:sync-token></content-update>" if content \
        else "<property-update/>"
    return (f'<?xml version="1.0"?><push-message xmlns="https://bitfire.at/webdav-push" xmlns:D="DAV:">'
            f"<topic>{topic}</topic>{update}</push-message>").encode()


def _sync_jobs(rt) -> list[str]:
    return Queue(queues.SYNC, connection=rt.redis.client).job_ids


def test_a_content_update_queues_one_session_for_that_mailbox_only(client, factory, rt):
    mine, path, receiver = _registered(factory, rt)
    other, _, _ = _registered(factory, rt)
    for _ in range(3):
        answer = client.post(path, data=encrypt(_message(), receiver.public, receiver.auth), headers=ENCRYPTED)
        assert answer.status_code == 201 and answer.headers["Location"].startswith("http://localhost" + path)
    assert _sync_jobs(rt) == [keys.sync_job_id(mine)] and keys.sync_job_id(other) not in _sync_jobs(rt)


def test_a_property_update_is_acknowledged_and_queues_nothing(client, factory, rt):
    _, path, receiver = _registered(factory, rt)
    answer = client.post(path, data=encrypt(_message(content=False), receiver.public, receiver.auth), headers=ENCRYPTED)
    assert answer.status_code == 201 and _sync_jobs(rt) == []


@pytest.mark.parametrize("case", ["plain", "other keys", "junk", "empty", "not a push-message", "other topic"])
def test_what_is_not_our_push_message_is_400_and_queues_nothing(client, factory, rt, case):
    _, path, receiver = _registered(factory, rt)
    stranger = new_receiver_keys()
    body, headers = {
        "plain": (_message(), {"Content-Type": "application/xml"}),
        "other keys": (encrypt(_message(), stranger.public, stranger.auth), ENCRYPTED),
        "junk": (secrets.token_bytes(200), ENCRYPTED),
        "empty": (b"", ENCRYPTED),
        "not a push-message": (encrypt(b"<multistatus xmlns='DAV:'/>", receiver.public, receiver.auth), ENCRYPTED),
        "other topic": (encrypt(_message("another"), receiver.public, receiver.auth), ENCRYPTED),
    }[case]
    answer = client.post(path, data=body, headers=headers)
    assert answer.status_code == 400 and answer.json["message"].startswith("Rejected:")
    assert _sync_jobs(rt) == []


def test_an_unknown_address_or_a_suspended_mailbox_is_404_so_the_server_drops_it(client, factory, rt):
    mailbox_id, path, receiver = _registered(factory, rt)
    body = encrypt(_message(), receiver.public, receiver.auth)
    for unknown in (PUSH_PATH + secrets.token_urlsafe(32), PUSH_PATH + "short", PUSH_PATH + "x" * 300):
        assert client.post(unknown, data=body, headers=ENCRYPTED).status_code == 404
    with rt.db.session_scope() as s:
        s.get(Mailbox, mailbox_id).status = "suspended"
    assert client.post(path, data=body, headers=ENCRYPTED).status_code == 404
    assert _sync_jobs(rt) == []


def test_an_oversized_body_is_413(client, factory, rt):
    _, path, _ = _registered(factory, rt)
    assert client.post(path, data=b"x" * 9000, headers=ENCRYPTED).status_code == 413


def test_the_dashboard_shows_webdav_push_while_a_registration_is_unexpired(client, factory, rt):
    user = factory.user(factory.org())
    mailbox_id, _, _ = _registered(factory, rt, user)
    dashboard = f"/api/v1/mailboxes/{mailbox_id}/dashboard"
    push = client.get(dashboard, headers=factory.auth(user)).json["push"]
    assert push["live"] is True and push["mode"] == "webdav-push"
    with rt.db.session_scope() as s:
        for row in s.query(DavPushSubscription).filter_by(mailbox_id=mailbox_id):
            row.expires_at = utcnow() - timedelta(minutes=1)
    push = client.get(dashboard, headers=factory.auth(user)).json["push"]
    assert push["live"] is False and push["mode"] is None
