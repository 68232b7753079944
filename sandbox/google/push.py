"""The fake's push: Calendar watch channels, Gmail watches, and a Pub/Sub stand-in that pushes.

Calendar ("Push notifications" guide; ``events.watch``, ``channels.stop``): a ``web_hook`` channel
needs a unique ``id`` (≤ 64 characters) and an https ``address``; the answer is a Channel
``{kind: "api#channel", id, resourceId, resourceUri, token, expiration}`` (epoch ms; ``params.ttl``
seconds, one week by default). Opening one POSTs a ``sync`` message; every change to the calendar
POSTs ``exists`` with X-Goog-Channel-ID / -Token / -Expiration, X-Goog-Resource-ID / -URI /
-State and X-Goog-Message-Number, no body. ``channels.stop`` with an unknown id/resourceId is 404.
Gmail (``users.watch``, ``users.stop``): ``topicName`` must name an existing topic
(``projects/*/topics/*``); the answer is ``{historyId, expiration}`` (7 days). A change to a message
carrying a watched label publishes ``{"emailAddress", "historyId"}`` to the topic; each push
subscription of it POSTs Pub/Sub's envelope ``{message: {data (base64), messageId, publishTime,
attributes}, subscription}`` with ``Authorization: Bearer`` an OIDC token (RS256, ``kid``; iss
https://accounts.google.com, aud = the subscription's audience or its endpoint, email =
its service account, email_verified) signed by the fake's key, whose certificate the fake serves
at ``/oauth2/v1/certs`` as Google does (``{kid: PEM}``).
Delivery runs on a background thread (sandbox/webhook_outbox.py); ``drain()`` waits, ``deliveries``
records each answer.
"""
from __future__ import annotations

import base64
import itertools
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from google.auth import crypt, jwt

from sandbox.webhook_outbox import Delivery, WebhookOutbox

DEFAULT_TTL, GMAIL_WATCH = timedelta(days=7), timedelta(days=7)
ISSUER = "https://accounts.google.com"


@dataclass
class Channel:
    id: str
    resource_id: str
    user: str
    address: str
    token: str | None
    expires: datetime
    messages: itertools.count = field(default_factory=lambda: itertools.count(1))

    def shown(self) -> dict[str, Any]:
        body = {"kind": "api#channel", "id": self.id, "resourceId": self.resource_id,
                "resourceUri": f"https://www.googleapis.com/calendar/v3/calendars/{self.user}/events?alt=json",
                "expiration": str(int(self.expires.timestamp() * 1000))}
        return {**body, **({"token": self.token} if self.token is not None else {})}


@dataclass
class PushSubscription:
    name: str
    endpoint: str
    audience: str
    service_account: str


class Signer:
    """Google's OIDC signing key stand-in: a key id, an RSA key and its self-signed certificate."""

    def __init__(self) -> None:
        self.key_id = secrets.token_hex(20)
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "securetoken.system.gserviceaccount.com")])
        now = datetime.now(UTC)
        cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
                .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(days=1))
                .not_valid_after(now + timedelta(days=14)).sign(self.key, hashes.SHA256()))
        self.cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
        pem = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                     serialization.NoEncryption())
        self._signer = crypt.RSASigner.from_string(pem, key_id=self.key_id)

    def token(self, audience: str, email: str, lifetime: int = 3600, **extra: Any) -> str:
        now = int(time.time())
        claims = {"aud": audience, "azp": "1" + "0" * 20, "email": email, "email_verified": True, "exp": now + lifetime,
                  "iat": now, "iss": ISSUER, "sub": "1" + "0" * 20, **extra}
        return jwt.encode(self._signer, claims).decode()

    def certs(self) -> dict[str, str]:
        return {self.key_id: self.cert_pem}


class PushBook:
    """Every watch of the fake domain and what was pushed for them."""

    def __init__(self) -> None:
        self.ca_file: str | bool = True           # the CA the webhook's TLS certificate is checked against
        self.subscriptions: dict[str, Channel] = {}   # calendar channels by id (the name tests/graph_webhook clears)
        self.gmail_watches: dict[str, dict[str, Any]] = {}   # user → {topic, labelIds, expires}
        self.topics: dict[str, list[PushSubscription]] = {}
        self.signer = Signer()
        self._ids = itertools.count(1)
        self._outbox = WebhookOutbox("google-fake-push", lambda: self.ca_file)
        self._lock = threading.RLock()

    # -- Calendar ------------------------------------------------------------------------------
    def watch(self, user: str, body: dict[str, Any]) -> Channel:
        channel_id, address = str(body.get("id") or ""), str(body.get("address") or "")
        if not channel_id or len(channel_id) > 64 or body.get("type") not in ("web_hook", "webhook"):
            raise ValueError("A channel needs an id of at most 64 characters and type web_hook.")
        if not address.startswith("https://"):
            raise ValueError(f"WebHook callback must be HTTPS: {address}")
        with self._lock:
            if channel_id in self.subscriptions:
                raise KeyError(f"Channel id {channel_id} not unique")
            ttl = int(str((body.get("params") or {}).get("ttl") or int(DEFAULT_TTL.total_seconds())))
            channel = Channel(channel_id, secrets.token_urlsafe(20), user, address,
                              None if body.get("token") is None else str(body["token"]),
                              datetime.now(UTC) + timedelta(seconds=ttl))
            self.subscriptions[channel_id] = channel
        self._notify(channel, "sync")
        return channel

    def stop(self, channel_id: str, resource_id: str) -> bool:
        with self._lock:
            channel = self.subscriptions.get(channel_id)
            if channel is None or channel.resource_id != resource_id:
                return False
            del self.subscriptions[channel_id]
            return True

    def calendar_changed(self, user: str) -> None:
        for channel in self._live(user):
            self._notify(channel, "exists")

    # -- Gmail and Pub/Sub ---------------------------------------------------------------------
    def add_topic(self, topic: str, endpoint: str, service_account: str, audience: str = "") -> None:
        """The org's Pub/Sub set-up: a topic Gmail may publish to and one push subscription with an OIDC token."""
        with self._lock:
            self.topics.setdefault(topic, []).append(PushSubscription(
                f"{topic.replace('/topics/', '/subscriptions/')}-push", endpoint, audience or endpoint, service_account))

    def gmail_watch(self, user: str, body: dict[str, Any], history_id: int) -> dict[str, Any]:
        topic = str(body.get("topicName") or "")
        if topic not in self.topics:
            raise LookupError(f"Resource not found (resource={topic.rsplit('/', 1)[-1]}).")
        expires = datetime.now(UTC) + GMAIL_WATCH
        with self._lock:
            self.gmail_watches[user] = {"topic": topic, "labelIds": list(body.get("labelIds") or ()),
                                        "behavior": body.get("labelFilterBehavior") or body.get("labelFilterAction")
                                        or "include", "expires": expires}
        return {"historyId": str(history_id), "expiration": str(int(expires.timestamp() * 1000))}

    def gmail_stop(self, user: str) -> None:
        with self._lock:
            self.gmail_watches.pop(user, None)

    def gmail_changed(self, user: str, label_ids: list[str], history_id: int) -> None:
        with self._lock:
            watch = self.gmail_watches.get(user)
        if watch is None or watch["expires"] <= datetime.now(UTC):
            return
        watched = set(watch["labelIds"])
        hit = not watched or bool(watched & set(label_ids))
        if hit == (watch["behavior"] == "exclude" and bool(watched)):
            return
        self.publish(watch["topic"], {"emailAddress": user, "historyId": history_id})

    def publish(self, topic: str, data: dict[str, Any], token: str | None = None) -> None:
        """Push ``data`` to every push subscription of ``topic``; ``token`` replaces the signed one (forgeries)."""
        for sub in list(self.topics.get(topic, ())):
            message_id = str(next(self._ids))
            envelope = {"message": {"data": base64.b64encode(json.dumps(data).encode()).decode(),
                                    "messageId": message_id, "message_id": message_id,
                                    "publishTime": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
                                    "attributes": {}}, "subscription": sub.name}
            bearer = token if token is not None else self.signer.token(sub.audience, sub.service_account)
            self.post(sub.endpoint, {"Authorization": "Bearer " + bearer}, envelope)

    # -- delivery --------------------------------------------------------------------------------
    def post(self, url: str, headers: dict[str, str], body: dict[str, Any] | None) -> None:
        """Deliver anything (e.g. a forged notification) the way Google delivers its own: later, from
        another thread."""
        self._outbox.post(url, body, headers)

    @property
    def deliveries(self) -> list[Delivery]:
        return self._outbox.deliveries

    def drain(self, timeout: float = 30) -> None:
        self._outbox.drain(timeout)

    def _live(self, user: str) -> list[Channel]:
        now = datetime.now(UTC)
        with self._lock:
            for gone in [c.id for c in self.subscriptions.values() if c.expires <= now]:
                del self.subscriptions[gone]
            return [c for c in self.subscriptions.values() if c.user == user.lower()]

    def _notify(self, channel: Channel, state: str) -> None:
        headers = {"X-Goog-Channel-ID": channel.id, "X-Goog-Message-Number": str(next(channel.messages)),
                   "X-Goog-Resource-ID": channel.resource_id, "X-Goog-Resource-State": state,
                   "X-Goog-Resource-URI": channel.shown()["resourceUri"],
                   "X-Goog-Channel-Expiration": channel.expires.strftime("%a, %d %b %Y %H:%M:%S GMT")}
        if channel.token is not None:
            headers["X-Goog-Channel-Token"] = channel.token
        self.post(channel.address, headers, None)
