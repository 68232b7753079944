"""Mapping tables: which mailbox attribute mirrors which Salesforce field, which way, how.

Tables are plain data (``to_dict`` / ``from_dict``) so admins can edit them through the API.
Syncing calendar items "as another object" is just another table; no special code.
"""
from __future__ import annotations

import hashlib
import json
import typing
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from enum import Enum
from functools import cached_property
from typing import Any

from app.sync.contacts import LastNameCodec
from app.sync.event.attendees import AttendeesCodec
from app.sync.event.recurrence_fields import RecurrenceCodec
from app.sync.event.timing import EventTimingCodec, StartDateCodec
from app.sync.items import ITEM_TYPES, FolderKind
from app.sync.transforms import (
    UNREADABLE,
    BoolCodec,
    Codec,
    DateCodec,
    DateTimeCodec,
    FieldContext,
    HtmlTextCodec,
    PicklistCodec,
    TextCodec,
)

CODECS: dict[str, Codec] = {
    "text": TextCodec(),
    "html_to_text": HtmlTextCodec(),
    "bool": BoolCodec(),
    "date": DateCodec(),
    "datetime": DateTimeCodec(),
    "picklist": PicklistCodec(),
    "event_timing": EventTimingCodec(),
    "start_date": StartDateCodec(),
    "attendees": AttendeesCodec(),
    "event_recurrence": RecurrenceCodec(),
    "last_name": LastNameCodec(),
}


class Direction(str, Enum):
    """Which way a field (or an object) flows."""

    BOTH = "both"
    TO_SALESFORCE = "to_salesforce"
    TO_MAILBOX = "to_mailbox"
    NONE = "none"

    @property
    def to_salesforce(self) -> bool:
        return self in (Direction.BOTH, Direction.TO_SALESFORCE)

    @property
    def to_mailbox(self) -> bool:
        return self in (Direction.BOTH, Direction.TO_MAILBOX)

    def narrowed_by(self, other: Direction) -> Direction:
        """The flow allowed by both (row direction ∩ object option)."""
        return _NARROWED[self, other]


def _narrowed(one: Direction, other: Direction) -> Direction:
    sf = one.to_salesforce and other.to_salesforce
    mb = one.to_mailbox and other.to_mailbox
    return {(True, True): Direction.BOTH, (True, False): Direction.TO_SALESFORCE,
            (False, True): Direction.TO_MAILBOX}.get((sf, mb), Direction.NONE)


_NARROWED = {(a, b): _narrowed(a, b) for a in Direction for b in Direction}   # planned per field per item


@dataclass(frozen=True)
class MappingRow:
    """One mirrored field. ``mailbox_field`` is also the row's key inside its table."""

    mailbox_field: str
    salesforce_field: str
    direction: Direction = Direction.BOTH
    transform: str = "text"
    options: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.mailbox_field

    @property
    def codec(self) -> Codec:
        return CODECS[self.transform]

    def to_dict(self) -> dict[str, Any]:
        return {"mailbox_field": self.mailbox_field, "salesforce_field": self.salesforce_field,
                "direction": self.direction.value, "transform": self.transform, "options": dict(self.options)}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MappingRow:
        return cls(data["mailbox_field"], data["salesforce_field"], Direction(data.get("direction", "both")),
                   data.get("transform", "text"), dict(data.get("options") or {}))


@dataclass(frozen=True)
class MappingTable:
    """All rows for one mailbox folder kind ⇄ one Salesforce object."""

    name: str
    kind: FolderKind
    object_type: str
    rows: tuple[MappingRow, ...]

    def active_rows(self) -> tuple[MappingRow, ...]:
        return self._active_rows

    @cached_property
    def _active_rows(self) -> tuple[MappingRow, ...]:     # asked per item: worked out once per table
        return tuple(r for r in self.rows if r.direction is not Direction.NONE)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind.value, "object_type": self.object_type,
                "rows": [r.to_dict() for r in self.rows]}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> MappingTable:
        return cls(data["name"], FolderKind(data["kind"]), data["object_type"],
                   tuple(MappingRow.from_dict(r) for r in data["rows"]))


@dataclass(frozen=True)
class BoundMapping:
    """A table bound to the org's describe (field lengths, createable fields) — what the planner uses."""

    table: MappingTable
    lengths: Mapping[str, int] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()
    required: frozenset[str] = frozenset()

    def context(self, timezone: str) -> FieldContext:
        return FieldContext(self.lengths, timezone)


def field_lengths(describe: Mapping[str, Any]) -> dict[str, int]:
    """Text field lengths from a Salesforce describe (``{"fields": [{name, type, length}]}``)."""
    return {f["name"]: int(f["length"]) for f in describe.get("fields", []) if f.get("length")}


def bind_mapping(table: MappingTable, describe: Mapping[str, Any] | None = None) -> BoundMapping:
    describe = describe or {}
    createable = frozenset(f["name"] for f in describe.get("fields", []) if f.get("createable", True) is not False)
    return BoundMapping(table, field_lengths(describe), createable, required_fields(describe))


def required_fields(describe: Mapping[str, Any]) -> frozenset[str]:
    """Fields a create must fill: createable, not nillable, not defaulted on create (booleans
    always have a value), as Salesforce's describe marks a required field."""
    return frozenset(f["name"] for f in describe.get("fields", [])
                     if f.get("createable") and f.get("nillable", True) is False
                     and not f.get("defaultedOnCreate", False) and f.get("type") != "boolean")


def mailbox_values(mapping: BoundMapping, item: Any, ctx: FieldContext,
                   agreed: Mapping[str, str] | None = None, only: Collection[str] | None = None) -> dict[str, Any]:
    """Canonical values of a mailbox item for every active row (``only`` these rows' keys, if given).
    Given the last ``agreed`` hashes, a row whose attribute the item holds only coarsely
    (``item.coarse``) and whose agreed value is one the item cannot tell apart is left out: the
    mailbox did not change it."""
    coarse = dict(getattr(item, "coarse", ()) or ())
    values: dict[str, Any] = {}
    for row in mapping.table.active_rows():
        if only is not None and row.key not in only:
            continue
        alike = coarse.get(row.mailbox_field)
        if alike is not None and agreed is not None and agreed.get(row.key) in {
                value_hash(row.codec.from_item(replace(item, **{row.mailbox_field: v}), row, ctx)) for v in alike}:
            continue
        values[row.key] = row.codec.from_item(item, row, ctx)
    return values


def crm_values(mapping: BoundMapping, fields: Mapping[str, Any], ctx: FieldContext) -> dict[str, Any]:
    """Canonical values of a Salesforce record; rows it cannot carry are left out."""
    values = {r.key: r.codec.from_record(fields, r, ctx) for r in mapping.table.active_rows()}
    return {k: v for k, v in values.items() if v is not UNREADABLE}


def record_fields(mapping: BoundMapping, values: Mapping[str, Any], ctx: FieldContext) -> dict[str, Any]:
    """Salesforce field values for the given canonical row values."""
    rows = {r.key: r for r in mapping.table.rows}
    out: dict[str, Any] = {}
    for key, value in values.items():
        out.update(rows[key].codec.to_record(value, rows[key], ctx))
    return out


def item_changes(mapping: BoundMapping, values: Mapping[str, Any], ctx: FieldContext) -> dict[str, Any]:
    """Mailbox attribute values for the given canonical row values, coerced to the item's types."""
    rows = {r.key: r for r in mapping.table.rows}
    out: dict[str, Any] = {}
    for key, value in values.items():
        out.update(rows[key].codec.to_item(value, rows[key], ctx))
    return coerce_attributes(mapping.table.kind, out)


def coerce_attributes(kind: FolderKind, values: Mapping[str, Any]) -> dict[str, Any]:
    """Turn plain picklist strings back into the item's enum types."""
    hints = typing.get_type_hints(ITEM_TYPES[kind])
    out = dict(values)
    for name, value in values.items():
        enum_type = _enum_in(hints.get(name))
        if enum_type is not None and value is not None and not isinstance(value, enum_type):
            out[name] = enum_type(value)
    return out


def _enum_in(hint: Any) -> type[Enum] | None:
    candidates = typing.get_args(hint) or (hint,)
    return next((c for c in candidates if isinstance(c, type) and issubclass(c, Enum)), None)


def value_hash(value: Any) -> str:
    """Stable short hash of one canonical value (what the ID map stores per field)."""
    encoded = _HASH_JSON.encode(value)   # json.dumps(value, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode()).hexdigest()[:16]


_HASH_JSON = json.JSONEncoder(sort_keys=True, default=str, ensure_ascii=False)   # json.dumps builds one per call


def values_hashes(values: Mapping[str, Any]) -> dict[str, str]:
    return {k: value_hash(v) for k, v in values.items()}


def content_hash(hashes: Mapping[str, str]) -> str:
    """One hash over all per-field hashes: equal means nothing mapped changed."""
    return value_hash(sorted(hashes.items()))
