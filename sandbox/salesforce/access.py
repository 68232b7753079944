"""Field-level security: which custom fields a user sees and may edit, as Salesforce decides it.

A custom field is visible only through a FieldPermissions row (PermissionsRead) of a permission
set the user holds: the one their profile owns, or one assigned by PermissionSetAssignment. A
field nobody was granted is absent from describe, SOQL and writes (INVALID_FIELD), exactly like
a field that does not exist; read-only access makes it neither createable nor updateable.
Standard fields are not modelled as permissionable.
"""
from __future__ import annotations

import dataclasses
from typing import Any

from .errors import RecordError
from .schema import FieldDef, ObjectDef, Schema
from .store import Org, Record

Access = dict[str, tuple[bool, bool]]      # "object.field" (lower case) → (read, edit)


def permissionable(f: FieldDef) -> bool:
    return f.name.endswith("__c")


def user_permission_sets(org: Org, user_id: str) -> set[str]:
    """The profile-owned permission set plus every assigned one."""
    found = org.store.get(user_id)
    profile = found[1].get("ProfileId") if found and found[0] == "User" else None
    sets = {p["Id"] for p in org.store.all("PermissionSet") if profile and p.get("ProfileId") == profile}
    sets |= {a["PermissionSetId"] for a in org.store.all("PermissionSetAssignment") if a.get("AssigneeId") == user_id}
    return sets


def field_access(org: Org, user_id: str) -> Access:
    sets = user_permission_sets(org, user_id)
    out: Access = {}
    for row in org.store.all("FieldPermissions"):
        if row.get("ParentId") in sets:
            key = str(row.get("Field") or "").lower()
            read, edit = out.get(key, (False, False))
            out[key] = (read or bool(row.get("PermissionsRead")), edit or bool(row.get("PermissionsEdit")))
    return out


def _visible_object(obj: ObjectDef, access: Access) -> ObjectDef:
    if not any(permissionable(f) for f in obj.fields.values()):
        return obj
    fields: dict[str, FieldDef] = {}
    for name, f in obj.fields.items():
        if not permissionable(f):
            fields[name] = f
            continue
        read, edit = access.get(f"{obj.name}.{name}".lower(), (False, False))
        if read:
            fields[name] = f if edit else dataclasses.replace(f, createable=False, updateable=False)
    return dataclasses.replace(obj, fields=fields)


def visible_schema(org: Org, user_id: str) -> Schema:
    """The org's schema as `user_id` sees it (the whole schema for callers that are not users)."""
    found = org.store.get(user_id) if user_id else None
    if found is None or found[0] != "User":
        return org.schema
    access = field_access(org, user_id)
    return Schema({name: _visible_object(o, access) for name, o in org.schema.objects.items()})


def grant(org: Org, put: Any, permission_set_id: str, sobject: str, field: str, edit: bool = True) -> None:
    """Add a FieldPermissions row (setup-style, via `put(kind, values)`) unless one exists."""
    key = f"{sobject}.{field}"
    if any(r.get("ParentId") == permission_set_id and str(r.get("Field")).lower() == key.lower()
           for r in org.store.all("FieldPermissions")):
        return
    put("FieldPermissions", {"ParentId": permission_set_id, "SobjectType": sobject, "Field": key,
                             "PermissionsRead": True, "PermissionsEdit": edit})


def check_security_record(org: Org, obj: ObjectDef, record: Record) -> list[RecordError]:
    """FieldPermissions and PermissionSetAssignment rules the platform enforces on save."""
    if obj.name == "FieldPermissions":
        return _check_field_permissions(org, record)
    if obj.name == "PermissionSetAssignment":
        for other in org.store.all("PermissionSetAssignment"):
            if other["Id"] != record.get("Id") and other.get("AssigneeId") == record.get("AssigneeId") \
                    and other.get("PermissionSetId") == record.get("PermissionSetId"):
                return [RecordError("DUPLICATE_VALUE", "Duplicate PermissionSetAssignment", [])]
    return []


def _check_field_permissions(org: Org, record: Record) -> list[RecordError]:
    sobject, field = str(record.get("SobjectType") or ""), str(record.get("Field") or "")
    target = org.schema.get(sobject)
    prefix, _, name = field.partition(".")
    found = target.field_ci(name) if target is not None and prefix.lower() == sobject.lower() else None
    if found is None or not permissionable(found):
        return [RecordError("INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                            f"Field Name: bad value for restricted picklist field: {field}", ["Field"])]
    record.update(SobjectType=target.name, Field=f"{target.name}.{found.name}")   # type: ignore[union-attr]
    if record.get("PermissionsEdit") and not record.get("PermissionsRead"):
        return [RecordError("FIELD_INTEGRITY_EXCEPTION",
                            "Permission Read must be enabled when Edit is enabled", ["PermissionsRead"])]
    for other in org.store.all("FieldPermissions"):
        if other["Id"] != record.get("Id") and other.get("ParentId") == record.get("ParentId") \
                and str(other.get("Field")).lower() == record["Field"].lower():
            return [RecordError("DUPLICATE_VALUE", f"duplicate value found: Field duplicates value on record "
                                                   f"with id: {other['Id']}", [])]
    return []
