"""Graph ``message`` JSON → the core's ``EmailMessage``.

Identity is ``internetMessageId`` (the RFC 5322 Message-ID), so a message saved from the sidebar
and the same message found by the sync make one Salesforce record. ``conversationId`` is the
thread: it is what Outlook's add-in hands the sidebar, so "save all emails in thread" matches it.
Bodies are read as HTML (``outlook.body-content-type="html"``) and the plain text is made from
them, as the IMAP and Gmail adapters keep both; a server that answers in text gives text only.
Shapes: Microsoft Learn, "message resource type" (internetMessageHeaders only with ``$select``).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from app.sync.items import EmailMessage
from app.sync.transforms import html_to_text

# Small headers: enough to decide whether a message is saved, without its body.
HEADERS = ("id", "internetMessageId", "conversationId", "subject", "from", "toRecipients", "ccRecipients",
           "sentDateTime", "receivedDateTime", "categories", "parentFolderId", "changeKey", "lastModifiedDateTime", "isDraft")
HEADER_SELECT = ",".join(HEADERS)
FULL_SELECT = ",".join((*HEADERS, "body", "internetMessageHeaders"))
MARKER_SELECT = "id,internetMessageHeaders"
SAVE_HEADER = "x-syncline-save"  # set by the sidebar on a draft to "save when sent" (Compose mode)


def read_message(message: Mapping[str, Any], folder: str = "") -> EmailMessage:
    """``folder`` is the Salesforce folder's name when the message was listed there, else ""."""
    body = message.get("body") or {}
    content = str(body.get("content") or "")
    html = str(body.get("contentType") or "").lower() == "html"
    return EmailMessage(
        item_id=str(message["id"]),
        message_id=str(message.get("internetMessageId") or f"<graph-{message['id']}@graph.invalid>"),
        conversation_id=str(message.get("conversationId") or ""),
        sender=_address(message.get("from")), to=_addresses(message.get("toRecipients")),
        cc=_addresses(message.get("ccRecipients")), sent_at=_instant(message.get("sentDateTime")),
        subject=str(message.get("subject") or ""), body_text=html_to_text(content) if html else content,
        body_html=content if html else "",
        categories=tuple(str(c) for c in message.get("categories") or ()), folder=folder,
        version=str(message.get("changeKey") or ""), modified_at=_instant(message.get("lastModifiedDateTime")),
        save_marker=save_marker(message), received_at=_instant(message.get("receivedDateTime")))


def save_marker(message: Mapping[str, Any]) -> str:
    """The X-Syncline-Save internet header's value ("" when absent or not selected)."""
    for header in message.get("internetMessageHeaders") or ():
        if str(header.get("name") or "").lower() == SAVE_HEADER:
            return str(header.get("value") or "").strip()
    return ""


def _address(recipient: Any) -> str:
    email = (recipient or {}).get("emailAddress") or {} if isinstance(recipient, Mapping) else {}
    return str(email.get("address") or "").strip().lower()


def _addresses(recipients: Any) -> tuple[str, ...]:
    return tuple(a for a in (_address(r) for r in recipients or ()) if a)


def _instant(value: Any) -> datetime | None:
    """Graph's ISO 8601 UTC instants ("2026-12-05T10:00:00Z"); None when absent or unreadable."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
