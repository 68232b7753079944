"""WebDAV-Push (the bitfireAT draft, namespace ``https://bitfire.at/webdav-push``) as a client:
ask a collection whether it pushes, register a Web Push subscription on it, remove a registration,
and read a push message, and name our own registrations on our writes (``Push-Dont-Notify``).

Discovery is a depth-0 PROPFIND for ``transports`` and ``topic``: a collection pushes when both
are there and ``transports`` lists ``web-push``. Registration POSTs ``push-register`` (content
updates at depth 1, our push resource and RFC 8291 keys) to the collection; the server answers
201/204 with the registration URL in ``Location`` and its own expiry in ``Expires``. Posting
the same push resource again updates that registration (the draft's "Subscription Updates").
Removal is DELETE on the registration URL (404 = already gone). Holds no storage.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from urllib.parse import urljoin
from xml.sax.saxutils import escape

from lxml import etree

from app.providers.imap_dav.errors import http_error
from app.providers.imap_dav.web_push_crypto import CONTENT_ENCODING, KEY_TYPE, ReceiverKeys
from app.providers.imap_dav.webdav import SAFE_XML, XML_HEADERS, DavSession, xml_document
from app.sync.errors import InvalidData, PermissionDenied

PUSH_NS = "https://bitfire.at/webdav-push"
P = f"{{{PUSH_NS}}}"
GONE = (404, 410)
DONT_NOTIFY = "Push-Dont-Notify"


def dont_notify_headers(registration_urls: Sequence[str]) -> dict[str, str]:
    """The header that keeps the server from pushing our own writes back to our registrations
    (the draft's "Suppressing notifications": a list of quoted registration URLs). Others'
    registrations on the collection are still notified. A URL a quoted string cannot carry is left
    out (its registration is then pushed our write: one extra session, nothing lost)."""
    quoted = [f'"{u}"' for u in dict.fromkeys(registration_urls)
              if u and not any(c in u for c in '",\r\n\\')]
    return {DONT_NOTIFY: ", ".join(quoted)} if quoted else {}


@dataclass(frozen=True)
class PushSupport:
    """A collection that pushes over Web Push: its topic, and the server's VAPID key when it has one
    (Syncline is its own push service, so the key restricts nothing here; kept for the record)."""

    topic: str
    vapid_public_key: str = ""


@dataclass(frozen=True)
class Registration:
    url: str
    expires_at: datetime


@dataclass(frozen=True)
class PushMessage:
    """What a push says: the collection's topic (absent in a VAPID key rotation message), whether
    its content changed, and its new sync-token when the server sent one."""

    topic: str
    content_update: bool
    property_update: bool
    sync_token: str = ""


def push_support(session: DavSession, href: str) -> PushSupport | None:
    """The collection's Web Push support, None when it offers none."""
    body = xml_document("d:propfind", f'<d:prop xmlns:P="{PUSH_NS}"><P:transports/><P:topic/></d:prop>')
    answer = session.multistatus("PROPFIND", href, body, "0")
    for member in answer.members:
        transports, topic = member.props.get(P + "transports"), member.text(P + "topic").strip()
        web_push = transports.find(P + "web-push") if transports is not None else None
        if topic and web_push is not None:
            vapid = web_push.find(P + "vapid-public-key")
            return PushSupport(topic, (vapid.text or "").strip() if vapid is not None else "")
    return None


def register(session: DavSession, href: str, push_resource: str, keys: ReceiverKeys,
             expires: datetime) -> Registration:
    """Register (or renew: same push resource) a content-update subscription on the collection."""
    body = (f'<?xml version="1.0" encoding="utf-8"?><P:push-register xmlns:P="{PUSH_NS}" xmlns:d="DAV:">'
            "<P:subscription><P:web-push-subscription>"
            f"<P:push-resource>{escape(push_resource)}</P:push-resource>"
            f"<P:content-encoding>{CONTENT_ENCODING}</P:content-encoding>"
            f'<P:subscription-public-key type="{KEY_TYPE}">{keys.public}</P:subscription-public-key>'
            f"<P:auth-secret>{keys.auth}</P:auth-secret>"
            "</P:web-push-subscription></P:subscription>"
            "<P:trigger><P:content-update><d:depth>1</d:depth></P:content-update></P:trigger>"
            f"<P:expires>{format_datetime(expires.astimezone(UTC), usegmt=True)}</P:expires>"
            "</P:push-register>")
    response = session.request("POST", href, body, XML_HEADERS)
    if response.status_code == 403:
        raise PermissionDenied(f"POST push-register {href}: refused ({_precondition(response.content)})")
    if response.status_code not in (200, 201, 204):
        raise http_error(response.status_code, f"POST push-register {href}")
    location = response.headers.get("Location", "").strip()
    if not location:
        raise InvalidData(f"POST push-register {href}: the answer names no registration URL (Location)")
    return Registration(urljoin(session.url(href), location), _expiry(response.headers.get("Expires"), expires))


def unregister(session: DavSession, registration_url: str) -> bool:
    """DELETE the registration; False when the server no longer knew it (404/410)."""
    response = session.request("DELETE", registration_url)
    if response.status_code in GONE:
        return False
    if response.status_code >= 300:
        raise http_error(response.status_code, "DELETE push registration")
    return True


def parse_push_message(body: bytes) -> PushMessage:
    """The decrypted body of a push; InvalidData for anything but a ``push-message`` document."""
    try:
        root = etree.fromstring(body, SAFE_XML)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise InvalidData("the push message is not XML") from exc
    if root.tag != P + "push-message":
        raise InvalidData("the push message's root element is not push-message")
    content = root.find(P + "content-update")
    token = content.findtext("{DAV:}sync-token", default="") if content is not None else ""
    return PushMessage((root.findtext(P + "topic") or "").strip(), content is not None,
                       root.find(P + "property-update") is not None, token.strip())


def _expiry(header: str | None, requested: datetime) -> datetime:
    """The server's ``Expires`` (IMF-fixdate); the requested time when it is missing or invalid."""
    try:
        moment = parsedate_to_datetime(header or "")
    except (TypeError, ValueError, IndexError):
        return requested
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _precondition(content: bytes) -> str:
    try:
        root = etree.fromstring(content, SAFE_XML)
    except (etree.XMLSyntaxError, ValueError):
        return "no reason given"
    names = [etree.QName(child).localname for child in root] if root.tag == "{DAV:}error" else []
    return ", ".join(names) or "no reason given"
