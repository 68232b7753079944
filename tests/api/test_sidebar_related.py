"""POST /related-records (Initial Search) against the HTTPS Salesforce emulator."""
from __future__ import annotations

import pytest

from tests.browser.salesforce_seed import seed_globex, signed_in_user
from tests.factories import Factory

EMAIL = {
    "kind": "email", "mode": "read", "message_id": "<CAF=q1@mail.globex.example>", "message_ref": "18d4c2a9f0e1b2c3",
    "thread_id": "18d4c2a9f0e1b2c3", "subject": "Re: Invoice 00001026 for the 500-seat renewal",
    "from": {"email": "Jane.Doe@globex.example", "name": "Jane Doe"},
    "to": [{"email": "uma@acme.example", "name": "Uma User"}], "cc": [], "attendees": [],
    "date": "2025-03-03T08:15:00Z", "ical_uid": None,
    "body_text": "Hi Uma,\nplease loop in Sam (sam.lee@globex.example).\n\n--\nSam Lee\nCFO\nGlobex Corporation\n+1 555 0100",
}


@pytest.fixture
def world(sf_app, salesforce_emulator):
    user, sf_org, sf_user = signed_in_user(sf_app, salesforce_emulator)
    ids = seed_globex(salesforce_emulator, sf_org)
    return {"headers": Factory(sf_app).auth(user), "ids": ids, "sf_org": sf_org, "user": user,
            "client": sf_app.test_client(), "emu": salesforce_emulator}


def related(world, item=EMAIL):
    return world["client"].post("/api/v1/related-records", json={"item": item}, headers=world["headers"])


def reasons(hit):
    return [(r["kind"], r["detail"]) for r in hit["reasons"]]


def test_records_are_grouped_by_type_with_why_they_were_found(world):
    response = related(world)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    groups, ids = body["groups"], world["ids"]
    assert set(groups) == {"Contact", "Lead", "Account", "Opportunity", "Case", "User"}
    [jane] = groups["Contact"]
    assert jane["id"] == ids["contact"] and jane["name"] == "Jane Doe"
    assert jane["account_name"] == "Globex Corporation" and jane["url"].endswith("/" + ids["contact"])
    assert reasons(jane) == [("address_match", "jane.doe@globex.example")]
    [account] = groups["Account"]
    assert reasons(account)[0] == ("domain_account", "globex.example")
    [opportunity] = groups["Opportunity"]
    assert opportunity["id"] == ids["opportunity"] and reasons(opportunity)[0] == ("domain_account", "globex.example")
    [case] = groups["Case"]
    assert case["id"] == ids["case"] and ("subject_number", "00001026") in reasons(case)
    assert [u["name"] for u in groups["User"]] == ["Uma User"]
    assert groups["Lead"] == []
    assert body["suggested_new"] == [{"email": "sam.lee@globex.example", "first_name": "Sam", "last_name": "Lee",
                                      "title": "CFO", "company": "Globex Corporation", "phone": "+15550100"}]
    assert body["saved"] is None and body["thread_autosave"] is False


def test_search_costs_at_most_two_api_calls_whatever_the_participants(world):
    emu = world["emu"]
    people = [{"email": f"person{n}@globex.example", "name": f"Person {n}"} for n in range(30)]
    emu.reset_api_calls(world["sf_org"])
    assert related(world, {**EMAIL, "cc": people}).status_code == 200
    assert emu.api_calls(world["sf_org"]) == 2


def test_address_in_body_and_signature_company_are_reasons(world):
    emu, sf_org = world["emu"], world["sf_org"]
    emu.insert(sf_org, "Lead", {"LastName": "Lee", "FirstName": "Sam", "Company": "Globex", "Email": "sam.lee@globex.example"})
    initech = emu.insert(sf_org, "Account", {"Name": "Initech AG"})
    item = {**EMAIL, "from": {"email": "ceo@elsewhere.example", "name": None},
            "body_text": "See sam.lee@globex.example\n\nMit freundlichen Grüßen\nPeter Gibbons\nLeiter Einkauf\nInitech AG"}
    groups = related(world, item).get_json()["groups"]
    assert reasons(groups["Lead"][0]) == [("address_in_body", "sam.lee@globex.example")]
    assert ("signature", "Initech AG") in [r for a in groups["Account"] if a["id"] == initech for r in reasons(a)]


def test_blocklisted_addresses_and_domains_are_neither_looked_up_nor_suggested(world):
    client, headers = world["client"], world["headers"]
    assert client.put("/api/v1/me/blocklist", json={"entries": ["@globex.example"]}, headers=headers).status_code == 200
    body = related(world).get_json()
    assert body["groups"]["Contact"] == [] and body["groups"]["Account"] == []
    assert body["suggested_new"] == []
    assert [u["name"] for u in body["groups"]["User"]] == ["Uma User"]


def test_a_regex_entry_keeps_matching_addresses_out_of_every_query(world):
    client, headers, emu = world["client"], world["headers"], world["emu"]
    assert client.put("/api/v1/me/blocklist", json={"entries": [r"/^(jane|sam)\.\w+@GLOBEX\./"]},
                      headers=headers).status_code == 200
    before = len(emu.requests_text(world["sf_org"]))
    body = related(world).get_json()
    asked = emu.requests_text(world["sf_org"])[before:].lower()
    assert "jane.doe@globex.example" not in asked and "sam.lee@globex.example" not in asked
    assert "uma@acme.example" in asked
    assert body["groups"]["Contact"] == [] and body["groups"]["Lead"] == []


def test_org_blocklist_applies_to_every_user(world):
    client, user = world["client"], world["user"]
    response = client.put(f"/api/v1/orgs/{user.org_id}/blocklist", json={"entries": ["Jane.Doe@globex.example"]},
                          headers=world["headers"])
    assert response.get_json() == {"entries": ["jane.doe@globex.example"]}
    body = related(world).get_json()
    assert body["groups"]["Contact"] == []
    assert body["groups"]["Account"][0]["reasons"][0]["kind"] == "domain_account"


@pytest.mark.parametrize("item, field", [
    ({"mode": "read"}, "kind"),
    ({**EMAIL, "kind": "fax"}, "kind"),
    ({**EMAIL, "to": [{"name": "no address"}]}, "to"),
    ({**EMAIL, "surprise": 1}, "surprise"),
])
def test_missing_or_bad_item_fields_are_400_naming_the_field(world, item, field):
    response = related(world, item)
    assert response.status_code == 400
    assert field in str(response.get_json()["errors"])


def test_an_expired_salesforce_connection_asks_to_sign_in_again(world):
    from app.models import SalesforceConnection

    with world["client"].application.extensions["syncline"].db.session_scope() as s:
        for conn in s.query(SalesforceConnection):
            conn.status = "needs_reauth"
    response = related(world)
    assert response.status_code == 409 and "sign in again" in response.get_json()["message"]


def test_daily_limit_reached_is_503_with_retry_after(world):
    emu = world["emu"]
    emu.set_daily_api_max(world["sf_org"], 1)
    try:
        response = related(world)
    finally:
        emu.set_daily_api_max(world["sf_org"], 100_000)
    assert response.status_code == 503 and int(response.headers["Retry-After"]) >= 1


def test_the_signature_is_read_from_the_html_body_when_there_is_no_text(world):
    initech = world["emu"].insert(world["sf_org"], "Account", {"Name": "Initech AG"})
    html = ("<div>See you Monday.</div><div class=\"gmail_signature\">Peter Gibbons<br>Leiter Einkauf<br>Initech AG"
            "</div><div class=\"gmail_quote\">On Mon, Jane wrote:<br>Jane Doe<br>Globex Corporation</div>")
    item = {**EMAIL, "from": {"email": "peter@elsewhere.example", "name": "Peter Gibbons"}, "body_text": "",
            "body_html": html}
    groups = related(world, item).get_json()["groups"]
    assert ("signature", "Initech AG") in [r for a in groups["Account"] if a["id"] == initech for r in reasons(a)]
