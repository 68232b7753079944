"""POST /records/{type} (duplicate check, describe validation) and GET /records/search, on the emulator."""
from __future__ import annotations

import pytest

from tests.browser.salesforce_seed import seed_globex, signed_in_user
from tests.factories import Factory


@pytest.fixture
def world(sf_app, salesforce_emulator):
    user, sf_org, _ = signed_in_user(sf_app, salesforce_emulator)
    return {"headers": Factory(sf_app).auth(user), "ids": seed_globex(salesforce_emulator, sf_org), "sf_org": sf_org,
            "client": sf_app.test_client(), "emu": salesforce_emulator}


def create(world, sobject, fields, **extra):
    return world["client"].post(f"/api/v1/records/{sobject}", json={"fields": fields, **extra}, headers=world["headers"])


def search(world, q, types="Contact,Lead,Account,Opportunity,Case"):
    return world["client"].get("/api/v1/records/search", query_string={"q": q, "types": types},
                               headers=world["headers"])


def test_a_contact_with_a_known_email_is_a_409_listing_the_duplicate(world):
    response = create(world, "Contact", {"FirstName": "Janet", "LastName": "Doe", "Email": "JANE.DOE@globex.example"})
    assert response.status_code == 409
    body = response.get_json()
    assert body["message"] == "A Contact like this already exists."
    assert [(d["id"], d["name"]) for d in body["errors"]["duplicates"]] == [(world["ids"]["contact"], "Jane Doe")]


def test_a_lead_with_a_contacts_email_is_a_duplicate_too(world):
    response = create(world, "Lead", {"LastName": "Doe", "Company": "Globex", "Email": "jane.doe@globex.example"})
    assert response.status_code == 409 and response.get_json()["errors"]["duplicates"][0]["type"] == "Contact"


def test_allow_duplicate_creates_anyway(world):
    response = create(world, "Contact", {"LastName": "Doe", "Email": "jane.doe@globex.example"}, allow_duplicate=True)
    assert response.status_code == 201
    created = response.get_json()
    assert created["url"].endswith("/" + created["id"]) and created["id"].startswith("003")


def test_accounts_are_duplicates_by_name_or_website(world):
    assert create(world, "Account", {"Name": "Globex Corporation"}).status_code == 409
    assert create(world, "Account", {"Name": "Globex Inc", "Website": "globex.example"}).status_code == 409
    assert create(world, "Account", {"Name": "Initech", "Website": "https://initech.example"}).status_code == 201


def test_new_records_are_created_with_their_links(world):
    response = create(world, "Opportunity", {"Name": "Renewal 2026", "StageName": "Prospecting",
                                             "CloseDate": "2026-12-31", "AccountId": world["ids"]["account"]})
    assert response.status_code == 201
    [opp] = [o for o in world["emu"].records(world["sf_org"], "Opportunity") if o["Id"] == response.get_json()["id"]]
    assert opp["AccountId"] == world["ids"]["account"]
    assert create(world, "Case", {"Subject": "Broken widget", "AccountId": world["ids"]["account"]}).status_code == 201


def test_unknown_field_is_400_naming_it(world):
    response = create(world, "Contact", {"LastName": "X", "Shoe_Size__c": "44"})
    assert response.status_code == 400 and "Shoe_Size__c" in response.get_json()["message"]
    assert "Shoe_Size__c" in response.get_json()["errors"]["fields"]


def test_read_only_field_is_400(world):
    response = create(world, "Case", {"Subject": "x", "CaseNumber": "1"})
    assert response.status_code == 400 and "CaseNumber" in response.get_json()["message"]


def test_salesforce_refusals_become_400_with_its_words(world):
    missing = create(world, "Lead", {"LastName": "NoCompany"})
    assert missing.status_code == 400 and "Company" in missing.get_json()["message"]
    bad_ref = create(world, "Contact", {"LastName": "Z", "AccountId": world["ids"]["contact"]})
    assert bad_ref.status_code == 400


def test_unsupported_type_is_404(world):
    assert create(world, "User", {"LastName": "x"}).status_code == 404


def test_search_finds_by_name_and_number_across_types(world):
    body = search(world, "raj").get_json()
    assert [(r["type"], r["name"]) for r in body["results"]] == [("Lead", "Raj Patel")]
    assert body["results"][0]["url"].endswith(body["results"][0]["id"])
    assert {r["type"] for r in search(world, "Globex").get_json()["results"]} >= {"Account", "Opportunity"}
    assert [r["id"] for r in search(world, "00001026", "Case").get_json()["results"]] == [world["ids"]["case"]]
    assert [r["name"] for r in search(world, "jan", "Contact").get_json()["results"]] == ["Jane Doe"]


@pytest.mark.parametrize("q", ["}) RETURNING User(Id", "jane' OR Name LIKE '%", "a\\b*?{}[]", "--"])
def test_search_text_is_escaped_never_parsed(world, q):
    response = search(world, q)
    assert response.status_code in (200, 400), response.get_json()
    if response.status_code == 200:
        assert all(r["type"] != "User" for r in response.get_json()["results"])


@pytest.mark.parametrize("query", [{"q": "x"}, {"q": "jane", "types": "User"}, {"types": "Contact"}])
def test_bad_search_arguments_are_400(world, query):
    response = world["client"].get("/api/v1/records/search", query_string=query, headers=world["headers"])
    assert response.status_code == 400


def test_search_takes_and_or_not_literally(world):
    for name in ("Smith AND Jones LLP", "Smith Jones", "Jones Smith Ltd", "Smith Partners"):
        world["emu"].insert(world["sf_org"], "Account", {"Name": name})
    names = [r["name"] for r in search(world, "Smith AND Jones", "Account").get_json()["results"]]
    assert names == ["Smith AND Jones LLP"]
    assert search(world, "Smith OR Raj", "Account,Lead").get_json()["results"] == []
    assert [r["name"] for r in search(world, "smith and not", "Account").get_json()["results"]] == []


def test_search_for_percent_and_underscore_finds_the_literal_record(world):
    for name in ("100%_done", "1000Xdone"):
        world["emu"].insert(world["sf_org"], "Account", {"Name": name})
    assert [r["name"] for r in search(world, "100%_done", "Account").get_json()["results"]] == ["100%_done"]


def test_duplicate_check_takes_like_wildcards_in_a_website_literally(world):
    literal = world["emu"].insert(world["sf_org"], "Account", {"Name": "Done Inc", "Website": "https://100%_done"})
    world["emu"].insert(world["sf_org"], "Account", {"Name": "Other Inc", "Website": "https://1000Xdone.example"})
    response = create(world, "Account", {"Name": "Brand New", "Website": "100%_done"})
    assert response.status_code == 409
    assert [d["id"] for d in response.get_json()["errors"]["duplicates"]] == [literal]


def test_a_duplicate_rule_refusal_is_409_with_the_rules_reason_and_match(world):
    world["emu"].add_duplicate_rule(world["sf_org"], "Contact", ("Email",))
    response = create(world, "Contact", {"LastName": "Doe", "Email": "jane.doe@globex.example"}, allow_duplicate=True)
    assert response.status_code == 409, response.get_json()
    body = response.get_json()
    assert body["errors"] == {"salesforce": ["duplicate"]}
    assert body["message"] == ("Salesforce's duplicate rules refused this as a copy of an existing record: Use one of "
                               f"these records? (Contact_Duplicate_Rule matched Contact {world['ids']['contact']})")

