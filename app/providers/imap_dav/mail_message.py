"""RFC 5322 messages ⇄ the core's EmailMessage: decoded headers (RFC 2047, odd or missing
charsets, raw 8-bit), thread root, text and HTML bodies, and attachment metadata.
"""
from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import decode_header, make_header
from email.message import Message
from email.utils import getaddresses, parsedate_to_datetime

MESSAGE_ID = re.compile(r"<[^<>\s]+>")
CHARSET_ALIASES = {"unknown-8bit": "cp1252", "x-unknown": "cp1252", "ks_c_5601-1987": "cp949",
                   "windows-874": "cp874", "x-user-defined": "cp1252", "iso-8859-8-i": "iso-8859-8"}


@dataclass(frozen=True)
class AttachmentInfo:
    """What the core may want to know about an attachment without downloading it."""

    filename: str
    content_type: str
    size: int
    content_id: str = ""
    inline: bool = False


@dataclass(frozen=True)
class ParsedMessage:
    message_id: str
    conversation_id: str
    references: tuple[str, ...]
    sender: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    sent_at: datetime | None
    subject: str
    body_text: str
    body_html: str
    attachments: tuple[AttachmentInfo, ...]
    save_marker: str = ""


SAVE_HEADER = "X-Syncline-Save"  # set by the sidebar on a draft to "save when sent" (Compose mode)


def parse_message(raw: bytes) -> ParsedMessage:
    """Never raises on malformed input: what cannot be decoded is replaced, not dropped."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    references = tuple(MESSAGE_ID.findall(header_text(msg, "References")))
    in_reply_to = tuple(MESSAGE_ID.findall(header_text(msg, "In-Reply-To")))
    own = (MESSAGE_ID.findall(header_text(msg, "Message-ID")) or [""])[0]
    text, html, attachments = _bodies(msg)
    return ParsedMessage(
        message_id=own, conversation_id=(references or in_reply_to or (own,))[0],
        references=references or in_reply_to, sender=(_addresses(msg, "From") or ("",))[0],
        to=_addresses(msg, "To"), cc=_addresses(msg, "Cc"), sent_at=_date(msg),
        subject=header_text(msg, "Subject"), body_text=text, body_html=html, attachments=attachments,
        save_marker=header_text(msg, SAVE_HEADER))


def header_text(msg: Message, name: str) -> str:
    """A header decoded from RFC 2047 words and raw 8-bit bytes, unfolded, whitespace-trimmed."""
    raw = next((value for key, value in msg.raw_items() if key.lower() == name.lower()), None)
    if raw is None:
        return ""
    raw = _undo_surrogates(str(raw))
    try:
        decoded = str(make_header(decode_header(raw)))
    except (LookupError, UnicodeDecodeError, ValueError):
        decoded = "".join(_decode(part, cs) if isinstance(part, bytes) else part for part, cs in decode_header(raw))
    return " ".join(decoded.split())


def _undo_surrogates(value: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogates: read them as UTF-8, else cp1252."""
    if not any("\udc80" <= ch <= "\udcff" for ch in value):
        return value
    data = value.encode("ascii", "surrogateescape")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")


def _addresses(msg: Message, name: str) -> tuple[str, ...]:
    """Lower-cased addresses (the core compares them case-insensitively)."""
    values = [header_text(msg, name)] if msg.get(name) is not None else []
    return tuple(addr.strip().lower() for _, addr in getaddresses(values) if "@" in addr)


def _date(msg: Message) -> datetime | None:
    try:
        value = parsedate_to_datetime(header_text(msg, "Date"))
    except (TypeError, ValueError, IndexError):
        return None
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _decode(payload: bytes, charset: str | None) -> str:
    """Bytes in a declared charset, with aliases for what mailers write and a cp1252 fallback."""
    name = (charset or "utf-8").strip().strip('"').lower()
    name = CHARSET_ALIASES.get(name, name)
    try:
        return payload.decode(name)
    except (LookupError, UnicodeDecodeError):
        try:
            return payload.decode("utf-8")
        except UnicodeDecodeError:
            return payload.decode("cp1252", "replace")


def _bodies(msg: Message) -> tuple[str, str, tuple[AttachmentInfo, ...]]:
    """First text/plain and text/html that are not attachments; everything else is metadata."""
    text = html = ""
    attachments: list[AttachmentInfo] = []
    for part in msg.walk():
        if part.is_multipart():
            continue
        ctype = part.get_content_type()
        disposition = (part.get("Content-Disposition") or "").split(";")[0].strip().lower()
        filename = _filename(part)
        if disposition != "attachment" and not filename and ctype in ("text/plain", "text/html"):
            body = _decode(part.get_payload(decode=True) or b"", part.get_content_charset())
            if ctype == "text/plain" and not text:
                text = body
            elif ctype == "text/html" and not html:
                html = body
            continue
        payload = part.get_payload(decode=True) or b""
        attachments.append(AttachmentInfo(filename, ctype, len(payload), header_text(part, "Content-ID").strip("<>"),
                                          disposition == "inline"))
    return text, html, tuple(attachments)


def _filename(part: Message) -> str:
    try:
        name = part.get_filename()
    except (LookupError, UnicodeDecodeError, ValueError):
        name = None
    if not name:
        return ""
    return " ".join(str(make_header(decode_header(_undo_surrogates(name)))).split())
