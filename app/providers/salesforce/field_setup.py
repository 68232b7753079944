"""Creating Syncline's custom fields in an org and granting access to them, with an admin's connection.

Fields are created through the Tooling API (`tooling/sobjects/CustomField`; Event and Task
fields are one `Activity` field). A new field is invisible to every user until field-level
security grants it, so access is granted through one permission set (FieldPermissions, read and
edit) assigned to the org's Syncline users. Every step reads first and only adds what is
missing, so running it twice changes nothing the second time.
"""
from __future__ import annotations

from collections.abc import Iterable

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.describe import ObjectDescribe, describe_now, forget_describe
from app.providers.salesforce.errors import CallFailed
from app.providers.salesforce.queries import soql_in, soql_literal
from app.sync.salesforce_fields import ProductField

PERMISSION_SET = "Syncline_Sync_Fields"
PERMISSION_SET_LABEL = "Syncline sync fields"
ALREADY_DEFINED = "DUPLICATE_DEVELOPER_NAME"
ALREADY_THERE = "DUPLICATE_VALUE"


def defined_fields(client: SalesforceClient, fields: Iterable[ProductField]) -> set[str]:
    """`Table.Name__c` (lower case) of the definitions that exist, whoever can see them."""
    wanted = list(fields)
    names = sorted({f.name[:-3] for f in wanted})
    tables = sorted({f.defined_on for f in wanted})
    soql = (f"SELECT Id, DeveloperName, TableEnumOrId FROM CustomField WHERE DeveloperName IN {soql_in(names)} "
            f"AND TableEnumOrId IN {soql_in(tables)}")
    body = client.restful("tooling/query", params={"q": soql})
    return {f"{r['TableEnumOrId']}.{r['DeveloperName']}__c".lower() for r in body.get("records", [])}


def create_field(client: SalesforceClient, field: ProductField) -> bool:
    """Create one definition; False when Salesforce says it already exists (a concurrent setup)."""
    body = {"FullName": f"{field.defined_on}.{field.name}", "Metadata": field.metadata()}
    try:
        client.restful("tooling/sobjects/CustomField", "POST", json=body, idempotent=False)
    except CallFailed as exc:
        if exc.code == ALREADY_DEFINED:
            return False
        raise
    return True


def find_permission_set(client: SalesforceClient) -> str | None:
    rows = list(client.query(f"SELECT Id FROM PermissionSet WHERE Name = {soql_literal(PERMISSION_SET)}"))
    return str(rows[0]["Id"]) if rows else None


def permission_set(client: SalesforceClient) -> str:
    """Id of Syncline's permission set, created on first use."""
    found = find_permission_set(client)
    if found:
        return found
    created = client.restful("sobjects/PermissionSet", "POST", idempotent=False, json={
        "Name": PERMISSION_SET, "Label": PERMISSION_SET_LABEL,
        "Description": "Read and edit on the custom fields Syncline's sync writes (created by its field setup)"})
    return str(created["id"])


def grant_fields(client: SalesforceClient, permission_set_id: str, fields: Iterable[ProductField]) -> list[str]:
    """Read and edit on each field (Event.X and Task.X separately); returns what was newly granted."""
    rows = client.query(f"SELECT Id, Field, PermissionsRead, PermissionsEdit FROM FieldPermissions "
                        f"WHERE ParentId = {soql_literal(permission_set_id)}")
    have = {str(r["Field"]).lower(): r for r in rows}
    granted = []
    for field in fields:
        row = have.get(field.full_name.lower())
        if row is not None and row.get("PermissionsRead") and row.get("PermissionsEdit"):
            continue
        values = {"PermissionsRead": True, "PermissionsEdit": True}
        if row is not None:
            client.restful(f"sobjects/FieldPermissions/{row['Id']}", "PATCH", json=values)
        else:
            _insert(client, "FieldPermissions", {"ParentId": permission_set_id, "SobjectType": field.object_type,
                                                 "Field": field.full_name, **values})
        granted.append(field.full_name)
    return granted


def assigned_users(client: SalesforceClient, permission_set_id: str) -> set[str]:
    """15-character ids of the users holding the permission set."""
    rows = client.query(f"SELECT AssigneeId FROM PermissionSetAssignment "
                        f"WHERE PermissionSetId = {soql_literal(permission_set_id)}")
    return {str(r["AssigneeId"])[:15] for r in rows}


def assign(client: SalesforceClient, permission_set_id: str, user_ids: Iterable[str]) -> list[str]:
    """Assign the permission set to each Salesforce user who lacks it; returns the newly assigned."""
    have = assigned_users(client, permission_set_id)
    added = []
    for user_id in user_ids:
        if user_id[:15] not in have:
            _insert(client, "PermissionSetAssignment", {"AssigneeId": user_id, "PermissionSetId": permission_set_id})
            have.add(user_id[:15])
            added.append(user_id)
    return added


def _insert(client: SalesforceClient, sobject: str, values: dict) -> None:
    try:
        client.restful(f"sobjects/{sobject}", "POST", json=values, idempotent=False)
    except CallFailed as exc:
        if exc.code != ALREADY_THERE:       # written meanwhile by a concurrent setup: the goal holds
            raise


def fresh_describe(client: SalesforceClient, sobject: str) -> ObjectDescribe | None:
    """Describe as this connection's user sees it now (the org-wide cache is dropped first, and
    holds this answer after: an object the org lost leaves no stale entry behind)."""
    forget_describe(client, sobject)
    try:
        return describe_now(client, sobject)
    except CallFailed as exc:
        if exc.code in ("NOT_FOUND", "INVALID_TYPE") or exc.status == 404:
            return None
        raise
