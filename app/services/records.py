"""Creating Contacts, Leads, Accounts, Opportunities and Cases from the sidebar, and finding records.

Creation checks the fields against the org's describe (an unknown field is named, never sent)
and looks for duplicates first (email across Contacts and Leads; name or website for
Accounts), so a user sees "Jane Doe already exists" instead of a second Jane Doe.
"""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.describe import describe
from app.providers.salesforce.queries import run_queries, soql_literal

CREATABLE = ("Contact", "Lead", "Account", "Opportunity", "Case")
SEARCH_LIMIT = 20
_SOSL_RESERVED = re.compile(r"([?&|!{}\[\]()^~*:\\\"'+\-])")
SEARCH_FIELDS = {
    "Contact": "Id, Name, Email, Account.Name", "Lead": "Id, Name, Email, Company",
    "Account": "Id, Name, Website", "Opportunity": "Id, Name, StageName, Account.Name",
    "Case": "Id, CaseNumber, Subject, Status",
}


class InvalidFields(Exception):
    """Fields the org does not have or does not let the user set; `names` lists them."""

    def __init__(self, message: str, names: list[str]):
        super().__init__(message)
        self.names = names


def checked_fields(client: SalesforceClient, sobject: str, values: dict) -> dict:
    """Values keyed by the org's own field names; raises InvalidFields naming each bad one."""
    meta = describe(client, sobject)
    unknown = [n for n in values if meta.field(n) is None]
    if unknown:
        raise InvalidFields(f"{sobject} has no field {', '.join(unknown)} in your Salesforce org.", unknown)
    locked = [n for n in values if not meta.field(n).createable]
    if locked:
        raise InvalidFields(f"{', '.join(locked)} cannot be set when creating a {sobject}.", locked)
    return {meta.field(n).name: (v.strip() if isinstance(v, str) else v) for n, v in values.items()}


def _host(website: str) -> str:
    raw = website.strip().lower()
    host = urlsplit(raw if "//" in raw else "//" + raw).hostname or ""
    return host[4:] if host.startswith("www.") else host


def _duplicate_queries(sobject: str, values: dict) -> dict[str, str]:
    email, name = (values.get("Email") or "").strip().lower(), (values.get("Name") or "").strip()
    if sobject in ("Contact", "Lead") and email:
        return {t: f"SELECT Id, Name FROM {t} WHERE Email = {soql_literal(email)} LIMIT 10"
                for t in ("Contact", "Lead")}
    if sobject in ("Contact", "Lead") and values.get("LastName"):
        full = " ".join(v for v in (values.get("FirstName"), values.get("LastName")) if v)
        return {sobject: f"SELECT Id, Name FROM {sobject} WHERE Name = {soql_literal(full)} LIMIT 10"}
    if sobject == "Account":
        site = _host(values.get("Website") or "")
        by_site = f" OR Website LIKE {soql_literal('%' + site + '%')}" if site else ""
        return {sobject: f"SELECT Id, Name FROM Account WHERE Name = {soql_literal(name)}{by_site} LIMIT 10"}
    if sobject == "Opportunity" and name:
        return {sobject: f"SELECT Id, Name FROM Opportunity WHERE Name = {soql_literal(name)} LIMIT 10"}
    return {}


def find_duplicates(client: SalesforceClient, sobject: str, values: dict) -> list[dict]:
    """Records that look like the one about to be created (one API call, none when nothing to compare)."""
    queries = _duplicate_queries(sobject, values)
    rows = run_queries(client, queries) if queries else {}
    return [{"id": r["Id"], "name": r.get("Name"), "type": t} for t, found in rows.items() for r in found]


def create_record(client: SalesforceClient, sobject: str, values: dict) -> str:
    """Insert one record; returns its id (raises the Salesforce layer's errors)."""
    return client.restful(f"sobjects/{sobject}", "POST", json=values, idempotent=False)["id"]


def _sosl_term(text: str) -> str:
    """The user's words as one SOSL phrase: reserved characters escaped, a trailing wildcard added."""
    escaped = _SOSL_RESERVED.sub(r"\\\1", " ".join(text.split()))
    return escaped + ("*" if text[-1:].isalnum() else "")


def search_records(client: SalesforceClient, text: str, types: list[str]) -> list[dict]:
    """SOSL over names, emails, phones and numbers of `types`; ≤ 20 hits per type, one API call."""
    returning = ", ".join(f"{t}({SEARCH_FIELDS[t]} LIMIT {SEARCH_LIMIT})" for t in types)
    sosl = f"FIND {{{_sosl_term(text)}}} IN ALL FIELDS RETURNING {returning}"
    rows = client.restful("search", params={"q": sosl}).get("searchRecords", [])
    return [_hit(row) for row in rows]


def _hit(row: dict) -> dict:
    sobject = row["attributes"]["type"]
    account = (row.get("Account") or {}).get("Name")
    detail = {"Contact": " · ".join(v for v in (row.get("Email"), account) if v),
              "Lead": " · ".join(v for v in (row.get("Email"), row.get("Company")) if v),
              "Account": row.get("Website"), "Opportunity": " · ".join(v for v in (row.get("StageName"), account) if v),
              "Case": f"Case {row.get('CaseNumber')} · {row.get('Status') or ''}".rstrip(" ·")}[sobject]
    name = row.get("Subject") or row.get("CaseNumber") if sobject == "Case" else row.get("Name")
    return {"type": sobject, "id": row["Id"], "name": name, "detail": detail or None}
