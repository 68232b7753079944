"""A real org's custom fields: created through the Tooling API, invisible until field-level
security grants them (describe omits them, SOQL and writes answer INVALID_FIELD), read-only when
only read is granted; definitions survive a restart of a persisted emulator."""
from __future__ import annotations

from typing import Any

from sandbox.salesforce import SalesforceEmulator

from .conftest import Tenant, trusted_session

KEY = {"label": "Syncline Key", "type": "Text", "length": 255, "externalId": True, "unique": True}


def _bare(emulator: SalesforceEmulator, admin: bool = True) -> Tenant:
    org = emulator.create_org(name="Bare", syncline_fields=False)
    user = emulator.create_user(org, email=f"ann{len(emulator.orgs)}@bare.test", admin=admin)
    tokens = emulator.issue_tokens(org, user)
    http = trusted_session(emulator.ca_path or "")
    http.headers["Authorization"] = f"Bearer {tokens['access_token']}"
    return Tenant(emulator, org, user, tokens, None, http)  # type: ignore[arg-type]


def _custom(t: Tenant, sobject: str) -> dict[str, Any]:
    return {f["name"]: f for f in t.get(f"/sobjects/{sobject}/describe").json()["fields"] if f["custom"]}


def _create(t: Tenant, full_name: str, metadata: dict) -> Any:
    return t.send("POST", "/tooling/sobjects/CustomField", json={"FullName": full_name, "Metadata": metadata})


def _grant(t: Tenant, sobject: str, field: str, edit: bool = True) -> str:
    ps = t.send("POST", "/sobjects/PermissionSet", json={"Name": f"PS_{sobject}_{edit}", "Label": "x"}).json()["id"]
    made = t.send("POST", "/sobjects/FieldPermissions", json={
        "ParentId": ps, "SobjectType": sobject, "Field": f"{sobject}.{field}", "PermissionsRead": True,
        "PermissionsEdit": edit})
    assert made.status_code == 201, made.text
    assert t.send("POST", "/sobjects/PermissionSetAssignment",
                  json={"AssigneeId": t.user, "PermissionSetId": ps}).status_code == 201
    return ps


def test_an_org_can_start_without_synclines_fields(emulator):
    t = _bare(emulator)
    assert _custom(t, "Contact") == {} and _custom(t, "Event") == {}
    response = t.send("PATCH", "/sobjects/Contact/Syncline_Key__c/abc", json={"LastName": "X"})
    assert response.status_code == 404
    assert response.json()[0]["message"].startswith("Provided external ID field does not exist or is not accessible")


def test_tooling_creates_a_field_once_and_reports_duplicates_by_developer_name(emulator):
    t = _bare(emulator)
    first = _create(t, "Contact.Syncline_Key__c", KEY)
    assert first.status_code == 201 and first.json()["success"] and first.json()["id"].startswith("00N")
    again = _create(t, "Contact.Syncline_Key__c", KEY)
    assert again.status_code == 400
    assert again.json() == [{"message": "Duplicate Developer Name: Syncline_Key", "errorCode": "DUPLICATE_DEVELOPER_NAME",
                             "fields": []}]
    rows = t.get("/tooling/query", params={"q": "SELECT Id, DeveloperName, TableEnumOrId FROM CustomField "
                                                "WHERE DeveloperName = 'Syncline_Key'"}).json()["records"]
    assert [(r["DeveloperName"], r["TableEnumOrId"]) for r in rows] == [("Syncline_Key", "Contact")]
    one = t.get(f"/tooling/sobjects/CustomField/{first.json()['id']}").json()
    assert one["FullName"] == "Contact.Syncline_Key__c" and one["Metadata"]["externalId"] is True


def test_activity_fields_appear_on_event_and_task_and_bad_definitions_are_refused(emulator):
    t = _bare(emulator)
    assert _create(t, "Event.Syncline_Key__c", KEY).json()[0]["errorCode"] == "FIELD_INTEGRITY_EXCEPTION"
    assert _create(t, "Activity.Syncline_Key__c", KEY).status_code == 201
    assert _create(t, "Contact.No_Suffix", KEY).status_code == 400
    assert _create(t, "Contact.Flag__c", {"label": "F", "type": "Checkbox"}).status_code == 400   # no defaultValue
    _grant(t, "Event", "Syncline_Key__c")
    assert "Syncline_Key__c" in _custom(t, "Event") and _custom(t, "Task") == {}    # FLS is per object
    _grant(t, "Task", "Syncline_Key__c")
    assert _custom(t, "Task")["Syncline_Key__c"]["externalId"] is True


def test_a_new_field_is_hidden_until_granted_then_usable(emulator):
    t = _bare(emulator)
    assert _create(t, "Contact.Syncline_Key__c", KEY).status_code == 201
    assert "Syncline_Key__c" not in _custom(t, "Contact")
    query = t.get("/query", params={"q": "SELECT Id, Syncline_Key__c FROM Contact"})
    assert query.status_code == 400 and query.json()[0]["errorCode"] == "INVALID_FIELD"
    write = t.send("POST", "/sobjects/Contact", json={"LastName": "Lee", "Syncline_Key__c": "k1"})
    assert write.status_code == 400 and write.json()[0]["errorCode"] == "INVALID_FIELD"
    _grant(t, "Contact", "Syncline_Key__c")
    described = _custom(t, "Contact")["Syncline_Key__c"]
    assert described["createable"] and described["updateable"] and described["externalId"]
    upsert = t.send("PATCH", "/sobjects/Contact/Syncline_Key__c/k1", json={"LastName": "Lee"})
    assert upsert.status_code == 201, upsert.text
    rows = t.get("/query", params={"q": "SELECT Syncline_Key__c FROM Contact"}).json()["records"]
    assert [r["Syncline_Key__c"] for r in rows] == ["k1"]


def test_read_only_access_is_visible_but_not_writable(emulator):
    t = _bare(emulator)
    _create(t, "Contact.Syncline_Key__c", KEY)
    _grant(t, "Contact", "Syncline_Key__c", edit=False)
    described = _custom(t, "Contact")["Syncline_Key__c"]
    assert not described["createable"] and not described["updateable"]
    write = t.send("POST", "/sobjects/Contact", json={"LastName": "Lee", "Syncline_Key__c": "k1"})
    assert write.json()[0]["errorCode"] == "INVALID_FIELD_FOR_INSERT_UPDATE"


def test_field_permissions_are_validated_and_unique_per_permission_set(emulator):
    t = _bare(emulator)
    _create(t, "Contact.Syncline_Key__c", KEY)
    ps = _grant(t, "Contact", "Syncline_Key__c")
    twice = t.send("POST", "/sobjects/FieldPermissions", json={
        "ParentId": ps, "SobjectType": "Contact", "Field": "Contact.Syncline_Key__c", "PermissionsRead": True})
    assert twice.json()[0]["errorCode"] == "DUPLICATE_VALUE"
    unknown = t.send("POST", "/sobjects/FieldPermissions", json={
        "ParentId": ps, "SobjectType": "Contact", "Field": "Contact.Nope__c", "PermissionsRead": True})
    assert unknown.json()[0]["errorCode"] == "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST"
    again = t.send("POST", "/sobjects/PermissionSetAssignment", json={"AssigneeId": t.user, "PermissionSetId": ps})
    assert again.json()[0]["errorCode"] == "DUPLICATE_VALUE"


def test_only_users_who_may_customize_the_org_create_fields(emulator):
    org = emulator.create_org(name="Plain", syncline_fields=False)
    user = emulator.create_user(org, email="joe@plain.test", admin=False)
    http = trusted_session(emulator.ca_path or "")
    http.headers["Authorization"] = f"Bearer {emulator.issue_tokens(org, user)['access_token']}"
    t = Tenant(emulator, org, user, {}, None, http)  # type: ignore[arg-type]
    assert _create(t, "Contact.Syncline_Key__c", KEY).status_code == 403


def test_a_revoked_field_disappears_for_everyone(tenant):
    assert "Syncline_Key__c" in _custom(tenant, "Contact")
    tenant.emu.revoke_field(tenant.org, "Contact", "Syncline_Key__c")
    assert "Syncline_Key__c" not in _custom(tenant, "Contact")


def test_created_fields_and_their_grants_survive_a_restart(tmp_path):
    emu = SalesforceEmulator(state_dir=str(tmp_path)).start()
    try:
        t = _bare(emu)
        _create(t, "Activity.Syncline_Cancelled__c", {"label": "C", "type": "Checkbox", "defaultValue": "false"})
        _grant(t, "Event", "Syncline_Cancelled__c")
    finally:
        emu.stop()
    again = SalesforceEmulator(state_dir=str(tmp_path))
    org = again.orgs[t.org]
    assert "Syncline_Cancelled__c" in org.schema.objects["Task"].fields
    assert "Syncline_Key__c" not in org.schema.objects["Contact"].fields
    assert any(r["Field"] == "Event.Syncline_Cancelled__c" for r in org.store.all("FieldPermissions"))
