"""The SOQL of the duplicate check and the SOSL of the record search (user text always escaped).

Duplicates: the same email across Contacts and Leads, else the same full name; an Account by
name or by a website on the same host; an Opportunity by name.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from app.providers.salesforce.queries import like_contains, soql_literal, sosl_phrase
from app.sync.web_domains import website_host

DUPLICATE_LIMIT = 10
SEARCH_FIELDS = {
    "Contact": "Id, Name, Email, Account.Name", "Lead": "Id, Name, Email, Company",
    "Account": "Id, Name, Website", "Opportunity": "Id, Name, StageName, Account.Name",
    "Case": "Id, CaseNumber, Subject, Status",
}


def _text(values: Mapping[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ""


def _by_name(object_type: str, name: str) -> dict[str, str]:
    return {object_type: f"SELECT Id, Name FROM {object_type} WHERE Name = {soql_literal(name)} "
                         f"LIMIT {DUPLICATE_LIMIT}"}


def duplicate_statements(object_type: str, values: Mapping[str, Any]) -> dict[str, str]:
    """Named statements for the records that look like `values` (none when nothing to compare)."""
    email, name = _text(values, "Email").lower(), _text(values, "Name")
    if object_type in ("Contact", "Lead") and email:
        return {t: f"SELECT Id, Name FROM {t} WHERE Email = {soql_literal(email)} LIMIT {DUPLICATE_LIMIT}"
                for t in ("Contact", "Lead")}
    if object_type in ("Contact", "Lead") and _text(values, "LastName"):
        return _by_name(object_type, " ".join(v for v in (_text(values, "FirstName"), _text(values, "LastName")) if v))
    if object_type == "Account":
        site = website_host(_text(values, "Website"))
        by_site = f" OR Website LIKE {like_contains(site)}" if site else ""
        return {"Account": f"SELECT Id, Name FROM Account WHERE Name = {soql_literal(name)}{by_site} "
                           f"LIMIT {DUPLICATE_LIMIT}"}
    if object_type == "Opportunity" and name:
        return _by_name(object_type, name)
    return {}


def search_statement(text: str, object_types: Sequence[str], limit: int) -> str:
    """SOSL over names, emails, phones and numbers of `object_types`, ≤ `limit` hits per type."""
    returning = ", ".join(f"{t}({SEARCH_FIELDS[t]} LIMIT {int(limit)})" for t in object_types)
    return f"FIND {{{sosl_phrase(text)}}} IN ALL FIELDS RETURNING {returning}"
