"""Gmail ``Message`` JSON (``users.messages.get``, format full or metadata) → the core's ``EmailMessage``.

Identity is the RFC 822 ``Message-ID`` header, so a message saved from the Gmail sidebar and the
same message found by the sync make one Salesforce record; the thread is Gmail's ``threadId``
(what "save all emails in thread" stores for Gmail). Bodies are base64url ``body.data`` in the
MIME part tree (``payload.parts``). Shapes: Gmail API reference, "users.messages" resource.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from email.utils import getaddresses
from typing import Any

from app.sync.items import EmailMessage

SAVE_HEADER = "X-Syncline-Save"      # set by the sidebar on a draft to "save when sent" (Compose mode)
METADATA_HEADERS = ("Message-ID", SAVE_HEADER)


def header(message: Mapping[str, Any], name: str) -> str:
    """A top-level header's value ("" when absent); names compare case-insensitively."""
    for item in (message.get("payload") or {}).get("headers") or ():
        if str(item.get("name") or "").lower() == name.lower():
            return str(item.get("value") or "").strip()
    return ""


def message_id_of(message: Mapping[str, Any]) -> str:
    """The Message-ID header; a message without one (rare: some imports, drafts) gets a stable stand-in
    from its Gmail id, the same whether the sync or the sidebar (message_refs.py) reads it."""
    return header(message, "Message-ID") or f"<gmail-{message['id']}@gmail.invalid>"


def read_message(message: Mapping[str, Any], label_id: str, label_name: str) -> EmailMessage:
    """``label_name`` becomes the category when the message carries the Salesforce label."""
    labelled = label_id in (message.get("labelIds") or ())
    text, html = _bodies(message.get("payload") or {})
    return EmailMessage(
        item_id=str(message["id"]),
        message_id=message_id_of(message),
        conversation_id=str(message.get("threadId") or ""),
        sender=next(iter(_addresses(header(message, "From"))), ""), to=_addresses(header(message, "To")),
        cc=_addresses(header(message, "Cc")), sent_at=_instant(message.get("internalDate")),
        subject=header(message, "Subject"), body_text=text, body_html=html,
        categories=(label_name,) if labelled else (), folder=label_name if labelled else "",
        version=str(message.get("historyId") or ""), save_marker=header(message, SAVE_HEADER),
        received_at=_instant(message.get("internalDate")))


def _bodies(payload: Mapping[str, Any]) -> tuple[str, str]:
    """The first text/plain and text/html parts that are not attachments."""
    text = html = ""
    for part in _walk(payload):
        mime, data = str(part.get("mimeType") or "").lower(), (part.get("body") or {}).get("data")
        if not data or part.get("filename"):
            continue
        if mime == "text/plain" and not text:
            text = _decode(str(data))
        elif mime == "text/html" and not html:
            html = _decode(str(data))
    return text, html


def _walk(part: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield part
    for child in part.get("parts") or ():
        yield from _walk(child)


def _decode(data: str) -> str:
    try:
        return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)).decode("utf-8", errors="replace")
    except (ValueError, binascii.Error):
        return ""


def _addresses(value: str) -> tuple[str, ...]:
    return tuple(a.strip().lower() for _, a in getaddresses([value]) if a and "@" in a)


def _instant(millis: Any) -> datetime | None:
    """``internalDate``: epoch milliseconds as a string."""
    try:
        return datetime.fromtimestamp(int(millis) / 1000, UTC)
    except (TypeError, ValueError):
        return None
