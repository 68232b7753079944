"""The Streaming API endpoint `/cometd/{version}`: Bayeux 1.0 over long polling, as Salesforce
serves Change Data Capture to CometD clients.

`/meta/handshake` gives a clientId; `/meta/subscribe` takes the replay extension
(`ext.replay = {channel: replayId}`, -1 new events only, -2 every retained one; anything else
must be a retained event's id, or the subscribe fails with Salesforce's `400::The replayId {N}
you provided was invalid...`); `/meta/connect` holds until events arrive or ``timeout_s``
passes (110 s in Salesforce); `/meta/disconnect` ends the client. A clientId the server
forgot (idle too long, server restart) answers `403::Unknown client` with advice to handshake
again. An org without Change Data Capture refuses the subscribe.
"""
from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .change_events import InvalidReplayId

if TYPE_CHECKING:
    from .emulator import SalesforceEmulator

BAYEUX_VERSION = "1.0"
UNKNOWN_CLIENT = "403::Unknown client"
NO_CDC = "403::Organization is not enabled for Change Data Capture"   # see the README's note: unverified wording


@dataclass
class BayeuxClient:
    org_id: str
    user_id: str
    positions: dict[str, int] = field(default_factory=dict)    # subscribed channel → last replayId delivered
    last_seen: float = field(default_factory=time.monotonic)


class CometdServer:
    """Every org's Streaming API clients; thread-safe (a connect blocks only its own request)."""

    def __init__(self, emu: SalesforceEmulator) -> None:
        self.emu = emu
        self.timeout_s = 110.0          # how long /meta/connect holds without events
        self.client_ttl_s = 40.0 + self.timeout_s
        self.clients: dict[str, BayeuxClient] = {}
        self._lock = threading.Lock()
        self._closing = False

    def forget_clients(self) -> None:
        """Drop every client (as a server restart or session stickiness loss does): their next
        message answers 403::Unknown client."""
        with self._lock:
            self.clients.clear()
        self._wake_all()

    def close(self) -> None:
        """Release every held connect (the server is stopping)."""
        self._closing = True
        self._wake_all()

    def _wake_all(self) -> None:
        for org in list(self.emu.orgs.values()):
            with org.changes.cond:
                org.changes.cond.notify_all()

    def handle(self, org_id: str | None, user_id: str | None, messages: list[dict]) -> tuple[int, list[dict]]:
        """(HTTP status, Bayeux replies) for one POSTed batch; ``org_id`` None: the bearer token was refused."""
        if org_id is None or user_id is None:
            return 401, [_refused(m) for m in messages]
        replies: list[dict] = []
        for message in messages:
            channel = str(message.get("channel") or "")
            if channel == "/meta/handshake":
                replies.append(self._handshake(org_id, user_id, message))
            elif channel == "/meta/connect":
                replies.extend(self._connect(message))
            elif channel == "/meta/subscribe":
                replies.append(self._subscribe(message))
            elif channel == "/meta/unsubscribe":
                replies.append(self._unsubscribe(message))
            elif channel == "/meta/disconnect":
                replies.append(self._disconnect(message))
            else:
                replies.append(_reply(message, False, error="400::Unknown channel"))
        return 200, replies

    def _handshake(self, org_id: str, user_id: str, message: dict) -> dict:
        if "long-polling" not in (message.get("supportedConnectionTypes") or []):
            return _reply(message, False, error="400::Unsupported connection type")
        client_id = secrets.token_hex(14)
        with self._lock:
            self._expire()
            self.clients[client_id] = BayeuxClient(org_id, user_id)
        return _reply(message, True, clientId=client_id, version=BAYEUX_VERSION, minimumVersion=BAYEUX_VERSION,
                      supportedConnectionTypes=["long-polling"], ext={"replay": True, "payload.format": True},
                      advice={"interval": 0, "timeout": int(self.timeout_s * 1000), "reconnect": "retry"})

    def _client(self, message: dict) -> BayeuxClient | None:
        with self._lock:
            self._expire()
            client = self.clients.get(str(message.get("clientId") or ""))
            if client is not None:
                client.last_seen = time.monotonic()
            return client

    def _expire(self) -> None:
        cut = time.monotonic() - self.client_ttl_s
        for client_id in [c for c, v in self.clients.items() if v.last_seen < cut]:
            del self.clients[client_id]

    def _subscribe(self, message: dict) -> dict:
        client = self._client(message)
        channel = str(message.get("subscription") or "")
        if client is None:
            return _unknown(message, subscription=channel)
        bus = self.emu.orgs[client.org_id].changes
        if not bus.enabled:
            return _reply(message, False, error=NO_CDC, subscription=channel)
        if not bus.carries(channel):
            return _reply(message, False, error=f"400::The channel you requested to subscribe to does not exist "
                                                f"{{{channel}}}", subscription=channel)
        replay = ((message.get("ext") or {}).get("replay") or {}).get(channel, -1)
        try:
            position = bus.position(replay, self.emu.now())
        except InvalidReplayId as exc:
            return _reply(message, False, error=f"400::{exc}", subscription=channel)
        client.positions[channel] = position
        return _reply(message, True, clientId=message.get("clientId"), subscription=channel)

    def _unsubscribe(self, message: dict) -> dict:
        client = self._client(message)
        channel = str(message.get("subscription") or "")
        if client is None:
            return _unknown(message, subscription=channel)
        client.positions.pop(channel, None)
        return _reply(message, True, clientId=message.get("clientId"), subscription=channel)

    def _disconnect(self, message: dict) -> dict:
        with self._lock:
            gone = self.clients.pop(str(message.get("clientId") or ""), None)
        self._wake_all()                  # its held connect, if any, answers now
        return _reply(message, gone is not None, clientId=message.get("clientId"),
                      **({} if gone else {"error": UNKNOWN_CLIENT}))

    def _connect(self, message: dict) -> list[dict]:
        client = self._client(message)
        if client is None:
            return [_unknown(message)]
        client_id = str(message.get("clientId"))
        bus = self.emu.orgs[client.org_id].changes
        deadline = time.monotonic() + self.timeout_s
        with bus.cond:
            while True:
                out = [e.message(ch) for ch, pos in client.positions.items() for e in bus.after(pos, ch)]
                left = deadline - time.monotonic()
                if out or left <= 0 or self._closing or client_id not in self.clients:
                    break
                bus.cond.wait(min(left, 1.0))
            for channel in client.positions:
                delivered = [e.replay_id for e in bus.after(client.positions[channel], channel)]
                client.positions[channel] = max(delivered, default=client.positions[channel])
        client.last_seen = time.monotonic()
        if client_id not in self.clients:
            return [*out, _unknown(message)]
        advice = {"interval": 0, "timeout": int(self.timeout_s * 1000), "reconnect": "retry"}
        return [*out, _reply(message, True, clientId=client_id, advice=advice)]


def _reply(message: dict, successful: bool, **fields: Any) -> dict:
    out = {"channel": message.get("channel"), "successful": successful, **fields}
    if "id" in message:
        out["id"] = message["id"]
    return out


def _unknown(message: dict, **fields: Any) -> dict:
    return _reply(message, False, error=UNKNOWN_CLIENT, advice={"reconnect": "handshake", "interval": 0}, **fields)


def _refused(message: dict) -> dict:
    """A bad or missing bearer token: the handshake is denied, any other message is unauthenticated."""
    if message.get("channel") == "/meta/handshake":
        return _reply(message, False, error="403::Handshake denied", advice={"reconnect": "none"},
                      ext={"sfdc": {"failureReason": "401::Authentication invalid"}})
    return _reply(message, False, error="401::Authentication invalid", advice={"reconnect": "none", "interval": 0})
