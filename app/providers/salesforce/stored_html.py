"""Rich-text fields the engine writes to Salesforce, cleaned with the one sanitiser on the way out.

Why here: every engine write of every mailbox adapter (IMAP today, Graph/Gmail later) goes
through `SalesforceCrmPort.upsert_by_sync_key` / `update_records`, and the core (`app.sync`)
must stay pure. Cleaning at the port means no adapter and no mapping can forget it. Plain-text
fields (Task/Event Description, TextBody) are not HTML: Salesforce shows them escaped.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.security.html import clean_html

HTML_FIELDS: Mapping[str, tuple[str, ...]] = {"EmailMessage": ("HtmlBody",)}


def sanitised(object_type: str, fields: Mapping[str, Any]) -> dict[str, Any]:
    """`fields` with each rich-text value of `object_type` passed through `clean_html`.

    Escaping can lengthen the text; the core already cut it to the field's length, so the clean
    value is cut to the same length (only the end goes: nothing cut off can make it unsafe).
    """
    out = dict(fields)
    for name in HTML_FIELDS.get(object_type, ()):
        value = out.get(name)
        if isinstance(value, str):
            out[name] = (clean_html(value) or "")[:len(value)]
    return out
