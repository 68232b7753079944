"""sObject Collections and Composite: per-record results in order, allOrNone, references."""
from __future__ import annotations

from .conftest import Tenant


def _contact(last: str | None, **extra: object) -> dict:
    rec: dict = {"attributes": {"type": "Contact"}, **extra}
    if last is not None:
        rec["LastName"] = last
    return rec


def test_collection_create_mixed_results_in_input_order(tenant: Tenant) -> None:
    records = [_contact("A"), _contact(None), _contact("C"), _contact("x" * 81)]
    out = tenant.sf.restful("composite/sobjects", method="POST",
                            json={"allOrNone": False, "records": records})
    assert [r["success"] for r in out] == [True, False, True, False]
    assert out[1] == {"success": False, "errors": [{
        "statusCode": "REQUIRED_FIELD_MISSING", "message": "Required fields are missing: "
        "[LastName]", "fields": ["LastName"]}]}
    assert out[3]["errors"][0]["statusCode"] == "STRING_TOO_LONG"
    assert out[0]["id"].startswith("003") and out[0]["errors"] == []
    assert sorted(r["LastName"] for r in tenant.emu.records(tenant.org, "Contact")) == ["A", "C"]


def test_collection_all_or_none_rolls_back(tenant: Tenant) -> None:
    out = tenant.sf.restful("composite/sobjects", method="POST", json={
        "allOrNone": True, "records": [_contact("A"), _contact(None)]})
    assert out[0]["errors"][0]["statusCode"] == "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    assert out[1]["errors"][0]["statusCode"] == "REQUIRED_FIELD_MISSING"
    assert tenant.emu.records(tenant.org, "Contact") == []


def test_collection_update_retrieve_delete(tenant: Tenant) -> None:
    created = tenant.sf.restful("composite/sobjects", method="POST", json={
        "records": [_contact("A"), _contact("B")]})
    ids = [r["id"] for r in created]
    updated = tenant.sf.restful("composite/sobjects", method="PATCH", json={"records": [
        {"attributes": {"type": "Contact"}, "Id": ids[0], "Title": "CEO"},
        {"attributes": {"type": "Contact"}, "Id": "003000000000000AAA", "Title": "X"}]})
    assert updated[0] == {"id": ids[0], "success": True, "errors": []}
    assert updated[1]["success"] is False
    got = tenant.get("/composite/sobjects/Contact",
                     params={"ids": ",".join(ids), "fields": "Id,Title"}).json()
    assert [g["Title"] for g in got] == ["CEO", None]
    deleted = tenant.send("DELETE", "/composite/sobjects",
                          params={"ids": f"{ids[0]},{ids[0]}", "allOrNone": "false"}).json()
    assert deleted[0]["success"] is True
    assert deleted[1]["errors"][0]["statusCode"] == "ENTITY_IS_DELETED"


def test_collection_rejects_more_than_200_records(tenant: Tenant) -> None:
    resp = tenant.send("POST", "/composite/sobjects",
                       json={"records": [_contact(str(i)) for i in range(201)]})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "EXCEEDED_ID_LIMIT"


def test_upsert_collection_reports_created_flag(tenant: Tenant) -> None:
    body = {"allOrNone": False, "records": [
        {"attributes": {"type": "Task"}, "Syncline_Key__c": "t1", "Subject": "One"},
        {"attributes": {"type": "Task"}, "Syncline_Key__c": "t2", "Subject": "Two"}]}
    first = tenant.send("PATCH", "/composite/sobjects/Task/Syncline_Key__c", json=body).json()
    assert [r["created"] for r in first] == [True, True]
    body["records"][1]["Subject"] = "Two v2"
    second = tenant.send("PATCH", "/composite/sobjects/Task/Syncline_Key__c", json=body).json()
    assert [r["created"] for r in second] == [False, False]
    assert [r["id"] for r in second] == [r["id"] for r in first]


def test_lock_rows_fault_fails_individual_records(tenant: Tenant) -> None:
    tenant.emu.faults.lock_rows(count=1)
    out = tenant.sf.restful("composite/sobjects", method="POST", json={
        "records": [_contact("A"), _contact("B")]})
    assert out[0]["errors"][0]["statusCode"] == "UNABLE_TO_LOCK_ROW"
    assert out[1]["success"] is True


def test_composite_references_and_single_api_call(tenant: Tenant) -> None:
    before = tenant.emu.api_calls(tenant.org)
    resp = tenant.send("POST", "/composite", json={"allOrNone": False, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Account",
         "referenceId": "acct", "body": {"Name": "Globex"}},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact",
         "referenceId": "ct", "body": {"LastName": "Li", "AccountId": "@{acct.id}"}},
        {"method": "GET", "referenceId": "q",
         "url": "/services/data/v62.0/query?q=SELECT+Id,Account.Name+FROM+Contact"}]})
    parts = resp.json()["compositeResponse"]
    assert [p["httpStatusCode"] for p in parts] == [201, 201, 200]
    assert parts[2]["body"]["records"][0]["Account"]["Name"] == "Globex"
    assert parts[0]["httpHeaders"]["Location"].endswith(parts[0]["body"]["id"])
    assert tenant.emu.api_calls(tenant.org) == before + 1


def test_composite_all_or_none_halts_and_rolls_back(tenant: Tenant) -> None:
    resp = tenant.send("POST", "/composite", json={"allOrNone": True, "compositeRequest": [
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Account",
         "referenceId": "a", "body": {"Name": "Initech"}},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Contact",
         "referenceId": "c", "body": {"FirstName": "No last name"}},
        {"method": "POST", "url": "/services/data/v62.0/sobjects/Account",
         "referenceId": "b", "body": {"Name": "Never"}}]})
    parts = resp.json()["compositeResponse"]
    assert parts[0]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert parts[1]["body"][0]["errorCode"] == "REQUIRED_FIELD_MISSING"
    assert parts[2]["body"][0]["errorCode"] == "PROCESSING_HALTED"
    assert tenant.emu.records(tenant.org, "Account") == []


def test_composite_allows_at_most_five_queries(tenant):
    subs = [{"method": "GET", "url": f"/services/data/v62.0/query?q=SELECT+Id+FROM+Contact+LIMIT+{i + 1}",
             "referenceId": f"q{i}"} for i in range(6)]
    response = tenant.send("POST", "/composite", json={"compositeRequest": subs})
    assert response.status_code == 400
    assert response.json()[0]["errorCode"] == "LIMIT_EXCEEDED"
    ok = tenant.send("POST", "/composite", json={"compositeRequest": subs[:5]})
    assert ok.status_code == 200


def test_opportunity_is_closed_and_won_follow_the_stage(tenant):
    account = tenant.sf.Account.create({"Name": "Globex"})["id"]
    opp = tenant.sf.Opportunity.create({"Name": "Deal", "StageName": "Prospecting", "CloseDate": "2026-12-31",
                                        "AccountId": account})["id"]
    assert tenant.sf.Opportunity.get(opp)["IsClosed"] is False
    tenant.sf.Opportunity.update(opp, {"StageName": "Closed Won"})
    record = tenant.sf.Opportunity.get(opp)
    assert record["IsClosed"] is True and record["IsWon"] is True
