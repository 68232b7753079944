"""SOSL operators and escapes, and LIKE's escapes, as Salesforce documents them (FIND clause
reference; SOQL quoted-string escape sequences): what the product's escaping relies on."""
from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

from .conftest import Tenant


def _names(tenant: Tenant, find: str) -> list[str]:
    found = tenant.sf.search(f"FIND {{{find}}} IN ALL FIELDS RETURNING Account(Name ORDER BY Name)")
    return [r["Name"] for r in found["searchRecords"]]


@pytest.fixture
def firms(tenant: Tenant) -> Tenant:
    for name in ("Smith AND Jones LLP", "Smith Partners", "Jones Smith Ltd", "Smith Jones"):
        tenant.sf.Account.create({"Name": name})
    return tenant


def test_unquoted_and_or_and_not_are_operators(firms: Tenant) -> None:
    assert _names(firms, "Smith AND Jones") == ["Jones Smith Ltd", "Smith AND Jones LLP", "Smith Jones"]
    assert _names(firms, "Partners OR Ltd") == ["Jones Smith Ltd", "Smith Partners"]
    assert _names(firms, "Smith AND NOT Jones") == ["Smith Partners"]


def test_quoted_or_escaped_operator_words_are_literal_words(firms: Tenant) -> None:
    assert _names(firms, 'Smith "AND" Jones') == ["Smith AND Jones LLP"]
    assert _names(firms, '"Smith and Jones"') == ["Smith AND Jones LLP"]
    assert _names(firms, "Smith \\AND Jones") == ["Smith AND Jones LLP"]


def test_escaped_wildcards_are_not_wildcards(firms: Tenant) -> None:
    assert _names(firms, "Smi*") == ["Jones Smith Ltd", "Smith AND Jones LLP", "Smith Jones", "Smith Partners"]
    assert _names(firms, "Smi\\*") == []          # the word "Smi", then punctuation: no prefix search
    with pytest.raises(SalesforceMalformedRequest):
        _names(firms, "\\*")


def _like(tenant: Tenant, pattern: str) -> list[str]:
    rows = tenant.sf.query_all(f"SELECT Name FROM Account WHERE Name LIKE '{pattern}' ORDER BY Name")["records"]
    return [r["Name"] for r in rows]


def test_like_escapes_match_percent_underscore_and_backslash_literally(tenant: Tenant) -> None:
    for name in ("100%_done", "1000Xdone", "a\\b", "ab"):
        tenant.sf.Account.create({"Name": name})
    assert _like(tenant, "100%_done") == ["100%_done", "1000Xdone"]
    assert _like(tenant, "100\\%\\_done") == ["100%_done"]
    assert _like(tenant, "%a\\\\b%") == ["a\\b"]
