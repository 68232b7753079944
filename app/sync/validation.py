"""Checking a mapping table against the org's describe before it is saved or used.

Pure: the API layer fetches the describe and shows these errors next to the named row.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.sync.items import item_field_names
from app.sync.mapping import CODECS, MappingRow, MappingTable


@dataclass(frozen=True)
class MappingError:
    """One problem with one row (``row`` is the index in the table)."""

    row: int
    mailbox_field: str
    salesforce_field: str
    problem: str
    message: str


def validate_mapping(table: MappingTable, describe: Mapping[str, Any]) -> list[MappingError]:
    """All problems of ``table`` against ``describe``; empty means the table is usable."""
    fields = {f["name"]: f for f in describe.get("fields", [])}
    errors: list[MappingError] = []
    seen: set[str] = set()
    for index, row in enumerate(table.rows):
        errors.extend(_row_errors(table, index, row, fields))
        if row.key in seen:
            errors.append(_error(index, row, "duplicate_row", f"'{row.key}' is mapped twice"))
        seen.add(row.key)
    return errors


def _row_errors(table: MappingTable, index: int, row: MappingRow, fields: Mapping[str, Any]) -> list[MappingError]:
    codec = CODECS.get(row.transform)
    if codec is None:
        return [_error(index, row, "unknown_transform", f"no transform named '{row.transform}'")]
    known = item_field_names(table.kind)
    errors = [_error(index, row, "unknown_mailbox_field", f"{table.kind.value} items have no '{name}'")
              for name in codec.mailbox_fields(row) if name not in known]
    if not row.direction.to_salesforce and not row.direction.to_mailbox:
        return errors
    for name in codec.salesforce_fields(row):
        errors.extend(_field_errors(index, row, name, fields.get(name), codec.salesforce_types))
    return errors


def _field_errors(index: int, row: MappingRow, name: str, info: Mapping[str, Any] | None,
                  allowed_types: frozenset[str]) -> list[MappingError]:
    if info is None:
        return [_error(index, row, "unknown_field", f"{name} does not exist on this object")]
    errors = []
    if allowed_types and info.get("type") not in allowed_types:
        errors.append(_error(index, row, "type_mismatch",
                             f"{name} is {info.get('type')}; '{row.transform}' needs {sorted(allowed_types)}"))
    if row.direction.to_salesforce and not (info.get("updateable", True) and info.get("createable", True)):
        errors.append(_error(index, row, "not_updateable", f"{name} cannot be written by the sync user"))
    errors.extend(_picklist_errors(index, row, name, info))
    return errors


def _picklist_errors(index: int, row: MappingRow, name: str, info: Mapping[str, Any]) -> list[MappingError]:
    if row.transform != "picklist" or info.get("type") != "picklist":
        return []
    active = {p["value"] for p in info.get("picklistValues", []) if p.get("active", True)}
    wanted = set(row.options.get("values", {}).values())
    return [_error(index, row, "unknown_picklist_value", f"{name} has no active value '{v}'")
            for v in sorted(wanted - active)]


def _error(index: int, row: MappingRow, problem: str, message: str) -> MappingError:
    return MappingError(index, row.mailbox_field, row.salesforce_field, problem, message)
