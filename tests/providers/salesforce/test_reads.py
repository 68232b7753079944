"""Paging, IN-list chunking within the URL limit, Composite queries and the search helpers."""
from __future__ import annotations

from urllib.parse import quote_plus

from app.providers.salesforce.queries import (
    HEADER_ALLOWANCE,
    MAX_URI_BYTES,
    ListQuery,
    in_list,
    run_queries,
    soql_literal,
)
from app.providers.salesforce.search import find_accounts, find_cases, find_opportunities, find_people_by_email


def _seed_contacts(world, n: int) -> None:
    for i in range(n):
        world.emu.insert(world.org, "Contact", {"LastName": f"P{i}", "Email": f"person.{i:05d}@example-corp.test"})


def test_query_pages_follow_next_records_url(world):
    _seed_contacts(world, 4500)
    client = world.client()
    before = world.emu.api_calls(world.org)
    rows = list(client.query("SELECT Id, Email FROM Contact ORDER BY Email"))
    assert len(rows) == 4500 and len({r["Id"] for r in rows}) == 4500
    assert world.emu.api_calls(world.org) - before == 3


def test_soql_literals_escape_quotes_and_backslashes():
    assert soql_literal("O'Brien \\ co") == "'O\\'Brien \\\\ co'"


def test_in_lists_are_chunked_to_fit_the_url_limit():
    emails = [f"someone.with.a.long.name.{i:05d}@a-rather-long-domain-name.example" for i in range(3000)]
    statements = list(in_list("SELECT Id, Email FROM Contact", "Email", emails))
    assert len(statements) > 1
    path = "/services/data/v62.0/query/?q="
    assert all(len(path) + len(quote_plus(s)) <= MAX_URI_BYTES - HEADER_ALLOWANCE for s in statements)
    assert sum(s.count("@") for s in statements) == 3000
    assert len(statements) <= 3000 * 80 // (MAX_URI_BYTES - HEADER_ALLOWANCE) + 2   # chunks are full


def test_chunked_in_list_query_finds_every_record_without_414(world):
    _seed_contacts(world, 1500)
    client = world.client()
    wanted = [f"person.{i:05d}@example-corp.test" for i in range(1500)] + ["nobody@nowhere.test"]
    before = world.emu.api_calls(world.org)
    found = find_people_by_email(client, wanted, types=("Contact",))
    calls = world.emu.api_calls(world.org) - before
    assert sum(len(v) for v in found.values()) == 1500 and found["nobody@nowhere.test"] == []
    chunks = len(list(ListQuery("SELECT Id, Email, FirstName, LastName, Name, AccountId, OwnerId "
                                "FROM Contact WHERE Email IN (").chunks(wanted)))
    assert chunks > 1 and calls == chunks


def test_people_by_email_uses_one_composite_call_for_three_types(world):
    world.emu.insert(world.org, "Contact", {"LastName": "Cee", "Email": "Cee@Acme.test"})
    world.emu.insert(world.org, "Lead", {"LastName": "Lee", "Company": "L Ltd", "Email": "lee@acme.test"})
    client = world.client()
    before = world.emu.api_calls(world.org)
    found = find_people_by_email(client, ["cee@acme.test", "LEE@acme.test", "ann.admin@" + world.org.lower() + ".test"])
    assert world.emu.api_calls(world.org) - before == 1
    assert [r["attributes"]["type"] for r in found["cee@acme.test"]] == ["Contact"]
    assert [r["attributes"]["type"] for r in found["lee@acme.test"]] == ["Lead"]
    assert [r["attributes"]["type"] for r in found["ann.admin@" + world.org.lower() + ".test"]] == ["User"]


def test_run_queries_combines_up_to_five_queries_per_call(world):
    client = world.client()
    before = world.emu.api_calls(world.org)
    out = run_queries(client, {f"q{i}": "SELECT Id FROM User" for i in range(7)})
    assert len(out) == 7 and all(len(rows) == 1 for rows in out.values())
    assert world.emu.api_calls(world.org) - before == 2


def test_accounts_by_name_and_domain(world):
    acme = world.emu.insert(world.org, "Account", {"Name": "Acme", "Website": "https://www.acme.com"})
    globex = world.emu.insert(world.org, "Account", {"Name": "Globex Corporation", "Website": "globex.io"})
    world.emu.insert(world.org, "Account", {"Name": "Not Acme", "Website": "https://notacme.com"})
    client = world.client()
    found = {a["Id"] for a in find_accounts(client, names=["Globex Corporation"], domains=["acme.com"])}
    assert found == {acme, globex}


def test_opportunities_and_cases_by_account_owner_and_number(world):
    acc = world.emu.insert(world.org, "Account", {"Name": "Acme"})
    other = world.emu.insert(world.org, "Account", {"Name": "Other"})
    opp = world.emu.insert(world.org, "Opportunity", {"Name": "Deal", "StageName": "Prospecting",
                                                      "CloseDate": "2026-12-01", "AccountId": acc})
    world.emu.insert(world.org, "Opportunity", {"Name": "Else", "StageName": "Prospecting",
                                                "CloseDate": "2026-12-01", "AccountId": other})
    case = world.emu.insert(world.org, "Case", {"Subject": "Broken", "AccountId": acc})
    client = world.client()
    assert [o["Id"] for o in find_opportunities(client, account_ids=[acc])] == [opp]
    assert len(find_opportunities(client, owner_ids=[world.user])) == 2
    by_account = find_cases(client, account_ids=[acc])
    assert [c["Id"] for c in by_account] == [case]
    assert [c["Id"] for c in find_cases(client, case_numbers=[by_account[0]["CaseNumber"]])] == [case]
