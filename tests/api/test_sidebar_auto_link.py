"""The sidebar shows what an automatic save would link to, and why: the engine's resolution ladder
over the records the Initial Search found (no extra Salesforce call)."""
from __future__ import annotations

from tests.api.test_sidebar_related import EMAIL, related, world  # noqa: F401  (world is a fixture)


def test_related_records_say_what_the_item_links_to_and_why(world):  # noqa: F811
    body = related(world).get_json()
    ids = world["ids"]
    assert body["auto_link"] == {
        "who_id": ids["contact"], "what_id": ids["opportunity"], "skipped": [],
        "reasons": ["who: exact_email Contact jane.doe@globex.example", "what: contact_account",
                    "what: open_newest_opportunity"]}


def test_a_case_number_in_the_subject_wins_and_the_admins_rule_applies(world):  # noqa: F811
    client, headers = world["client"], world["headers"]
    case = related(world, {**EMAIL, "subject": "Re: Case 00001026"}).get_json()["auto_link"]
    assert (case["what_id"], case["reasons"][-1]) == (world["ids"]["case"], "what: subject_case 00001026")
    org = client.get("/api/v1/me", headers=headers).get_json()
    assert client.patch(f"/api/v1/orgs/{org['org']['id']}/settings", headers=headers,
                        json={"link_opportunity_rule": "none"}).status_code == 200
    plain = related(world).get_json()["auto_link"]
    assert (plain["what_id"], plain["reasons"][-1]) == (world["ids"]["account"], "what: contact_account")
