"""Salesforce's Streaming API for Change Data Capture: a Bayeux (CometD) long-polling client.

Bytes only: it handshakes, subscribes with the replay extension and long-polls `/meta/connect`,
returning each change event's entity, change type, record ids and replayId. It holds no state
beyond the clientId; where to resume from is the caller's. Errors become ours at this edge:
an invalid replayId (older than the 72-hour retention) is ReplayIdInvalid, a refused subscribe
(no Change Data Capture, no permission) StreamRefused, a forgotten clientId ClientUnknown (hand
shake again), a 401 one token refresh and then ReauthorizationRequired.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import requests

from app.config import Config
from app.providers.salesforce.errors import (
    CallFailed,
    ReauthorizationRequired,
    SalesforceError,
    TransientError,
    translate,
)
from app.providers.salesforce.http import salesforce_session
from app.providers.salesforce.tokens import TokenSource

ALL_CHANGES = "/data/ChangeEvents"
NEW_ONLY = -1
SERVER_TIMEOUT_S = 110.0          # Salesforce holds a /meta/connect this long; it says so in its advice
READ_MARGIN_S = 30.0


class ReplayIdInvalid(SalesforceError):
    """The stored replayId is no longer retained (a gap beyond 72 hours, or a reset org)."""


class StreamRefused(SalesforceError):
    """The subscribe was refused: the org has no Change Data Capture (or the user may not read it)."""


class ClientUnknown(TransientError):
    """Salesforce forgot our clientId (idle, or its server moved): handshake and subscribe again."""


@dataclass(frozen=True)
class ChangeNotice:
    """What one change event says; the record's fields stay in Salesforce (the poll reads them)."""

    entity: str
    change_type: str
    record_ids: tuple[str, ...]
    replay_id: int


class CometdStream:
    """One Bayeux client of one connection; not thread-safe except ``disconnect`` (it ends a held connect)."""

    def __init__(self, config: Config, tokens: TokenSource, session: requests.Session | None = None) -> None:
        self.config, self.tokens = config, tokens
        self.http = session or salesforce_session(config)
        self.client_id: str | None = None
        self.server_timeout_s = SERVER_TIMEOUT_S
        self._ids = itertools.count(1)

    @property
    def url(self) -> str:
        return f"{self.tokens.instance_url}/cometd/{self.config.salesforce_api_version}"

    def handshake(self) -> None:
        reply = self._one(self._call([{"channel": "/meta/handshake", "version": "1.0", "minimumVersion": "1.0",
                                       "supportedConnectionTypes": ["long-polling"],
                                       "ext": {"replay": True}}]), "/meta/handshake")
        if not reply.get("successful"):
            raise bayeux_error(reply)
        self.client_id = str(reply["clientId"])
        timeout = (reply.get("advice") or {}).get("timeout")
        if isinstance(timeout, int | float) and timeout > 0:
            self.server_timeout_s = timeout / 1000

    def subscribe(self, channel: str, replay_id: int) -> None:
        """Raises ReplayIdInvalid, StreamRefused or ClientUnknown."""
        reply = self._one(self._call([{"channel": "/meta/subscribe", "clientId": self.client_id,
                                       "subscription": channel, "ext": {"replay": {channel: replay_id}}}]),
                          "/meta/subscribe")
        if not reply.get("successful"):
            raise bayeux_error(reply)

    def connect(self) -> list[ChangeNotice]:
        """One long poll: the change events Salesforce delivered (none when it timed out)."""
        replies = self._call([{"channel": "/meta/connect", "clientId": self.client_id,
                               "connectionType": "long-polling"}],
                             read_timeout=self.server_timeout_s + READ_MARGIN_S)
        ack = self._one(replies, "/meta/connect")
        notices = [n for n in (_notice(m) for m in replies if not str(m.get("channel", "")).startswith("/meta/"))
                   if n is not None]
        if not ack.get("successful"):
            raise bayeux_error(ack)
        return notices

    def disconnect(self) -> None:
        """Best effort: end the client on Salesforce's side (a held connect then returns)."""
        if self.client_id is None:
            return
        try:
            self._call([{"channel": "/meta/disconnect", "clientId": self.client_id}], read_timeout=10)
        except SalesforceError:
            pass

    def close(self) -> None:
        self.http.close()

    def _call(self, messages: list[dict], read_timeout: float = 30.0, refreshed: bool = False) -> list[dict]:
        for message in messages:
            message["id"] = str(next(self._ids))
        headers = {"Authorization": f"Bearer {self.tokens.access_token()}", "Content-Type": "application/json"}
        try:
            response = self.http.post(self.url, json=messages, headers=headers, timeout=(5, read_timeout),
                                      allow_redirects=False)
        except requests.RequestException as exc:
            raise translate(exc) from None
        if response.status_code == 401:
            if refreshed:
                raise ReauthorizationRequired("the Streaming API refused a freshly refreshed session",
                                              "INVALID_SESSION_ID", 401)
            self.tokens.refresh(self.tokens.access_token())
            return self._call(messages, read_timeout, refreshed=True)
        if response.status_code >= 500 or response.status_code in (408, 429):
            raise TransientError(f"Streaming API answered {response.status_code}", "SERVER_UNAVAILABLE",
                                 response.status_code)
        if response.status_code >= 400:     # no Streaming API here (404), or not for this user (403)
            raise StreamRefused(f"Streaming API answered {response.status_code}: {response.text[:200]}",
                                "STREAMING_REFUSED", response.status_code)
        try:
            body = response.json()
        except ValueError:
            raise TransientError(f"Streaming API answered {response.status_code} without JSON",
                                 "SERVER_UNAVAILABLE", response.status_code) from None
        if response.status_code >= 300 or not isinstance(body, list):
            raise CallFailed(f"Streaming API answered {response.status_code}: {str(body)[:200]}",
                             "STREAMING_REFUSED", response.status_code)
        return [m for m in body if isinstance(m, dict)]

    @staticmethod
    def _one(replies: list[dict], channel: str) -> dict[str, Any]:
        for reply in replies:
            if reply.get("channel") == channel:
                return reply
        raise TransientError(f"no {channel} reply from the Streaming API", "SERVER_UNAVAILABLE")


def bayeux_error(reply: dict) -> SalesforceError:
    """Salesforce's Bayeux error (`403::Unknown client`, `400::The replayId {N} …`) as one of ours."""
    error = str(reply.get("error") or "")
    reason = str(((reply.get("ext") or {}).get("sfdc") or {}).get("failureReason") or "")
    status, _, text = error.partition("::")
    code = int(status) if status.isdigit() else 0
    if "replayid" in text.lower():
        return ReplayIdInvalid(error, "INVALID_REPLAY_ID", code)
    if "unknown client" in text.lower() or (reply.get("advice") or {}).get("reconnect") == "handshake":
        return ClientUnknown(error, "UNKNOWN_CLIENT", code)
    if reason.startswith("401") or text.lower().startswith("authentication invalid"):
        return ReauthorizationRequired(f"Streaming API: {reason or error}", "INVALID_SESSION_ID", 401)
    if reply.get("channel") == "/meta/subscribe":
        return StreamRefused(error or "subscribe refused", "STREAM_REFUSED", code)
    if reply.get("channel") == "/meta/handshake":
        return StreamRefused(error or "handshake denied", "HANDSHAKE_DENIED", code)
    return TransientError(error or "Streaming API call failed", "STREAMING_FAILED", code)


def _notice(message: dict) -> ChangeNotice | None:
    data = message.get("data") or {}
    header = (data.get("payload") or {}).get("ChangeEventHeader") or {}
    replay = (data.get("event") or {}).get("replayId")
    if not header or replay is None:
        return None
    return ChangeNotice(str(header.get("entityName") or ""), str(header.get("changeType") or ""),
                        tuple(str(i) for i in header.get("recordIds") or ()), int(replay))
