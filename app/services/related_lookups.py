"""What to look up for one mail item: the Initial Search's plan (pure).

`plan_lookups` turns the item into the addresses, domains, names, companies and numbers to
search for, minus blocklisted ones; `related_terms` hands them to the sidebar port, whose
adapter asks for all of them in ONE Composite call whatever the number of participants.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.services.blocklists import Blocklist
from app.services.signatures import EMAIL, FREEMAIL, SenderHint, Signature, parse_signature
from app.sync.sidebar_ports import RelatedTerms

MAX_ADDRESSES = 100     # an item with more is looked up on its first 100 (participants first)
MAX_DOMAINS = 20
MAX_NUMBERS = 10
CASE_NUMBER = re.compile(r"(?<!\d)(\d{5,10})(?!\d)")


@dataclass
class Lookups:
    """The search terms of one item; `names` are display names by address."""

    participants: list[str] = field(default_factory=list)
    body_addresses: list[str] = field(default_factory=list)
    names: dict[str, str | None] = field(default_factory=dict)
    domains: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    signature: Signature | None = None
    own_address: str = ""
    sender: str | None = None

    @property
    def addresses(self) -> list[str]:
        return (self.participants + self.body_addresses)[:MAX_ADDRESSES]

    @property
    def own_domain(self) -> str:
        return self.own_address.rpartition("@")[2]


def _ordered_unique(values) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def plan_lookups(item: dict, own_address: str, blocklist: Blocklist) -> Lookups:
    """Participants, addresses in the body, company domains, case numbers and the signature."""
    people = [p for p in [item.get("from_")] + item["to"] + item["cc"] + item["attendees"] if p]
    plan = Lookups(own_address=(own_address or "").lower(),
                   sender=item["from_"]["email"] if item.get("from_") else None)
    for person in people:
        if not blocklist.blocks(person["email"]):
            plan.names.setdefault(person["email"], person.get("name"))
    plan.participants = list(plan.names)
    body = item.get("body_text") or ""
    plan.body_addresses = [a for a in _ordered_unique(m.lower().rstrip(".") for m in EMAIL.findall(body))
                           if a not in plan.names and not blocklist.blocks(a)]
    plan.domains = _ordered_unique(
        a.rpartition("@")[2] for a in plan.addresses
        if a.rpartition("@")[2] not in FREEMAIL and a.rpartition("@")[2] != plan.own_domain)[:MAX_DOMAINS]
    plan.numbers = _ordered_unique(CASE_NUMBER.findall(item.get("subject") or ""))[:MAX_NUMBERS]
    sender = item.get("from_") or {}
    signature = parse_signature(body, item.get("body_html") or "",
                                SenderHint(sender.get("email") or "", sender.get("name") or ""))
    signer = signature.email or plan.sender if signature is not None else None
    if signature is not None and not (signer and blocklist.blocks(signer)):
        plan.signature = signature      # a blocked writer's signature is not read either
    return plan


def related_terms(plan: Lookups) -> RelatedTerms:
    """What to ask Salesforce for: every address (and the signer's), the signer's name when the
    signature has no address, Users among the participants, domains, the company, case numbers."""
    addresses, sig = plan.addresses, plan.signature
    emails = [*addresses, *([sig.email] if sig and sig.email and sig.email not in addresses else [])]
    return RelatedTerms(emails=tuple(emails),
                        person_name=sig.full_name if sig and sig.full_name and not sig.email else "",
                        user_emails=tuple(plan.participants), domains=tuple(plan.domains),
                        company=sig.company if sig and sig.company else "", case_numbers=tuple(plan.numbers))
