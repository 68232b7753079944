"""Value conversions between mailbox attributes and Salesforce fields.

Each mapping row names a codec. A codec turns a mailbox item or a Salesforce record into a
*canonical* value (JSON-able, in Salesforce terms: UTC datetime strings, picklist labels,
truncated text) and back. Comparing canonical values of both sides is what makes echo
suppression and field-level merge work, so ``to_record`` ∘ ``from_record`` must round-trip.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import Enum
from html.parser import HTMLParser
from typing import Any
from zoneinfo import ZoneInfo

UNREADABLE = object()  # the CRM record does not carry this value (e.g. attendees)
MINUTES_PER_DAY = 1440
_BLOCK_TAGS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol"})


@dataclass(frozen=True)
class FieldContext:
    """What codecs need besides the value: field lengths (from describe) and the user's zone."""

    lengths: Mapping[str, int] = field(default_factory=dict)
    timezone: str = "UTC"


def format_sf_datetime(value: datetime) -> str:
    """Salesforce's UTC form: ``2026-11-23T10:00:00.000+0000``. Naive values are refused."""
    if value.tzinfo is None:
        raise ValueError("naive datetime cannot be sent to Salesforce")
    return value.astimezone(UTC).isoformat(timespec="milliseconds")[:-6] + "+0000"   # 4-digit years, as sent


def parse_sf_datetime(text: str) -> datetime:
    """Parse what Salesforce returns (``+0000``, ``Z`` or ``+00:00`` offsets) as aware UTC."""
    cleaned = text.strip().replace("Z", "+00:00")
    cleaned = re.sub(r"([+-]\d\d)(\d\d)$", r"\1:\2", cleaned)
    return datetime.fromisoformat(cleaned).astimezone(UTC)


def truncate(text: str, limit: int | None) -> str:
    """Cut to the Salesforce field length (characters); ``None`` means unlimited."""
    return text if limit is None or len(text) <= limit else text[:limit]


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._skip = max(0, self._skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """Readable plain text from an HTML body: tags dropped, blocks become lines, entities decoded."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [re.sub(r"[ \t\r\f\v\xa0]+", " ", line).strip() for line in "".join(parser.parts).split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


class Codec:
    """Base codec: one mailbox attribute ⇄ one Salesforce field, value passed through."""

    salesforce_types: frozenset[str] = frozenset()
    crm_readable = True

    def salesforce_fields(self, row: Any) -> tuple[str, ...]:
        return (row.salesforce_field,)

    def mailbox_fields(self, row: Any) -> tuple[str, ...]:
        return (row.mailbox_field,)

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> Any:
        return _plain(getattr(item, row.mailbox_field))

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> Any:
        return fields.get(row.salesforce_field)

    def to_record(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {row.salesforce_field: value}

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {row.mailbox_field: value}


class TextCodec(Codec):
    """Strings, truncated to the describe length; empty and null are the same value."""

    salesforce_types = frozenset({"string", "textarea", "phone", "email", "url", "picklist", "combobox"})

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> str:
        return truncate(str(_plain(getattr(item, row.mailbox_field)) or ""), ctx.lengths.get(row.salesforce_field))

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> str:
        return truncate(str(fields.get(row.salesforce_field) or ""), ctx.lengths.get(row.salesforce_field))

    def to_record(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {row.salesforce_field: value or None}


class HtmlTextCodec(TextCodec):
    """A mailbox body (HTML preferred) as plain text in a Salesforce long text field."""

    salesforce_types = frozenset({"textarea", "string"})

    def mailbox_fields(self, row: Any) -> tuple[str, ...]:
        return (row.mailbox_field, row.options.get("html_field", "body_html"))

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> str:
        html = getattr(item, row.options.get("html_field", "body_html"), "") or ""
        text = html_to_text(html) if html else getattr(item, row.mailbox_field) or ""
        return truncate(text, ctx.lengths.get(row.salesforce_field))

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {row.mailbox_field: value or "", row.options.get("html_field", "body_html"): ""}


class BoolCodec(Codec):
    salesforce_types = frozenset({"boolean"})

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> bool:
        return bool(getattr(item, row.mailbox_field))

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> bool:
        return bool(fields.get(row.salesforce_field))


class DateCodec(Codec):
    """A calendar date as ``YYYY-MM-DD`` (Salesforce date fields carry no zone)."""

    salesforce_types = frozenset({"date"})

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> str | None:
        value = getattr(item, row.mailbox_field)
        return value.isoformat() if value else None

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> str | None:
        return fields.get(row.salesforce_field) or None

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {row.mailbox_field: date.fromisoformat(value) if value else None}


class DateTimeCodec(Codec):
    """An aware datetime stored by Salesforce in UTC; written back in the user's zone."""

    salesforce_types = frozenset({"datetime"})

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> str | None:
        value = getattr(item, row.mailbox_field)
        return format_sf_datetime(value) if value else None

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> str | None:
        value = fields.get(row.salesforce_field)
        return format_sf_datetime(parse_sf_datetime(value)) if value else None

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        local = parse_sf_datetime(value).astimezone(ZoneInfo(ctx.timezone)) if value else None
        return {row.mailbox_field: local}


class PicklistCodec(Codec):
    """Maps mailbox enum values to picklist values via ``options['values']``; first match wins back."""

    salesforce_types = frozenset({"picklist", "string"})

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> Any:
        value = _plain(getattr(item, row.mailbox_field))
        return row.options.get("values", {}).get(value, row.options.get("default_salesforce"))

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> Any:
        return fields.get(row.salesforce_field) or row.options.get("default_salesforce")

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        for mailbox_value, sf_value in row.options.get("values", {}).items():
            if sf_value == value:
                return {row.mailbox_field: mailbox_value}
        return {row.mailbox_field: row.options.get("default_mailbox")}
