"""WebDAV-Push for IMAP+DAV mailboxes: Syncline registers its own endpoint as the Web Push "push
resource" on every watched collection whose server offers it, so a change arrives as a POST
instead of waiting for the next poll (which stays, much slower, as the backstop).

The push watcher calls ``keep`` after a mailbox's poll (registering, renewing a day before expiry,
registering anew where ``SYNCLINE_PUBLIC_URL`` changed and removing the old registration, removing
registrations of collections no longer watched) and ``release`` when it lets a mailbox go
(suspended, removed, new credentials). ``receive`` is the API's half: the URL's token names the
registration (kept only as a hash), the body is decrypted with its keys, and a content update asks
`push_triggers` for one debounced session of that mailbox. Registrations need an HTTPS public URL
(the draft: Web Push over TLS only).
"""
from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import asdict
from datetime import datetime, timedelta

from sqlalchemy import delete, select

from app.models import DavPushSubscription, Mailbox
from app.models.base import utcnow
from app.providers.imap_dav.web_push_crypto import ReceiverKeys, decrypt, new_receiver_keys
from app.providers.imap_dav.webdav import DavSession
from app.providers.imap_dav.webdav_push import parse_push_message, push_support, register, unregister
from app.runtime import Runtime
from app.security.secret_box import SecretDecryptError
from app.services import push_triggers
from app.services.push_address import moved, public_root
from app.sync.errors import InvalidData, SyncError

log = logging.getLogger("syncline.push")

PUSH_PATH = "/api/v1/push/webdav/"
LIFETIME = timedelta(days=3)            # asked for; the draft: servers SHOULD allow at least three days
RENEW_AHEAD = timedelta(days=1)
MODE = "webdav-push"


def registration_urls(rt: Runtime, mailbox_id: int) -> tuple[str, ...]:
    """The mailbox's registration URLs the servers have confirmed: its sessions name them on their
    writes (``Push-Dont-Notify``), so a write-back is not pushed back as a change."""
    with rt.db.session_scope() as s:
        return tuple(s.scalars(select(DavPushSubscription.registration_url).where(
            DavPushSubscription.mailbox_id == mailbox_id, DavPushSubscription.registration_url != "")))


class UnknownSubscription(Exception):
    """The token names no registration of ours (removed, or never made): answered 404."""


class BadPush(ValueError):
    """Not an aes128gcm push-message for this registration's keys and topic."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def enabled(rt: Runtime) -> bool:
    return rt.config.public_url.startswith("https://")


class WebDavPushKeeper:
    """The push watcher's side (runs in its poll threads; every call opens its own DB session)."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def keep(self, mailbox_id: int, collections: Mapping[str, DavSession]) -> bool:
        """Registrations for every collection that can push; True when all of them are covered."""
        now = utcnow()
        with self.rt.db.session_scope() as s:
            rows = {r.collection_url: (r.id, r.registration_url, r.expires_at, r.keys_enc) for r in s.scalars(
                select(DavPushSubscription).where(DavPushSubscription.mailbox_id == mailbox_id))}
        covered = 0
        for href, session in collections.items():
            url = session.url(href)
            row = rows.pop(url, None)
            if row is not None and self._moved(row[3]):     # SYNCLINE_PUBLIC_URL changed: a new push resource
                self._remove(row[0], row[1], session)
                row = None
            if row is not None and row[1] and row[2] - now > RENEW_AHEAD:
                covered += 1
            elif row is not None:
                covered += self._renew(row[0], session, href, now)
            else:
                covered += self._create(mailbox_id, session, href, url, now)
        sessions = list(collections.values())
        for pk, registration_url, *_ in rows.values():      # collections no longer watched
            self._remove(pk, registration_url, sessions[0] if sessions else None)
        return bool(collections) and covered == len(collections)

    def take_registrations(self, mailbox_id: int) -> list[str]:
        """Forget a mailbox's registrations now (a new watch of it starts afresh) and return their
        URLs for ``release``."""
        with self.rt.db.session_scope() as s:
            rows = list(s.scalars(select(DavPushSubscription).where(DavPushSubscription.mailbox_id == mailbox_id)))
            urls = [r.registration_url for r in rows if r.registration_url]
            for row in rows:
                s.delete(row)
        return urls

    def release(self, registration_urls: list[str], session: DavSession | None) -> None:
        """Unregister at the server (best effort: a registration we forgot is answered 404 at its
        next push, and the server drops it)."""
        for url in registration_urls:
            self._unregister(url, session)

    def _create(self, mailbox_id: int, session: DavSession, href: str, url: str, now: datetime) -> int:
        support = push_support(session, href)
        if support is None:
            return 0
        token, keys = secrets.token_urlsafe(32), new_receiver_keys()
        with self.rt.db.session_scope() as s:       # stored first: the server may push before it answers
            row = DavPushSubscription(mailbox_id=mailbox_id, collection_url=url, topic=support.topic,
                                      token_hash=token_hash(token), keys_enc=seal_keys(self.rt, token, keys),
                                      expires_at=now + LIFETIME)
            s.add(row)
            s.flush()
            pk = row.id
        try:
            made = register(session, href, self._push_resource(token), keys, now + LIFETIME)
        except SyncError:
            self._delete(pk)
            raise
        self._registered(pk, made.url, made.expires_at)
        log.info("webdav-push registered", extra={"ctx": {"mailbox_id": mailbox_id, "collection": href,
                                                          "expires_at": made.expires_at.isoformat()}})
        return 1

    def _renew(self, pk: int, session: DavSession, href: str, now: datetime) -> int:
        """POST the same push resource again: the draft's subscription update."""
        with self.rt.db.session_scope() as s:
            row = s.get(DavPushSubscription, pk)
            token, keys, _ = _unseal(self.rt, row.keys_enc) if row is not None else ("", None, "")
        if keys is None:
            return 0
        made = register(session, href, self._push_resource(token), keys, now + LIFETIME)
        self._registered(pk, made.url, made.expires_at)
        return 1

    def _remove(self, pk: int, registration_url: str, session: DavSession | None) -> None:
        self._unregister(registration_url, session)
        self._delete(pk)

    def _unregister(self, registration_url: str, session: DavSession | None) -> None:
        if registration_url and session is not None:
            try:
                unregister(session, registration_url)
            except SyncError as exc:
                log.warning("webdav-push unregister failed; forgotten anyway",
                            extra={"ctx": {"registration": registration_url, "error": str(exc)}})

    def _registered(self, pk: int, registration_url: str, expires_at: datetime) -> None:
        with self.rt.db.session_scope() as s:
            row = s.get(DavPushSubscription, pk)
            if row is not None:
                row.registration_url, row.expires_at = registration_url, expires_at

    def _delete(self, pk: int) -> None:
        with self.rt.db.session_scope() as s:
            s.execute(delete(DavPushSubscription).where(DavPushSubscription.id == pk))

    def _push_resource(self, token: str) -> str:
        return public_root(self.rt) + PUSH_PATH + token

    def _moved(self, sealed: str) -> bool:
        """Whether the registration pushes to another public URL than the one configured now."""
        return moved(self.rt, _unseal(self.rt, sealed)[2])


def forget_others(rt: Runtime, watched: set[int]) -> int:
    """Forget registrations of mailboxes no longer watched (suspended while no watcher ran): their
    pushes are then answered 404 and the servers drop them."""
    with rt.db.session_scope() as s:
        result = s.execute(delete(DavPushSubscription).where(DavPushSubscription.mailbox_id.not_in(watched)))
        return int(getattr(result, "rowcount", 0) or 0)


def receive(rt: Runtime, token: str, body: bytes, content_encoding: str) -> str | None:
    """The session trigger's outcome for a content update; None for a message that asks for nothing
    (a property update or a VAPID key rotation message)."""
    with rt.db.session_scope() as s:
        row = s.scalar(select(DavPushSubscription).where(DavPushSubscription.token_hash == token_hash(token)))
        if row is None:
            raise UnknownSubscription("no WebDAV-Push registration has that address")
        if s.scalar(select(Mailbox.status).where(Mailbox.id == row.mailbox_id)) != "active":
            raise UnknownSubscription("the registration's mailbox is not active")
        mailbox_id, topic, sealed = row.mailbox_id, row.topic, row.keys_enc
    if content_encoding.strip().lower() != "aes128gcm":
        raise BadPush("a WebDAV-Push message must be encrypted (Content-Encoding: aes128gcm)")
    _, keys, _ = _unseal(rt, sealed)
    if keys is None:
        raise UnknownSubscription("the registration's keys cannot be read with the configured secret keys")
    try:
        message = parse_push_message(decrypt(body, keys))
    except InvalidData as exc:
        raise BadPush(str(exc)) from exc
    if message.topic and message.topic != topic:
        raise BadPush("the push message is for another collection's topic")
    if not message.topic or not message.content_update:
        return None
    return push_triggers.changed(rt, mailbox_id)


def seal_keys(rt: Runtime, token: str, keys: ReceiverKeys) -> str:
    """The push resource's token, the public URL it was made under and the RFC 8291 receiver keys,
    encrypted at rest."""
    return rt.secrets.encrypt(json.dumps({"token": token, "base": public_root(rt), **asdict(keys)}))


def _unseal(rt: Runtime, sealed: str) -> tuple[str, ReceiverKeys | None, str]:
    """(token, receiver keys, public URL; "" when not recorded), or ("", None, "") when unreadable."""
    try:
        data = json.loads(rt.secrets.decrypt(sealed))
        return data["token"], ReceiverKeys(data["private"], data["public"], data["auth"]), str(data.get("base", ""))
    except (SecretDecryptError, ValueError, KeyError, TypeError, AttributeError):
        return "", None, ""
