"""SOQL over HTTPS: paging through 2,000-row pages, parent fields, filters, errors."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import Tenant


def _seed_contacts(tenant: Tenant, n: int) -> None:
    for i in range(n):
        tenant.emu.insert(tenant.org, "Contact", {"LastName": f"P{i % 3}", "Title": f"T{i}"})


def test_query_pages_2000_rows_with_ties_and_next_records_url(tenant: Tenant) -> None:
    _seed_contacts(tenant, 4500)
    first = tenant.sf.query("SELECT Id, LastName FROM Contact ORDER BY LastName")
    assert (first["totalSize"], first["done"], len(first["records"])) == (4500, False, 2000)
    assert first["nextRecordsUrl"].startswith("/services/data/v62.0/query/01g")
    assert first["nextRecordsUrl"].endswith("-2000")
    seen = [r["Id"] for r in first["records"]]
    page = first
    while not page["done"]:
        page = tenant.sf.query_more(page["nextRecordsUrl"], identifier_is_url=True)
        seen += [r["Id"] for r in page["records"]]
    assert len(seen) == len(set(seen)) == 4500          # ties never duplicate or drop rows
    every = tenant.sf.query_all("SELECT Id FROM Contact WHERE LastName = 'p1'")
    assert every["totalSize"] == 1500 and len(every["records"]) == 1500


def test_two_long_text_fields_shrink_pages_to_200(tenant: Tenant) -> None:
    for i in range(250):
        tenant.emu.insert(tenant.org, "EmailMessage", {"Subject": f"m{i}", "TextBody": "t",
                                                       "HtmlBody": "<p>h</p>"})
    page = tenant.sf.query("SELECT Id, TextBody, HtmlBody FROM EmailMessage")
    assert len(page["records"]) == 200 and page["nextRecordsUrl"].endswith("-200")
    assert len(tenant.sf.query("SELECT Id, TextBody FROM EmailMessage")["records"]) == 250


def test_parent_relationship_fields_and_polymorphic_who(tenant: Tenant) -> None:
    sf = tenant.sf
    acct = sf.Account.create({"Name": "Acme"})["id"]
    contact = sf.Contact.create({"LastName": "Li", "AccountId": acct})["id"]
    lead = sf.Lead.create({"LastName": "Roe", "Company": "Roe Inc"})["id"]
    for who in (contact, lead, None):
        sf.Event.create({"Subject": "s", "StartDateTime": "2026-11-23T10:00:00Z",
                         "DurationInMinutes": 30, "WhoId": who})
    rows = sf.query("SELECT Id, Who.Name, Who.Type, Owner.Name FROM Event "
                    "ORDER BY Who.Name NULLS LAST")["records"]
    assert [r["Who"] and r["Who"]["Name"] for r in rows] == ["Li", "Roe", None]
    assert rows[0]["Who"]["attributes"]["type"] == "Contact" and rows[1]["Who"]["Type"] == "Lead"
    assert rows[0]["Owner"]["Name"] == "Ann Admin"
    users = sf.query("SELECT Id, Profile.PermissionsManageUsers FROM User")["records"]
    assert users[0]["Profile"]["PermissionsManageUsers"] is True
    nested = sf.query("SELECT Account.Name FROM Contact WHERE Account.Name = 'acme'")
    assert nested["records"][0]["Account"]["Name"] == "Acme"


def test_where_operators_dates_order_limit_offset(tenant: Tenant) -> None:
    emu, org = tenant.emu, tenant.org
    base = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    for i, subject in enumerate(["Alpha", "beta", "Gamma", "Delta", None]):
        emu.insert(org, "Event", {"Subject": subject, "DurationInMinutes": 30,
                                  "StartDateTime": (base + timedelta(days=i)).isoformat()})

    def subjects(where: str, tail: str = "ORDER BY StartDateTime") -> list:
        soql = f"SELECT Subject FROM Event WHERE {where} {tail}"
        return [r["Subject"] for r in tenant.sf.query(soql)["records"]]
    assert subjects("StartDateTime >= 2026-11-24T10:00:00Z AND StartDateTime < "
                    "2026-11-26T00:00:00Z") == ["beta", "Gamma"]
    assert subjects("ActivityDate = 2026-11-23") == ["Alpha"]
    assert subjects("Subject IN ('alpha', 'DELTA')") == ["Alpha", "Delta"]
    assert subjects("Subject NOT IN ('Alpha') AND Subject != null") == ["beta", "Gamma", "Delta"]
    assert subjects("(Subject LIKE 'g%' OR Subject LIKE '%ta') AND NOT Subject = 'Beta'") \
        == ["Gamma", "Delta"]
    assert subjects("Subject = null") == [None]
    assert subjects("IsDeleted = false", "ORDER BY Subject DESC NULLS LAST LIMIT 2 OFFSET 1") \
        == ["Delta", "beta"]
    emu.clock = lambda: base + timedelta(days=2, hours=1)
    try:
        assert subjects("StartDateTime = TODAY") == ["Gamma"]
        assert subjects("ActivityDate = LAST_N_DAYS:1") == ["beta", "Gamma"]
        assert subjects("StartDateTime = NEXT_N_DAYS:2") == ["Delta", None]
        assert subjects("ActivityDate = YESTERDAY") == ["beta"]
    finally:
        emu.clock = lambda: datetime.now(UTC)
    assert tenant.sf.query("SELECT COUNT() FROM Event")["totalSize"] == 5


def test_query_all_includes_recycle_bin(tenant: Tenant) -> None:
    rid = tenant.sf.Contact.create({"LastName": "Gone"})["id"]
    tenant.sf.Contact.delete(rid)
    assert tenant.sf.query("SELECT Id FROM Contact")["totalSize"] == 0
    rows = tenant.sf.query("SELECT Id, IsDeleted FROM Contact", include_deleted=True)
    assert rows["records"][0]["IsDeleted"] is True


@pytest.mark.parametrize("soql, code", [
    ("SELECT Id FROM", "MALFORMED_QUERY"),
    ("SELECT Id FROM Contact WHERE A = 1 AND B = 2 OR C = 3", "MALFORMED_QUERY"),
    ("SELECT Nope FROM Contact", "INVALID_FIELD"),
    ("SELECT Id FROM Contact WHERE Bogus.Name = 'x'", "INVALID_FIELD"),
    ("SELECT Id FROM Nope", "INVALID_TYPE"),
    ("SELECT Id FROM Event WHERE Description = 'x'", "INVALID_FIELD"),
    ("SELECT Id FROM Event WHERE StartDateTime > '2026-11-23'", "INVALID_FIELD"),
    ("SELECT Id FROM Contact WHERE Id = 'abc'", "INVALID_QUERY_FILTER_OPERATOR"),
])
def test_query_errors(tenant: Tenant, soql: str, code: str) -> None:
    with pytest.raises(SalesforceMalformedRequest) as exc:
        tenant.sf.query(soql)
    assert exc.value.content[0]["errorCode"] == code


def test_unknown_column_message_points_at_the_column(tenant: Tenant) -> None:
    resp = tenant.get("/query", params={"q": "SELECT Id, Nope FROM Contact"})
    assert resp.json()[0]["message"].startswith(
        "\nSELECT Id, Nope FROM Contact\n           ^\nERROR at Row:1:Column:12\n"
        "No such column 'Nope' on entity 'Contact'.")


def test_uri_longer_than_16384_is_414(tenant: Tenant) -> None:
    where = " OR ".join(f"LastName = 'n{i:06d}'" for i in range(1000))
    resp = tenant.get("/query", params={"q": f"SELECT Id FROM Contact WHERE {where}"})
    assert resp.status_code == 414


def test_statement_over_100000_chars_is_malformed(tenant: Tenant) -> None:
    # Sent through /composite: inside a JSON body the URI limit does not apply.
    soql = "SELECT Id FROM Contact WHERE " + " OR ".join(
        f"LastName = 'n{i:06d}'" for i in range(5000))
    resp = tenant.send("POST", "/composite", json={"compositeRequest": [{
        "method": "GET", "referenceId": "q", "url": "/services/data/v62.0/query?q=" + soql}]})
    sub = resp.json()["compositeResponse"][0]
    assert sub["httpStatusCode"] == 400 and sub["body"][0]["errorCode"] == "MALFORMED_QUERY"
