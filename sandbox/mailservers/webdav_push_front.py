"""A WebDAV-Push front for Radicale (which has no push of its own), following the bitfireAT draft
(namespace ``https://bitfire.at/webdav-push``) closely enough that a client written against it
also works with Nextcloud's dav_push app.

A reverse proxy: every request goes to Radicale with the caller's credentials, except
- ``OPTIONS`` gains ``webdav-push`` in its ``DAV`` header;
- a ``PROPFIND`` asking for ``transports``/``topic``/``supported-triggers`` on a calendar or address
  book gets them (web-push; content updates at depth 1; the topic is a hash of the path);
- a ``POST`` of ``push-register`` to such a collection registers (or, same push resource, updates)
  a Web Push subscription: 204 with the registration URL in ``Location`` and ``Expires``; 403 with
  ``invalid-subscription``/``no-trigger-supported``/``push-not-available`` as the draft says;
- ``DELETE`` of a registration URL removes it (204; 404 when unknown).
After a successful PUT/DELETE/MOVE/COPY through the front, every unexpired registration of the
changed collection gets a ``push-message`` (topic, content-update with the new sync-token),
RFC 8291-encrypted, POSTed to its push resource in a thread; 404/410 from the push resource
removes the registration. ``Push-Dont-Notify`` is honoured (``suppressed`` records whom it spared).
``deliveries`` records each POST.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote, urlsplit

import requests
from lxml import etree

from app.providers.imap_dav.web_push_crypto import encrypt, unb64url
from app.sync.errors import InvalidData
from sandbox.mailservers.fault_proxy import DAV_METHODS, RelayHandler, relay
from sandbox.mailservers.process import free_port

PUSH_NS = "https://bitfire.at/webdav-push"
P = f"{{{PUSH_NS}}}"
PUSHABLE = ("{urn:ietf:params:xml:ns:caldav}calendar", "{urn:ietf:params:xml:ns:carddav}addressbook")
REGISTRATIONS = "/push-registrations/"
SAFE = etree.XMLParser(resolve_entities=False, no_network=True)
CHANGES = ("PUT", "DELETE", "MOVE", "COPY")


@dataclass
class Registration:
    id: str
    collection: str           # unquoted path with a trailing slash
    owner: str
    push_resource: str
    public_key: str
    auth_secret: str
    expires: datetime


@dataclass(frozen=True)
class Delivery:
    push_resource: str
    status: int               # 0: not reached
    message: bytes            # the plaintext push-message


@dataclass
class WebDavPushFront:
    """``base_url`` fronts ``upstream``; ``ca_file`` is trusted for https push resources."""

    upstream_url: str
    ca_file: str | None = None
    max_lifetime: timedelta = timedelta(days=7)
    registrations: dict[str, Registration] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)   # push resources a writer's Push-Dont-Notify spared

    def __post_init__(self) -> None:
        parts = urlsplit(self.upstream_url)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="webdav-push-front", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @staticmethod
    def topic(collection: str) -> str:
        return base64.urlsafe_b64encode(hashlib.sha256(_collection(collection).encode()).digest()[:16]) \
            .decode().rstrip("=")

    def registered(self, collection: str) -> list[Registration]:
        with self.lock:
            return [r for r in self.registrations.values() if r.collection == _collection(collection)]

    def register(self, collection: str, owner: str, sub: dict[str, str], expires: datetime) -> Registration:
        """The draft: one registration per (collection, push resource); registering again updates it."""
        with self.lock:
            for existing in self.registrations.values():
                if existing.collection == collection and existing.push_resource == sub["push_resource"]:
                    existing.public_key, existing.auth_secret = sub["public_key"], sub["auth_secret"]
                    existing.expires, existing.owner = expires, owner
                    return existing
            made = Registration(secrets.token_urlsafe(12), collection, owner, sub["push_resource"],
                                sub["public_key"], sub["auth_secret"], expires)
            self.registrations[made.id] = made
            return made

    def notify(self, collections: set[str], authorization: str, dont_notify: str) -> None:
        """Push a content update of each collection to its live registrations (in a thread)."""
        now = datetime.now(UTC)
        with self.lock:
            live = [r for r in self.registrations.values() if r.collection in collections and r.expires > now]
            due = [r for r in live if not _suppressed(dont_notify, self.registration_url(r))]
            self.suppressed += [r.push_resource for r in live if r not in due]
        if due:
            threading.Thread(target=self._deliver, args=(due, authorization), daemon=True).start()

    def registration_url(self, registration: Registration) -> str:
        return f"{self.base_url}{REGISTRATIONS}{registration.id}"

    def _deliver(self, due: list[Registration], authorization: str) -> None:
        tokens: dict[str, str] = {}
        for registration in due:
            if registration.collection not in tokens:
                tokens[registration.collection] = self._sync_token(registration.collection, authorization)
            message = _push_message(self.topic(registration.collection), tokens[registration.collection])
            body = encrypt(message, registration.public_key, registration.auth_secret)
            try:
                status = requests.post(registration.push_resource, data=body, timeout=10,
                                       verify=self.ca_file or True, headers={
                                           "Content-Type": 'application/xml; charset="UTF-8"',
                                           "Content-Encoding": "aes128gcm", "TTL": "86400"}).status_code
            except requests.RequestException:
                status = 0
            with self.lock:
                self.deliveries.append(Delivery(registration.push_resource, status, message))
                if status in (404, 410):       # the draft: remove invalid subscriptions
                    self.registrations.pop(registration.id, None)

    def _sync_token(self, collection: str, authorization: str) -> str:
        body = b'<propfind xmlns="DAV:"><prop><sync-token/></prop></propfind>'
        status, _, data = relay(self.upstream, "PROPFIND", collection,
                                {"Authorization": authorization, "Depth": "0"}, body)
        if status != 207:
            return ""
        return etree.fromstring(data, SAFE).findtext(".//{DAV:}sync-token", default="").strip()

    def pushable(self, path: str, authorization: str) -> tuple[int, bool]:
        """Radicale's status for the path with these credentials, and whether it is a calendar or
        address book (the resources that push here)."""
        body = b'<propfind xmlns="DAV:"><prop><resourcetype/></prop></propfind>'
        status, _, data = relay(self.upstream, "PROPFIND", path, {"Authorization": authorization, "Depth": "0"},
                                body)
        if status != 207:
            return status, False
        types = {child.tag for child in etree.fromstring(data, SAFE).iterfind(".//{DAV:}resourcetype/*")}
        return status, any(kind in types for kind in PUSHABLE)


def _collection(path: str) -> str:
    clean = unquote(urlsplit(path).path)
    return clean if clean.endswith("/") else clean + "/"


def _parent(path: str) -> str:
    clean = unquote(urlsplit(path).path).rstrip("/")
    return clean[:clean.rfind("/") + 1] or "/"


def _owner(authorization: str) -> str:
    scheme, _, value = authorization.partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        return base64.b64decode(value).decode("utf-8", "replace").partition(":")[0]
    except (binascii.Error, ValueError):
        return ""


def _suppressed(header: str, registration_url: str) -> bool:
    """``Push-Dont-Notify``: ``*`` or the quoted registration URL (invalid values are ignored)."""
    values = [v.strip() for v in header.split(",") if v.strip()]
    return "*" in values or f'"{registration_url}"' in values


def _push_message(topic: str, sync_token: str) -> bytes:
    token = f"<D:sync-token>{sync_token}</D:sync-token>" if sync_token else ""
    return (f'<?xml version="1.0" encoding="utf-8"?><push-message xmlns="{PUSH_NS}" xmlns:D="DAV:">'
            f"<topic>{topic}</topic><content-update>{token}</content-update></push-message>").encode()


def _error(precondition: str) -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?><D:error xmlns:D="DAV:" xmlns:P="{PUSH_NS}">'
            f"<P:{precondition}/></D:error>").encode()


def _subscription(root: etree._Element) -> dict[str, str] | None:
    """The web-push-subscription's fields when they are all valid, else None."""
    sub = root.find(f"{P}subscription/{P}web-push-subscription")
    if sub is None:
        return None
    key = sub.find(P + "subscription-public-key")
    fields = {"push_resource": (sub.findtext(P + "push-resource") or "").strip(),
              "encoding": (sub.findtext(P + "content-encoding") or "").strip(),
              "public_key": (key.text or "").strip() if key is not None else "",
              "auth_secret": (sub.findtext(P + "auth-secret") or "").strip()}
    try:
        point, auth = unb64url(fields["public_key"]), unb64url(fields["auth_secret"])
    except InvalidData:
        return None
    if (not fields["push_resource"].startswith("https://") or fields["encoding"] != "aes128gcm"
            or key is None or key.get("type") != "p256dh" or len(point) != 65 or point[0] != 4 or len(auth) != 16):
        return None
    return fields


def _expiry(text: str | None, front: WebDavPushFront) -> datetime:
    now = datetime.now(UTC)
    try:
        asked = parsedate_to_datetime(text or "")
    except (TypeError, ValueError, IndexError):
        asked = now + timedelta(days=3)
    asked = asked if asked.tzinfo is not None else asked.replace(tzinfo=UTC)
    return min(asked, now + front.max_lifetime)


def _handler_for(front: WebDavPushFront) -> type[BaseHTTPRequestHandler]:
    class Handler(RelayHandler):
        def relay_request(self) -> None:
            body = self._body()
            if self.command == "OPTIONS":
                return self._options(body)
            if self.command == "PROPFIND" and PUSH_NS.encode() in (body or b""):
                return self._propfind(body)
            if self.command == "POST" and b"push-register" in (body or b""):
                return self._register(body or b"")
            if self.command == "DELETE" and self.path.startswith(REGISTRATIONS):
                return self._unregister()
            status, headers, data = relay(front.upstream, self.command, self.path, dict(self.headers.items()), body)
            self._answer(status, headers, data)
            if self.command in CHANGES and 200 <= status < 300:
                changed = {_collection(self.path), _parent(self.path)}
                if self.command in ("MOVE", "COPY") and self.headers.get("Destination"):
                    changed.add(_parent(self.headers["Destination"]))
                front.notify(changed, self.headers.get("Authorization", ""), self.headers.get("Push-Dont-Notify", ""))
            return None

        def _options(self, body: bytes | None) -> None:
            status, headers, data = relay(front.upstream, "OPTIONS", self.path, dict(self.headers.items()), body)
            headers = [(k, v + ", webdav-push" if k.lower() == "dav" else v) for k, v in headers]
            self._answer(status, headers, data)

        def _propfind(self, body: bytes | None) -> None:
            plain = {k: v for k, v in self.headers.items() if k.lower() != "accept-encoding"}   # rewritten below
            status, headers, data = relay(front.upstream, "PROPFIND", self.path, plain, body)
            if status == 207 and front.pushable(self.path, self.headers.get("Authorization", ""))[1]:
                data = _with_push_props(data, self.path, front.topic(self.path))
            self._answer(status, headers, data)

        def _register(self, body: bytes) -> None:
            try:
                root = etree.fromstring(body, SAFE)
            except etree.XMLSyntaxError:
                root = None
            if root is None or root.tag != P + "push-register":
                status, headers, data = relay(front.upstream, "POST", self.path, dict(self.headers.items()), body)
                return self._answer(status, headers, data)
            authorization = self.headers.get("Authorization", "")
            status, pushable = front.pushable(self.path, authorization)
            if status != 207:
                return self._answer(status, [("Content-Type", "text/plain")], b"")
            if not pushable:
                return self._answer(403, [("Content-Type", "application/xml")], _error("push-not-available"))
            sub = _subscription(root)
            if sub is None:
                return self._answer(403, [("Content-Type", "application/xml")], _error("invalid-subscription"))
            if root.find(f"{P}trigger/{P}content-update") is None:      # property updates: not supported here
                return self._answer(403, [("Content-Type", "application/xml")], _error("no-trigger-supported"))
            made = front.register(_collection(self.path), _owner(authorization), sub,
                                  _expiry(root.findtext(P + "expires"), front))
            return self._answer(204, [("Location", front.registration_url(made)),
                                      ("Expires", format_datetime(made.expires, usegmt=True))], b"")

        def _unregister(self) -> None:
            owner = _owner(self.headers.get("Authorization", ""))
            with front.lock:
                found = front.registrations.get(self.path[len(REGISTRATIONS):].strip("/"))
                if found is not None and found.owner == owner:
                    del front.registrations[found.id]
            if found is None:
                return self._answer(404, [], b"")
            return self._answer(204 if found.owner == owner else 403, [], b"")

    for method in DAV_METHODS:
        setattr(Handler, f"do_{method}", Handler.relay_request)
    return Handler


def _with_push_props(data: bytes, path: str, topic: str) -> bytes:
    """Radicale's multistatus with the push properties of ``path`` answered (200) instead of 404."""
    root = etree.fromstring(data, SAFE)
    for response in root.iterfind("{DAV:}response"):
        if _collection(response.findtext("{DAV:}href", default="")) != _collection(path):
            continue
        for prop in response.iterfind("{DAV:}propstat/{DAV:}prop"):
            for child in [c for c in prop if isinstance(c.tag, str) and c.tag.startswith(P)]:
                prop.remove(child)
        for propstat in list(response.iterfind("{DAV:}propstat")):
            prop = propstat.find("{DAV:}prop")
            if prop is None or len(prop) == 0:
                response.remove(propstat)
        propstat = etree.SubElement(response, "{DAV:}propstat")
        prop = etree.SubElement(propstat, "{DAV:}prop")
        etree.SubElement(etree.SubElement(prop, P + "transports"), P + "web-push")
        etree.SubElement(prop, P + "topic").text = topic
        update = etree.SubElement(etree.SubElement(prop, P + "supported-triggers"), P + "content-update")
        etree.SubElement(update, "{DAV:}depth").text = "1"
        etree.SubElement(propstat, "{DAV:}status").text = "HTTP/1.1 200 OK"
    return etree.tostring(root, xml_declaration=True, encoding="utf-8")
