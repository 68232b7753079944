"""Save-time checks in Salesforce's order: shape (whole request), then per-record errors.

Unknown fields and undeserializable values fail the whole request (as the real JSON
parser does); everything else is a per-record `RecordError`.
"""
from __future__ import annotations

import re
from typing import Any

from . import ids
from .errors import ApiError, RecordError, invalid_field_on
from .schema import ObjectDef
from .store import Org, Record
from .values import coerce

_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def parse_input(obj: ObjectDef, raw: Any) -> dict[str, Any]:
    """Map a JSON object onto canonical field names and stored values (raises ApiError)."""
    if not isinstance(raw, dict):
        raise ApiError(400, "JSON_PARSER_ERROR",
                       "Cannot deserialize instance of sObject from non-object value")
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "attributes":
            continue
        f = obj.field_ci(key)
        if f is None:
            raise invalid_field_on(key, obj.name)
        out[f.name] = coerce(f, value)
    return out


def check_access(obj: ObjectDef, values: dict[str, Any], creating: bool) -> list[RecordError]:
    """Fields the caller may not write on insert or update."""
    bad = [n for n in values if n != "Id" and not (
        obj.fields[n].createable if creating else obj.fields[n].updateable)]
    if not bad:
        return []
    return [RecordError("INVALID_FIELD_FOR_INSERT_UPDATE",
                        f"Unable to create/update fields: {', '.join(bad)}. Please check the "
                        "security settings of this field and verify that it is read/write "
                        "for your profile or permission set.", bad)]


def check_values(obj: ObjectDef, values: dict[str, Any]) -> list[RecordError]:
    """Length, restricted picklist and email format of the fields being written."""
    errors: list[RecordError] = []
    for name, value in values.items():
        f = obj.fields[name]
        label = f.label or name
        if not isinstance(value, str) or value == "":
            continue
        if f.length and f.type not in ("reference", "id") and len(value) > f.length:
            errors.append(RecordError(
                "STRING_TOO_LONG",
                f"{label}: data value too large: {value[:100]} (max length={f.length})", [name]))
        elif f.type == "picklist" and f.restricted and value not in f.picklist:
            errors.append(RecordError(
                "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                f"{label}: bad value for restricted picklist field: {value}", [name]))
        elif f.type == "email" and not _EMAIL_RE.match(value):
            errors.append(RecordError("INVALID_EMAIL_ADDRESS",
                                      f"{label}: invalid email address: {value}", [name]))
    return errors


def check_required(obj: ObjectDef, record: Record) -> list[RecordError]:
    missing = [f.name for f in obj.fields.values()
               if f.required and record.get(f.name) in (None, "")]
    if not missing:
        return []
    return [RecordError("REQUIRED_FIELD_MISSING",
                        f"Required fields are missing: [{', '.join(missing)}]", missing)]


def check_references(org: Org, obj: ObjectDef, record: Record,
                     touched: set[str]) -> list[RecordError]:
    """Lookups must name a live record of an allowed type in this org; ids become 18-char."""
    errors: list[RecordError] = []
    for name in touched:
        f = obj.fields[name]
        value = record.get(name)
        if f.type != "reference" or value in (None, ""):
            continue
        rid = ids.normalize(value)
        label = f.label or name
        if rid is None or ids.sobject_type_of(rid) not in f.reference_to:
            errors.append(RecordError("FIELD_INTEGRITY_EXCEPTION",
                                      f"{label}: id value of incorrect type: {value}", [name]))
            continue
        found = org.store.get(rid)
        if found is None:
            errors.append(RecordError("INVALID_CROSS_REFERENCE_KEY",
                                      "invalid cross reference id", [name]))
        elif found[1].get("IsDeleted"):
            errors.append(RecordError("ENTITY_IS_DELETED", "entity is deleted", [name]))
        else:
            record[name] = rid
    return errors


def check_unique(org: Org, obj: ObjectDef, record: Record) -> list[RecordError]:
    """Unique fields (External IDs, Username) compare case-insensitively."""
    for f in obj.fields.values():
        value = record.get(f.name)
        if not f.unique or value in (None, ""):
            continue
        for other_id in org.store.ids_with(obj.name, f.name, value):
            if other_id != record.get("Id"):
                code = "DUPLICATE_USERNAME" if f.name == "Username" else "DUPLICATE_VALUE"
                return [RecordError(code, f"duplicate value found: {f.name} duplicates "
                                          f"value on record with id: {other_id}", [])]
    return []


def check_rules(org: Org, obj: ObjectDef, record: Record, version: str) -> list[RecordError]:
    """Configured validation rules, then duplicate rules."""
    for rule in org.validation_rules:
        if rule.sobject == obj.name and rule.error_when(dict(record)):
            return [RecordError("FIELD_CUSTOM_VALIDATION_EXCEPTION", rule.message,
                                [rule.field] if rule.field else [])]
    for dup in org.duplicate_rules:
        if dup.sobject != obj.name:
            continue
        match = _find_duplicate(org, dup.fields, (obj.name,) + dup.match_types, record)
        if match is not None:
            return [_duplicate_error(dup.name, obj.name, match, version)]
    return []


def _find_duplicate(org: Org, fields: tuple[str, ...], kinds: tuple[str, ...],
                    record: Record) -> tuple[str, Record] | None:
    key = [str(record.get(f) or "").strip().lower() for f in fields]
    if not all(key):
        return None
    for kind in kinds:
        for other in org.store.all(kind):
            if other["Id"] != record.get("Id") and \
                    [str(other.get(f) or "").strip().lower() for f in fields] == key:
                return kind, other
    return None


def _duplicate_error(rule: str, kind: str, match: tuple[str, Record],
                     version: str) -> RecordError:
    mkind, other = match
    found = {"attributes": {"type": mkind,
                            "url": f"/services/data/v{version}/sobjects/{mkind}/{other['Id']}"},
             "Id": other["Id"]}
    result = {"allowSave": False, "duplicateRule": rule, "duplicateRuleEntityType": kind,
              "errorMessage": "Use one of these records?",
              "matchResults": [{"entityType": mkind, "errors": [],
                                "matchEngine": "ExactMatchEngine",
                                "matchRecords": [{"additionalInformation": [],
                                                  "fieldDiffs": [], "matchConfidence": 100.0,
                                                  "record": found}],
                                "rule": rule, "size": 1, "success": True}]}
    return RecordError("DUPLICATES_DETECTED", "Use one of these records?", [],
                       {"duplicateResult": result})
