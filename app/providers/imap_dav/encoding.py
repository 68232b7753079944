"""Text we write to DAV servers is valid, NFC-normalised UTF-8 without control characters.

Radicale silently mangles non-UTF-8 input and Xandikos refuses it, so every string that
reaches a PUT goes through here first.
"""
from __future__ import annotations

import re
import unicodedata

CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
LONE_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_text(value: str | None) -> str:
    """Lone surrogates become U+FFFD, control characters (except tab/newline) are dropped."""
    if not value:
        return ""
    value = LONE_SURROGATES.sub("\ufffd", value)
    return unicodedata.normalize("NFC", CONTROL_CHARS.sub("", value.replace("\r\n", "\n")))


def decode_body(data: bytes | str) -> str:
    """Server bytes as text: UTF-8 (with or without BOM), else Windows-1252 as Outlook writes it."""
    if isinstance(data, str):
        return data
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", "replace")
