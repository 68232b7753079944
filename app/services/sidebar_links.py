"""The sidebar's "would link to": the resolution ladder's decision for the open item, from the
records the Initial Search already fetched (no extra Salesforce call), with its reasons."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.sync.link_facts import AccountMatch, LinkFacts, OpportunityMatch
from app.sync.link_ladder import LadderRules, LinkSubject, decide
from app.sync.ports import CrmRecord, PersonMatch
from app.sync.web_domains import website_matches


def item_subject(item: Mapping, own_address: str) -> LinkSubject:
    """Sender first, then To, Cc and attendees; never the user's own address."""
    own = (own_address or "").strip().lower()
    people = [item.get("from_"), *item.get("to", []), *item.get("cc", []), *item.get("attendees", [])]
    addresses = [p["email"].strip().lower() for p in people if p and p.get("email")]
    return LinkSubject(tuple(a for a in dict.fromkeys(addresses) if a != own), item.get("subject") or "")


def _facts(subject: LinkSubject, found: Mapping[str, Sequence[CrmRecord]], rules: LadderRules) -> LinkFacts:
    people: dict[str, list[PersonMatch]] = {}
    for object_type in ("Contact", "Lead", "User"):
        for r in found.get(object_type, []):
            email = str(r.fields.get("Email") or "").lower()
            people.setdefault(email, []).append(PersonMatch(r.record_id, object_type, r.fields.get("AccountId")))
    sites = {s for a in subject.addresses if (s := rules.site(a))}
    accounts = {site: tuple(AccountMatch(r.record_id, str(r.fields.get("Website")))
                            for r in found.get("Account", []) if website_matches(r.fields.get("Website"), site))
                for site in sites}
    opportunities: dict[str, list[OpportunityMatch]] = {}
    for r in found.get("Opportunity", []):
        opportunities.setdefault(str(r.fields.get("AccountId")), []).append(
            OpportunityMatch.from_row(r.record_id, r.fields))
    cases = {k: r.record_id for r in found.get("Case", []) for k in (str(r.fields.get("CaseNumber")), r.record_id[:15])}
    return LinkFacts({e: tuple(p) for e, p in people.items()}, {s: a for s, a in accounts.items() if a},
                     {a: tuple(o) for a, o in opportunities.items()}, cases)


def auto_link(item: Mapping, own_address: str, found: Mapping[str, Sequence[CrmRecord]],
              rules: LadderRules, blocked: frozenset[str] = frozenset()) -> dict:
    """``{"who_id", "what_id", "reasons", "skipped"}``: what a save would link to, and why
    (``blocked`` participants neither link nor lend their domain)."""
    subject = item_subject(item, own_address)
    decision = decide(subject, replace(_facts(subject, found, rules), blocked=blocked), rules)
    return {"who_id": decision.who_id, "what_id": decision.what_id, "reasons": list(decision.reasons),
            "skipped": list(decision.skipped)}
