"""What a Google push makes Syncline do: check it is genuine, then ask `push_triggers` for one
debounced session of that mailbox only.

Calendar ("Push notifications" guide): headers only. X-Goog-Channel-ID must name a channel of ours,
X-Goog-Channel-Token match its token and X-Goog-Resource-ID its resource, else the push is forged
and nothing runs. Resource state ``sync`` (sent once when a channel opens) is acknowledged and
ignored (even for a channel not yet stored: it can arrive before events.watch answered);
``exists`` / ``not_exists`` mean a change.
Gmail (Pub/Sub push): the OIDC bearer token is verified (`push_tokens`); ``message.data`` is base64
JSON ``{emailAddress, historyId}`` and names the mailbox, which must hold a Gmail watch of ours on a
profile whose push service account signed the token.
"""
from __future__ import annotations

import base64
import binascii
import hmac
import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select

from app.models import GoogleWatch, Mailbox, ServerProfile
from app.providers.google.push_tokens import CertSource, PushRefused, verified_sender
from app.runtime import Runtime
from app.services import push_triggers
from app.services.google_watches import CALENDAR, GMAIL, GMAIL_PATH, PUSH_SENDER
from app.services.graph_subscriptions import client_state_hash
from app.services.mail_hosts import mail_host_policy

CHANGE_STATES = ("exists", "not_exists")
SYNC_STATE = "sync"


class Forged(Exception):
    """The push is not from Google for one of our watches (nothing is enqueued)."""


class UnknownChannel(Exception):
    """The push names no channel of ours (stopped, or never made)."""


class BadPush(ValueError):
    """Not a Pub/Sub push envelope carrying a Gmail notification."""


def calendar_push(rt: Runtime, headers: Mapping[str, str]) -> str | None:
    """The session trigger's outcome for a genuine change; None for ``sync`` or an inactive mailbox."""
    channel_id, state = headers.get("X-Goog-Channel-ID", ""), headers.get("X-Goog-Resource-State", "")
    with rt.db.session_scope() as s:
        row = s.scalar(select(GoogleWatch).where(GoogleWatch.channel_id == channel_id, GoogleWatch.kind == CALENDAR))
        if row is None and state == SYNC_STATE:   # may beat the watch's answer here; it carries no change
            return None
        if row is None:
            raise UnknownChannel(f"no Calendar channel {channel_id!r}")
        token_ok = hmac.compare_digest(row.token_hash, client_state_hash(headers.get("X-Goog-Channel-Token", "")))
        if not token_ok or not hmac.compare_digest(row.resource_id, headers.get("X-Goog-Resource-ID", "")):
            raise Forged("the channel token or resource id does not match the channel's")
        mailbox_id = _active(s, row.mailbox_id)
    if state == SYNC_STATE or state not in CHANGE_STATES or mailbox_id is None:
        return None
    return push_triggers.changed(rt, mailbox_id)


def gmail_push(rt: Runtime, authorization: str, envelope: Mapping[str, Any]) -> dict[int, str]:
    """Sessions asked for, per mailbox (usually one): Forged for a token that is not Google's, or for
    another audience, or signed for a profile that does not push to us; BadPush for a malformed message
    (told only to a caller whose token is Google's for us)."""
    source = CertSource(rt.config.google_certs_url, mail_host_policy(rt.config), rt.config.google_ca_bundle or None)
    audience = rt.config.google_push_audience or rt.config.public_url.rstrip("/") + GMAIL_PATH
    _verified(authorization, source, audience, None)     # Google's token for us before anything the body says
    address = _email_address(envelope)
    with rt.db.session_scope() as s:
        rows = s.execute(select(Mailbox.id, ServerProfile.endpoints).join(ServerProfile).join(
            GoogleWatch, GoogleWatch.mailbox_id == Mailbox.id).where(
            GoogleWatch.kind == GMAIL, Mailbox.status == "active",
            func.lower(func.coalesce(Mailbox.username, Mailbox.address)) == address.lower())).all()
    if not rows:     # no watch of ours for that address: acknowledged (the token is Google's, for us)
        return {}
    wanted, refusal = [], None
    for mailbox_id, endpoints in rows:
        try:
            verified_sender(authorization, source, audience, str((endpoints or {}).get(PUSH_SENDER) or ""))
            wanted.append(mailbox_id)
        except PushRefused as exc:
            refusal = exc
    if not wanted:
        raise Forged(str(refusal))
    return {mailbox_id: push_triggers.changed(rt, mailbox_id) for mailbox_id in sorted(set(wanted))}


def _verified(authorization: str, source: CertSource, audience: str, sender: str | None) -> None:
    try:
        verified_sender(authorization, source, audience, sender)
    except PushRefused as exc:
        raise Forged(str(exc)) from exc


def _email_address(envelope: Mapping[str, Any]) -> str:
    message = envelope.get("message") if isinstance(envelope, Mapping) else None
    try:
        raw = str((message or {}).get("data") or "").translate(str.maketrans("+/", "-_"))
        data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)) or b"null")   # base64 or base64url
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise BadPush("message.data is not base64 JSON") from exc
    if not isinstance(data, dict) or not str(data.get("emailAddress") or "").strip():
        raise BadPush("message.data must be base64 JSON {\"emailAddress\", \"historyId\"}")
    return str(data["emailAddress"]).strip()


def _active(s, mailbox_id: int | None) -> int | None:
    if mailbox_id is None:
        return None
    return mailbox_id if s.scalar(select(Mailbox.status).where(Mailbox.id == mailbox_id)) == "active" else None
