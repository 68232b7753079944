"""Rows ⇄ the core's `CrmRecord`, which fields to read, and SOQL equality filters.

`matches` evaluates an equality filter on a row the way SOQL `=` does (text compares
case-insensitively, datetimes as instants), so a search can be answered from a listing
already read in the session instead of one query per candidate.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from app.providers.salesforce.describe import ObjectDescribe
from app.providers.salesforce.queries import soql_literal
from app.sync.mapping import MappingTable
from app.sync.ports import SYNC_KEY_FIELD, CrmRecord
from app.sync.transforms import parse_sf_datetime

BASE_FIELDS = ("Id", "OwnerId", SYNC_KEY_FIELD, "LastModifiedDate", "SystemModstamp")
# Read where the org has them, for the core's gate on what Salesforce may create in the mailbox
# (``policy.record_in_window``): a closed Task, or one that logs an email, is no to-do.
GATE_FIELDS: Mapping[str, tuple[str, ...]] = {"Task": ("IsClosed", "TaskSubtype")}
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$")
UNQUOTED_TYPES = frozenset({"datetime", "date", "boolean", "int", "double", "currency", "percent"})


def mapped_fields(tables: Iterable[MappingTable]) -> dict[str, tuple[str, ...]]:
    """Object → Salesforce fields the tables read or write (their codecs' field lists), in order."""
    out: dict[str, dict[str, None]] = {}
    for table in tables:
        wanted = out.setdefault(table.object_type, {})
        for row in table.active_rows():
            wanted.update(dict.fromkeys(row.codec.salesforce_fields(row)))
    return {name: tuple(fields) for name, fields in out.items()}


def readable_fields(meta: ObjectDescribe | None, wanted: Sequence[str]) -> list[str]:
    """Base + wanted (+ the object's gate) fields that exist in the org (a missing custom field
    must not break the query; without a describe the gate fields are not asked for)."""
    names = dict.fromkeys([*BASE_FIELDS, *wanted])
    if meta is None:
        return list(names)
    names.update(dict.fromkeys(GATE_FIELDS.get(meta.name, ())))
    return [meta.field(n).name for n in names if meta.field(n) is not None] or ["Id"]


def to_record(object_type: str, row: Mapping[str, Any]) -> CrmRecord:
    """A query row as a CrmRecord; version = SystemModstamp, as the change feed reports it."""
    fields = {k: v for k, v in row.items() if k != "attributes"}
    modified = fields.get("LastModifiedDate") or fields.get("SystemModstamp")
    return CrmRecord(object_type, str(fields["Id"]), fields, str(fields.get("SystemModstamp") or ""),
                     parse_sf_datetime(modified) if modified else None)


def soql_value(value: Any, field_type: str | None) -> str:
    """A literal for `field = value`; datetimes go unquoted in SOQL's `…Z` form."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value)
    if field_type == "datetime" or (field_type is None and _DATETIME.match(text)):
        instant = parse_sf_datetime(text)
        stamp = instant.strftime("%Y-%m-%dT%H:%M:%S")
        return stamp + (f".{instant.microsecond // 1000:03d}Z" if instant.microsecond else "Z")
    if field_type in UNQUOTED_TYPES:
        return text
    return soql_literal(text)


def equality_where(equals: Mapping[str, Any], meta: ObjectDescribe | None, owner_id: str | None) -> str:
    """`a = 1 AND b = 'x' [AND OwnerId = '005…']` (empty string when there is nothing to filter)."""
    parts = []
    for name, value in equals.items():
        info = meta.field(name) if meta is not None else None
        parts.append(f"{name} = {soql_value(value, info.type if info else None)}")
    if owner_id:
        parts.append(f"OwnerId = {soql_literal(owner_id)}")
    return " AND ".join(parts)


def matches(fields: Mapping[str, Any], equals: Mapping[str, Any]) -> bool:
    """SOQL `=` semantics on a row already read: case-insensitive text, datetimes as instants."""
    return all(_same(fields.get(name), value) for name, value in equals.items())


def _same(have: Any, want: Any) -> bool:
    if have is None or want is None:
        return have in (None, "") and want in (None, "")
    if isinstance(want, bool) or isinstance(have, bool):
        return bool(have) == bool(want)
    if isinstance(want, (int, float)) and not isinstance(have, str):
        return float(have) == float(want)
    have_s, want_s = str(have), str(want)
    if _DATETIME.match(have_s) and _DATETIME.match(want_s):
        return _instant(have_s) == _instant(want_s)
    return have_s.casefold() == want_s.casefold()


def _instant(text: str) -> datetime:
    return parse_sf_datetime(text).astimezone(UTC)
