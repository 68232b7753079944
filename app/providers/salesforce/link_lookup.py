"""The resolution ladder's look-up: one session's addresses, site domains and case references in
as few Composite calls as Salesforce allows (five queries each), then the found Accounts'
Opportunities. The decision is the core's (``app.sync.link_ladder``); this only fetches.
"""
from __future__ import annotations

from collections.abc import Sequence

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.queries import ListQuery, in_list, like_contains, query_in_chunks
from app.providers.salesforce.search import PEOPLE_FIELDS, PEOPLE_FILTERS
from app.sync.link_facts import PERSON_ACCOUNT, AccountMatch, LinkFacts, LinkQuery, OpportunityMatch
from app.sync.ports import PersonMatch
from app.sync.web_domains import website_matches

OPPORTUNITY_FIELDS = "Id, AccountId, StageName, Amount, CreatedDate, IsClosed"


def _people_statements(emails: Sequence[str], person_contact: bool | None) -> list[str]:
    """Contact/Lead/User by Email, and Person Accounts by PersonEmail when the org has them."""
    out: list[str] = []
    for sobject in ("Contact", "Lead", "User"):
        extra = PEOPLE_FILTERS.get(sobject, "")
        out.extend(in_list(f"SELECT {', '.join(PEOPLE_FIELDS[sobject])} FROM {sobject}", "Email", emails, extra))
    if person_contact is not None:
        fields = "Id, PersonEmail" + (", PersonContactId" if person_contact else "")
        out.extend(in_list(f"SELECT {fields} FROM Account", "PersonEmail", emails, "IsPersonAccount = true"))
    return out


def _statements(query: LinkQuery, person_contact: bool | None) -> list[str]:
    statements = _people_statements(query.emails, person_contact) if query.emails else []
    if query.domains:
        statements.extend(ListQuery("SELECT Id, Website FROM Account WHERE (", ")",
                                    lambda d: f"Website LIKE {like_contains(d)}", " OR ").statements(query.domains))
    statements.extend(in_list("SELECT Id, CaseNumber FROM Case", "CaseNumber", query.case_numbers))
    statements.extend(in_list("SELECT Id, CaseNumber FROM Case", "Id", query.case_ids))
    return statements


def lookup_links(client: SalesforceClient, query: LinkQuery, person_contact: bool | None = None) -> LinkFacts:
    """``person_contact``: None when the org has no Person Accounts, else whether PersonContactId is readable."""
    people: dict[str, list[PersonMatch]] = {}
    accounts: dict[str, list[AccountMatch]] = {}
    cases: dict[str, str] = {}
    for row in query_in_chunks(client, _statements(query, person_contact)):
        kind = (row.get("attributes") or {}).get("type") or ""
        if "PersonEmail" in row:
            people.setdefault(str(row["PersonEmail"]).lower(), []).append(
                PersonMatch(str(row.get("PersonContactId") or ""), PERSON_ACCOUNT, str(row["Id"])))
        elif kind == "Case" or "CaseNumber" in row:
            cases[str(row["CaseNumber"])] = str(row["Id"])
            cases[str(row["Id"])[:15]] = str(row["Id"])
        elif "Website" in row:
            for domain in query.domains:
                if website_matches(row.get("Website"), domain):
                    accounts.setdefault(domain, []).append(AccountMatch(str(row["Id"]), str(row["Website"])))
        elif row.get("IsActive", True) is not False:
            object_type = kind or ("Lead" if str(row["Id"]).startswith("00Q") else "Contact")
            people.setdefault(str(row.get("Email") or "").lower(), []).append(
                PersonMatch(str(row["Id"]), object_type, row.get("AccountId")))
    _one_person_per_account(people)
    account_ids = {a.record_id for found in accounts.values() for a in found}
    account_ids |= {p.account_id for found in people.values() for p in found if p.account_id}
    opportunities = _opportunities(client, sorted(account_ids)) if query.opportunities and account_ids else {}
    return LinkFacts({e: tuple(p) for e, p in people.items()}, {d: tuple(a) for d, a in accounts.items()},
                     opportunities, cases)


def _one_person_per_account(people: dict[str, list[PersonMatch]]) -> None:
    """A Person Account's Contact row answers the Contact query too: keep it once, as the Person Account."""
    for email, found in people.items():
        person_contacts = {m.record_id for m in found if m.object_type == PERSON_ACCOUNT and m.record_id}
        if person_contacts:
            people[email] = [m for m in found if m.object_type == PERSON_ACCOUNT or m.record_id not in person_contacts]


def _opportunities(client: SalesforceClient, account_ids: Sequence[str]) -> dict[str, tuple[OpportunityMatch, ...]]:
    """Open Opportunities of the found Accounts (closed ones never take new activity)."""
    found: dict[str, list[OpportunityMatch]] = {}
    statements = in_list(f"SELECT {OPPORTUNITY_FIELDS} FROM Opportunity", "AccountId", account_ids, "IsClosed = false")
    for row in query_in_chunks(client, statements):
        found.setdefault(str(row["AccountId"]), []).append(OpportunityMatch.from_row(str(row["Id"]), row))
    return {a: tuple(o) for a, o in found.items()}
