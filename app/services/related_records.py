"""The sidebar's Initial Search: records related to a mail item, grouped by type, each with why.

Two questions to the sidebar port whatever the number of participants (the Salesforce adapter
answers each with ONE Composite call): people by address, accounts by domain/company and cases
by number, then (only when accounts were found) their Opportunities and open Cases. Unknown
addresses come back as `suggested_new`, pre-filled from the signature.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from app.services.blocklists import Blocklist
from app.services.related_lookups import Lookups, plan_lookups, related_terms
from app.services.sidebar_links import auto_link, item_subject
from app.services.signatures import suggest_person
from app.sync.link_ladder import LadderRules
from app.sync.ports import CrmRecord
from app.sync.sidebar_ports import RELATED_TYPES, SidebarCrmPort
from app.sync.web_domains import website_matches

Reason = dict
Row = Mapping[str, Any]


class Groups:
    """Hits by type and id; a record found twice keeps one entry with both reasons."""

    def __init__(self, url_for: Callable[[str], str]):
        self.url_for = url_for
        self.by_type: dict[str, dict[str, dict]] = {t: {} for t in RELATED_TYPES}

    def add(self, sobject: str, row: Row, reasons: list[Reason], **shown) -> None:
        if not reasons:
            return
        hit = self.by_type[sobject].setdefault(row["Id"], {
            "id": row["Id"], "name": shown.pop("name", row.get("Name")), "email": row.get("Email"),
            "account_name": (row.get("Account") or {}).get("Name"), "url": self.url_for(row["Id"]),
            "reasons": [], **shown})
        hit["reasons"].extend(r for r in reasons if r not in hit["reasons"])

    def reasons_of(self, sobject: str, record_id: str) -> list[Reason]:
        return list(self.by_type[sobject].get(record_id, {}).get("reasons", []))

    def ids(self, sobject: str) -> list[str]:
        return list(self.by_type[sobject])

    def as_dict(self) -> dict[str, list[dict]]:
        return {t: list(hits.values()) for t, hits in self.by_type.items()}


def _person_reasons(plan: Lookups, row: Row) -> list[Reason]:
    email = (row.get("Email") or "").lower()
    sig = plan.signature
    if email and email in plan.participants:
        return [{"kind": "address_match", "detail": email}]
    if email and email in plan.body_addresses:
        return [{"kind": "address_in_body", "detail": email}]
    if sig and ((sig.email and sig.email == email) or (sig.full_name and row.get("Name") == sig.full_name)):
        return [{"kind": "signature", "detail": sig.full_name or sig.email}]
    return []


def _account_reasons(plan: Lookups, row: Row) -> list[Reason]:
    reasons = [{"kind": "domain_account", "detail": d} for d in plan.domains if website_matches(row.get("Website"), d)]
    sig = plan.signature
    if sig and sig.company and (row.get("Name") or "").lower() == sig.company.lower():
        reasons.append({"kind": "signature", "detail": sig.company})
    return reasons


def _rows(records: Sequence[CrmRecord]) -> list[Row]:
    return [{**r.fields, "Id": r.record_id} for r in records]


def _add_people(groups: Groups, plan: Lookups, results: Mapping[str, Sequence[CrmRecord]]) -> None:
    for row in _rows(results.get("Contact", [])):
        reasons = _person_reasons(plan, row)
        groups.add("Contact", row, reasons, detail=row.get("Title"))
        account = row.get("Account") or {}
        if reasons and row.get("AccountId") and account.get("Name"):
            detail = f"{reasons[0]['detail']} (Account of {row.get('Name')})"
            groups.add("Account", {"Id": row["AccountId"], "Name": account["Name"]},
                       [{"kind": reasons[0]["kind"], "detail": detail}])
    for row in _rows(results.get("Lead", [])):
        detail = " · ".join(v for v in (row.get("Title"), row.get("Company")) if v) or None
        groups.add("Lead", row, _person_reasons(plan, row), detail=detail)
    for row in _rows(results.get("User", [])):
        groups.add("User", row, _person_reasons(plan, row))


def _add_cases(groups: Groups, plan: Lookups, records: Sequence[CrmRecord]) -> None:
    for row in _rows(records):
        reasons = [{"kind": "subject_number", "detail": row["CaseNumber"]}] if row.get("CaseNumber") in plan.numbers \
            else groups.reasons_of("Account", row.get("AccountId") or "")
        groups.add("Case", row, reasons, name=row.get("Subject") or row.get("CaseNumber"),
                   detail=f"Case {row.get('CaseNumber')} · {row.get('Status') or ''}".rstrip(" ·"))


def _add_opportunities(groups: Groups, records: Sequence[CrmRecord]) -> None:
    for row in _rows(records):
        detail = " · ".join(v for v in (row.get("StageName"), row.get("CloseDate") and f"closes {row['CloseDate']}")
                            if v) or None
        groups.add("Opportunity", row, groups.reasons_of("Account", row.get("AccountId") or ""), detail=detail)


def _suggestions(plan: Lookups, groups: Groups) -> list[dict]:
    known = {(h.get("email") or "").lower() for t in ("Contact", "Lead", "User") for h in groups.by_type[t].values()}
    return [suggest_person(a, plan.names.get(a), plan.signature, plan.sender) for a in plan.addresses
            if a not in known and a != plan.own_address and a.rpartition("@")[2] != plan.own_domain]


def find_related(crm: SidebarCrmPort, item: dict, own_address: str, blocklist: Blocklist,
                 ladder: LadderRules | None = None) -> dict:
    """`{"groups", "suggested_new", "auto_link"}` for the item; raises the core's errors (``app.sync.errors``)."""
    plan = plan_lookups(item, own_address, blocklist)
    groups = Groups(crm.record_url)
    results = crm.related_records(related_terms(plan))
    for row in _rows(results.get("Account", [])):
        groups.add("Account", row, _account_reasons(plan, row), detail=row.get("Website"))
    _add_people(groups, plan, results)
    _add_cases(groups, plan, results.get("Case", []))
    more = crm.account_activity(groups.ids("Account"))
    _add_opportunities(groups, more.get("Opportunity", []))
    _add_cases(groups, plan, more.get("Case", []))
    found = {k: [*results.get(k, []), *more.get(k, [])] for k in {*results, *more}}
    return {"groups": groups.as_dict(), "suggested_new": _suggestions(plan, groups),
            "auto_link": auto_link(item, own_address, _unblocked(found, plan), ladder or LadderRules(),
                                   blocked=frozenset(a for a in item_subject(item, own_address).addresses
                                                     if blocklist.blocks(a)))}


def _unblocked(found: dict[str, list[CrmRecord]], plan: Lookups) -> dict[str, list[CrmRecord]]:
    """People found only through a blocked address never become a link."""
    allowed = set(plan.addresses)
    return {k: [r for r in rows if k not in ("Contact", "Lead", "User")
                or str(r.fields.get("Email") or "").lower() in allowed] for k, rows in found.items()}
