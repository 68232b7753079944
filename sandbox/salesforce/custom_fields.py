"""Custom field definitions as the Tooling/Metadata API sees them (`CustomField`), and their effect on the schema.

Each org keeps one CustomField row per definition (Id `00N…`, DeveloperName without `__c`,
TableEnumOrId, FullName, Metadata). Activity fields are defined once on `Activity` and appear
on both Event and Task, as in Salesforce. A field created here is invisible to every user until
field-level security grants it (see access.py).
"""
from __future__ import annotations

import re
from typing import Any

from .errors import ApiError
from .schema import FieldDef
from .store import Org

ACTIVITY = ("Event", "Task")
_TYPES = {"Text": "string", "Checkbox": "boolean", "LongTextArea": "textarea", "TextArea": "textarea",
          "Email": "email", "Phone": "phone", "Url": "url", "Number": "double", "Date": "date",
          "DateTime": "datetime"}
_KINDS = {v: k for k, v in _TYPES.items() if k not in ("TextArea",)}
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(_[A-Za-z0-9]+)*$")


def tables(table: str) -> tuple[str, ...]:
    """The sObjects a definition on `table` adds a field to."""
    return ACTIVITY if table == "Activity" else (table,)


def metadata_of(f: FieldDef) -> dict[str, Any]:
    """CustomFieldMetadata for an existing field definition."""
    kind = _KINDS.get(f.type, "Text")
    out: dict[str, Any] = {"label": f.label or f.name, "type": kind, "externalId": f.external_id,
                           "unique": f.unique, "required": False, "description": None}
    if kind in ("Text", "LongTextArea"):
        out["length"] = f.length
    if kind == "Checkbox":
        out["defaultValue"] = "true" if f.default else "false"
    return out


def field_from(name: str, md: dict[str, Any]) -> FieldDef:
    """The describe-level field a CustomFieldMetadata defines."""
    kind = _TYPES[md["type"]]
    if kind == "boolean":
        return FieldDef(name, kind, label=md["label"], nillable=False,
                        default=str(md.get("defaultValue")).lower() == "true")
    length = int(md.get("length") or (255 if kind == "string" else 0))
    return FieldDef(name, kind, label=md["label"], length=length, external_id=bool(md.get("externalId")),
                    unique=bool(md.get("unique")))


def register_existing(org: Org, new_id: Any) -> None:
    """Rows for the custom fields the org was created with (Activity fields once)."""
    for obj in org.schema.objects.values():
        for f in obj.fields.values():
            if not f.name.endswith("__c"):
                continue
            table = "Activity" if obj.name in ACTIVITY else obj.name
            full = f"{table}.{f.name}"
            if full.lower() not in org.custom_fields:
                org.custom_fields[full.lower()] = row(new_id(), table, f.name, metadata_of(f))


def row(rid: str, table: str, name: str, md: dict[str, Any]) -> dict[str, Any]:
    return {"Id": rid, "DeveloperName": name[:-3], "TableEnumOrId": table, "FullName": f"{table}.{name}",
            "NamespacePrefix": None, "Metadata": md}


def _bad(code: str, message: str) -> ApiError:
    return ApiError(400, code, message, fields=[])


def validate(org: Org, body: Any) -> tuple[str, str, dict[str, Any]]:
    """(table, field name, metadata) of a create request; ApiError as Salesforce words it."""
    if not isinstance(body, dict) or not body.get("FullName"):
        raise _bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [FullName]")
    table, _, name = str(body["FullName"]).partition(".")
    md = body.get("Metadata")
    if table in ACTIVITY:
        raise _bad("FIELD_INTEGRITY_EXCEPTION", f"Custom fields of {table} are defined on Activity: "
                                                f"use Activity.{name}")
    if table != "Activity" and org.schema.get(table) is None:
        raise _bad("FIELD_INTEGRITY_EXCEPTION", f"Cannot find entity: {table}")
    if not name.endswith("__c") or not _NAME.match(name[:-3]) or len(name[:-3]) > 40:
        raise _bad("FIELD_INTEGRITY_EXCEPTION", f"Invalid field name: {name} (a custom field's name ends in "
                                                "__c and holds letters, digits and single underscores)")
    if not isinstance(md, dict) or not md.get("label"):
        raise _bad("REQUIRED_FIELD_MISSING", "Required fields are missing: [Metadata.label]")
    if md.get("type") not in _TYPES:
        raise _bad("FIELD_INTEGRITY_EXCEPTION", f"Invalid value for field type: {md.get('type')}")
    if md["type"] == "Text" and not 0 < int(md.get("length") or 0) <= 255:
        raise _bad("FIELD_INTEGRITY_EXCEPTION", "Length: a Text field's length must be between 1 and 255")
    if md["type"] == "Checkbox" and str(md.get("defaultValue")).lower() not in ("true", "false"):
        raise _bad("FIELD_INTEGRITY_EXCEPTION", "Default Value: a Checkbox needs defaultValue true or false")
    canonical = "Activity" if table == "Activity" else org.schema.get(table).name    # type: ignore[union-attr]
    for existing in org.custom_fields.values():
        if existing["TableEnumOrId"] == canonical and existing["DeveloperName"].lower() == name[:-3].lower():
            raise _bad("DUPLICATE_DEVELOPER_NAME", f"Duplicate Developer Name: {name[:-3]}")
    return canonical, name, md


def apply(org: Org, table: str, name: str, md: dict[str, Any]) -> None:
    """Add the field to the schema; existing records get its default (a checkbox reads false)."""
    for kind in tables(table):
        f = field_from(name, md)
        org.schema.objects[kind].fields[name] = f
        for record in org.store.by_type.get(kind, {}).values():
            record.setdefault(name, f.default)
