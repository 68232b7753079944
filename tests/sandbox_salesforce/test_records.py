"""Single-record CRUD, upsert by External ID, describe, and Salesforce's error bodies."""
from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest, SalesforceResourceNotFound

from sandbox.salesforce.ids import checksum_suffix, to18

from .conftest import Tenant


def test_ids_are_18_chars_with_key_prefix_and_checksum(tenant: Tenant) -> None:
    assert to18("001A0000006Vm9r") == "001A0000006Vm9rIAC"   # Salesforce's documented example
    rid = tenant.sf.Event.create({"Subject": "Demo", "StartDateTime": "2026-11-23T10:00:00Z",
                                  "DurationInMinutes": 30})["id"]
    assert len(rid) == 18 and rid.startswith("00U") and checksum_suffix(rid[:15]) == rid[15:]
    assert tenant.org.startswith("00D") and tenant.user.startswith("005")
    # the 15-char form finds the same record
    assert tenant.sf.Event.get(rid[:15])["Id"] == rid


def test_create_get_update_delete_event(tenant: Tenant) -> None:
    sf = tenant.sf
    contact = sf.Contact.create({"FirstName": "Bo", "LastName": "Li", "Email": "bo@x.test"})
    rid = sf.Event.create({"Subject": "Kickoff", "StartDateTime": "2026-11-23T10:00:00Z",
                           "EndDateTime": "2026-11-23T11:30:00Z", "WhoId": contact["id"],
                           "ShowAs": "Busy"})["id"]
    event = sf.Event.get(rid)
    assert event["attributes"] == {"type": "Event",
                                   "url": f"/services/data/v62.0/sobjects/Event/{rid}"}
    assert event["DurationInMinutes"] == 90 and event["ActivityDate"] == "2026-11-23"
    assert event["StartDateTime"] == "2026-11-23T10:00:00.000+0000"
    assert event["OwnerId"] == tenant.user and event["IsDeleted"] is False
    assert sf.Event.update(rid, {"StartDateTime": "2026-11-24T09:00:00Z"}) == 204
    moved = sf.Event.get(rid)
    assert moved["EndDateTime"] == "2026-11-24T10:30:00.000+0000"   # duration kept
    assert moved["SystemModstamp"] >= event["SystemModstamp"]
    assert sf.Event.delete(rid) == 204
    with pytest.raises(SalesforceResourceNotFound) as exc:
        sf.Event.get(rid)
    assert exc.value.content[0]["errorCode"] == "ENTITY_IS_DELETED"
    assert tenant.emu.records(tenant.org, "Event") == []
    assert tenant.emu.records(tenant.org, "Event", include_deleted=True)[0]["IsDeleted"]


def test_task_defaults_and_derived_fields(tenant: Tenant) -> None:
    rid = tenant.sf.Task.create({"Subject": "Call back"})["id"]
    task = tenant.sf.Task.get(rid)
    assert (task["Status"], task["Priority"], task["IsClosed"]) == ("Not Started", "Normal", False)
    tenant.sf.Task.update(rid, {"Status": "Completed"})
    assert tenant.sf.Task.get(rid)["IsClosed"] is True
    lead = tenant.sf.Lead.get(tenant.sf.Lead.create({"LastName": "Roe", "Company": "X"})["id"])
    assert lead["Status"] == "Open - Not Contacted"


def test_upsert_by_external_id_is_idempotent(tenant: Tenant) -> None:
    sf = tenant.sf
    body = {"Subject": "Sync", "StartDateTime": "2026-11-23T10:00:00Z", "DurationInMinutes": 15}
    assert sf.Event.upsert("Syncline_Key__c/evt-1", body) == 201
    assert sf.Event.upsert("Syncline_Key__c/evt-1", {"Subject": "Sync v2"}) == 200
    rows = tenant.emu.records(tenant.org, "Event")
    assert len(rows) == 1 and rows[0]["Subject"] == "Sync v2"
    raw = tenant.send("PATCH", "/sobjects/Event/Syncline_Key__c/evt-2", json=body)
    assert raw.status_code == 201 and raw.json()["created"] is True
    with pytest.raises(SalesforceResourceNotFound):
        sf.Event.upsert("Subject/abc", body)            # not an External ID field


def test_describe_reports_salesforce_field_metadata(tenant: Tenant) -> None:
    fields = {f["name"]: f for f in tenant.sf.Event.describe()["fields"]}
    assert fields["Subject"]["length"] == 255
    assert fields["Description"]["length"] == 32000
    assert fields["WhoId"]["referenceTo"] == ["Contact", "Lead"]
    assert fields["WhoId"]["relationshipName"] == "Who"
    assert fields["Syncline_Key__c"]["externalId"] is True
    assert {p["value"] for p in fields["ShowAs"]["picklistValues"]} >= {"Busy", "Free"}
    assert fields["Id"]["createable"] is False and fields["IsDeleted"]["updateable"] is False
    names = {o["name"]: o["keyPrefix"] for o in tenant.sf.describe()["sobjects"]}
    assert names["EventRelation"] == "0RE" and names["TaskRelation"] == "0RT"
    again = tenant.get("/sobjects/Event/describe",
                       headers={"If-Modified-Since": "Fri, 01 Jan 2100 00:00:00 GMT"})
    assert again.status_code == 304


@pytest.mark.parametrize("body, code, fields", [
    ({"Email": "x@y.test"}, "REQUIRED_FIELD_MISSING", ["LastName"]),
    ({"LastName": "x" * 81}, "STRING_TOO_LONG", ["LastName"]),
    ({"LastName": "A", "Email": "not-an-email"}, "INVALID_EMAIL_ADDRESS", ["Email"]),
    ({"LastName": "A", "AccountId": "001000000000000AAA"}, "INVALID_CROSS_REFERENCE_KEY",
     ["AccountId"]),
    ({"LastName": "A", "Name": "B"}, "INVALID_FIELD_FOR_INSERT_UPDATE", ["Name"]),
])
def test_create_errors_use_salesforce_codes(tenant: Tenant, body: dict, code: str,
                                            fields: list[str]) -> None:
    resp = tenant.send("POST", "/sobjects/Contact", json=body)
    assert resp.status_code == 400
    assert resp.json()[0]["errorCode"] == code and resp.json()[0]["fields"] == fields


def test_whole_request_errors(tenant: Tenant) -> None:
    bad_json = tenant.send("POST", "/sobjects/Contact", data="{nope",
                           headers={"Content-Type": "application/json"})
    assert bad_json.status_code == 400 and bad_json.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    with pytest.raises(SalesforceMalformedRequest) as exc:
        tenant.sf.Contact.create({"LastName": "A", "Nope__c": 1})
    assert exc.value.content == [{"message": "No such column 'Nope__c' on sobject of type "
                                             "Contact", "errorCode": "INVALID_FIELD"}]
    bad_bool = tenant.send("POST", "/sobjects/Event", json={"IsPrivate": "maybe"})
    assert bad_bool.json()[0]["errorCode"] == "JSON_PARSER_ERROR"
    assert tenant.get("/sobjects/Nope").status_code == 404
    missing = tenant.get("/sobjects/Contact/003000000000000AAA")
    assert missing.status_code == 404 and missing.json() == [
        {"message": "The requested resource does not exist", "errorCode": "NOT_FOUND"}]


def test_validation_and_duplicate_rules(tenant: Tenant) -> None:
    emu = tenant.emu
    emu.add_validation_rule(tenant.org, "Event", lambda r: (r.get("Subject") or "") == "",
                            "Subject is required by Acme", field="Subject")
    emu.add_duplicate_rule(tenant.org, "Contact", ("Email",), match_types=("Lead",))
    resp = tenant.send("POST", "/sobjects/Event",
                       json={"StartDateTime": "2026-11-23T10:00:00Z", "DurationInMinutes": 5})
    assert resp.json()[0] == {"message": "Subject is required by Acme", "errorCode":
                              "FIELD_CUSTOM_VALIDATION_EXCEPTION", "fields": ["Subject"]}
    tenant.sf.Lead.create({"LastName": "Dup", "Company": "C", "Email": "dup@x.test"})
    dup = tenant.send("POST", "/sobjects/Contact", json={"LastName": "D", "Email": "DUP@x.test"})
    err = dup.json()[0]
    assert err["errorCode"] == "DUPLICATES_DETECTED"
    assert err["duplicateResult"]["matchResults"][0]["entityType"] == "Lead"


def test_external_id_values_are_unique(tenant: Tenant) -> None:
    tenant.sf.Contact.create({"LastName": "A", "Syncline_Key__c": "k1"})
    resp = tenant.send("POST", "/sobjects/Contact", json={"LastName": "B",
                                                          "Syncline_Key__c": "K1"})
    assert resp.json()[0]["errorCode"] == "DUPLICATE_VALUE"
