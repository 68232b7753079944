"""Look-ups the sync engine and the sidebar need, batched: many emails or ids per query.

People by email cost one Composite call per chunk of addresses (one query per type inside);
other look-ups chunk their IN-lists and send up to five statements per Composite call.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.queries import ListQuery, in_list, like_contains, query_in_chunks, run_queries
from app.sync.web_domains import website_matches

PEOPLE_FIELDS: dict[str, tuple[str, ...]] = {
    "Contact": ("Id", "Email", "FirstName", "LastName", "Name", "AccountId", "OwnerId"),
    "Lead": ("Id", "Email", "FirstName", "LastName", "Name", "Company", "OwnerId"),
    "User": ("Id", "Email", "FirstName", "LastName", "Name", "IsActive"),
}
PEOPLE_FILTERS = {"Lead": "IsConverted = false"}
ACCOUNT_FIELDS = ("Id", "Name", "Website", "OwnerId")
OPPORTUNITY_FIELDS = ("Id", "Name", "StageName", "CloseDate", "AccountId", "OwnerId")
CASE_FIELDS = ("Id", "CaseNumber", "Subject", "Status", "AccountId", "ContactId", "OwnerId")


def _people_query(sobject: str) -> ListQuery:
    extra = PEOPLE_FILTERS.get(sobject)
    prefix = (f"SELECT {', '.join(PEOPLE_FIELDS[sobject])} FROM {sobject} WHERE "
              f"{extra + ' AND ' if extra else ''}Email IN (")
    return ListQuery(prefix)


def find_people_by_email(client: SalesforceClient, emails: Iterable[str],
                         types: Sequence[str] = ("Contact", "Lead", "User")) -> dict[str, list[dict]]:
    """Lower-cased email → matching records (each with `attributes.type`), across `types`.

    Emails are compared case-insensitively, as Salesforce does; converted Leads are skipped.
    """
    if not 0 < len(types) <= 5:
        raise ValueError("one to five sObject types per look-up")
    wanted = [e.strip().lower() for e in emails if e and e.strip()]
    queries = {t: _people_query(t) for t in types}
    widest = max(queries.values(), key=lambda q: len(q.prefix))
    found: dict[str, list[dict]] = {e: [] for e in wanted}
    for chunk in widest.chunks(wanted):
        results = run_queries(client, {t: q.render(chunk) for t, q in queries.items()})
        for rows in results.values():
            for row in rows:
                found.setdefault(str(row.get("Email") or "").lower(), []).append(row)
    return found


def find_accounts(client: SalesforceClient, names: Iterable[str] = (), domains: Iterable[str] = ()) -> list[dict]:
    """Accounts whose Name is one of `names` or whose Website is on one of `domains` (or a subdomain)."""
    select = f"SELECT {', '.join(ACCOUNT_FIELDS)} FROM Account"
    names = [n for n in names if n]
    domains = [d.strip().lower().lstrip("@") for d in domains if d and d.strip()]
    statements = [*in_list(select, "Name", names),
                  *ListQuery(f"{select} WHERE (", ")", lambda d: f"Website LIKE {like_contains(d)}",
                             " OR ").statements(domains)]
    rows: dict[str, dict] = {}
    wanted_names = {n.lower() for n in names}
    for row in query_in_chunks(client, statements):
        if row.get("Name", "").lower() in wanted_names or any(website_matches(row.get("Website"), d) for d in domains):
            rows.setdefault(row["Id"], row)
    return list(rows.values())


def find_by(client: SalesforceClient, sobject: str, fields: Sequence[str], filters: dict[str, Iterable[str]],
            where: str = "") -> list[dict]:
    """Records where any `field IN (values)` of `filters` matches; deduplicated by Id, chunked."""
    select = f"SELECT {', '.join(fields)} FROM {sobject}"
    statements = [s for field, values in filters.items() for s in in_list(select, field, values, where)]
    rows: dict[str, dict] = {}
    for row in query_in_chunks(client, statements):
        rows.setdefault(row["Id"], row)
    return list(rows.values())


def find_opportunities(client: SalesforceClient, account_ids: Iterable[str] = (), owner_ids: Iterable[str] = (),
                       open_only: bool = False) -> list[dict]:
    """Opportunities of these accounts or owners (optionally only open ones)."""
    where = "IsClosed = false" if open_only else ""
    return find_by(client, "Opportunity", OPPORTUNITY_FIELDS,
                   {"AccountId": account_ids, "OwnerId": owner_ids}, where)


def find_cases(client: SalesforceClient, account_ids: Iterable[str] = (), owner_ids: Iterable[str] = (),
               case_numbers: Iterable[str] = ()) -> list[dict]:
    """Cases of these accounts or owners, or with these case numbers."""
    return find_by(client, "Case", CASE_FIELDS,
                   {"AccountId": account_ids, "OwnerId": owner_ids, "CaseNumber": case_numbers})
