"""Rich-text fields the engine writes to Salesforce, cleaned with the one sanitiser on the way out
and only then cut to the field's length.

Why here: every engine write of every mailbox adapter (IMAP, Graph, Gmail) goes through
`SalesforceCrmPort.upsert_by_sync_key` / `create_records` / `update_records`, and the core
(`app.sync`) must stay pure. Cleaning at the port means no adapter and no mapping can forget it.
Why clean first: Outlook and Word mail carries tens of kilobytes of `<style>` and MSO markup at
its head, which the cleaner drops; cut first, a message that fits once clean would be stored as
that head alone. Plain-text fields (Task/Event Description, TextBody) are not HTML: Salesforce
shows them escaped.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from app.security.html import clean_html

HTML_FIELDS: Mapping[str, tuple[str, ...]] = {"EmailMessage": ("HtmlBody",)}
DEFAULT_HTML_LENGTH = 32_000        # EmailMessage.HtmlBody where the org's describe does not say


def sanitised(object_type: str, fields: Mapping[str, Any],
              length_of: Callable[[str], int | None] = lambda name: None) -> dict[str, Any]:
    """`fields` with each rich-text value of `object_type` cleaned, then cut to its length
    (`length_of(field)`, the org's describe; else the documented 32,000)."""
    out = dict(fields)
    for name in HTML_FIELDS.get(object_type, ()):
        value = out.get(name)
        if isinstance(value, str):
            out[name] = fitted_html(value, length_of(name) or DEFAULT_HTML_LENGTH)
    return out


def fitted_html(html: str, limit: int) -> str:
    """Clean HTML of at most `limit` characters, ending on a whole tag or entity. The cut text is
    cleaned again (it closes the tags left open, which lengthens it: then the cut moves back)."""
    clean = clean_html(html) or ""
    budget = limit
    while len(clean) > limit and budget > 0:
        fitted = clean_html(_whole_tokens(clean[:budget])) or ""
        if len(fitted) <= limit:
            return fitted
        budget -= len(fitted) - limit + 16
    return clean if len(clean) <= limit else ""


def _whole_tokens(cut: str) -> str:
    """`cut` without a tag or character reference it ends in the middle of."""
    tag, entity = cut.rfind("<"), cut.rfind("&")
    if tag > cut.rfind(">"):
        cut = cut[:tag]
    if entity > cut.rfind(";"):
        cut = cut[:entity]
    return cut
