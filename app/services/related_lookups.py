"""What to look up for one mail item (pure), and the SOQL for it: the Initial Search's plan.

`plan_lookups` turns the item into the addresses, domains, names, companies and numbers to
search for, minus blocklisted ones; `first_queries` / `second_queries` render at most five
statements each, so each round is ONE Composite call whatever the number of participants.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from app.providers.salesforce.queries import soql_literal
from app.services.blocklists import Blocklist
from app.services.signatures import EMAIL, FREEMAIL, Signature, parse_signature

MAX_ADDRESSES = 100     # an item with more is looked up on its first 100 (participants first)
MAX_DOMAINS = 20
MAX_NUMBERS = 10
ROW_LIMIT = 50
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
    signature = parse_signature(body)
    signer = signature.email or plan.sender if signature is not None else None
    if signature is not None and not (signer and blocklist.blocks(signer)):
        plan.signature = signature      # a blocked writer's signature is not read either
    return plan


def _in(values: list[str]) -> str:
    return "(" + ",".join(soql_literal(v) for v in values) + ")"


def _like_contains(text: str) -> str:
    """`'%text%'` with LIKE's own wildcards in `text` escaped."""
    body = soql_literal(text)[1:-1].replace("%", "\\%").replace("_", "\\_")
    return f"'%{body}%'"


def _either(*conditions: str) -> str:
    present = [c for c in conditions if c]
    return present[0] if len(present) == 1 else "(" + " OR ".join(present) + ")"


def first_queries(plan: Lookups) -> dict[str, str]:
    """People by address (and the signer by name), accounts by domain/company, cases by number."""
    out: dict[str, str] = {}
    addresses, sig = plan.addresses, plan.signature
    by_name = f"Name = {soql_literal(sig.full_name)}" if sig and sig.full_name and not sig.email else ""
    emails = [*addresses, *([sig.email] if sig and sig.email and sig.email not in addresses else [])]
    by_email = f"Email IN {_in(emails)}" if emails else ""
    if by_email or by_name:
        out["Contact"] = (f"SELECT Id, Name, Email, Title, Phone, AccountId, Account.Name FROM Contact "
                          f"WHERE {_either(by_email, by_name)} LIMIT {ROW_LIMIT}")
        out["Lead"] = (f"SELECT Id, Name, Email, Title, Company FROM Lead WHERE IsConverted = false "
                       f"AND {_either(by_email, by_name)} LIMIT {ROW_LIMIT}")
    if plan.participants:
        out["User"] = (f"SELECT Id, Name, Email FROM User WHERE IsActive = true "
                       f"AND Email IN {_in(plan.participants)} LIMIT {ROW_LIMIT}")
    by_site = " OR ".join(f"Website LIKE {_like_contains(d)}" for d in plan.domains)
    by_company = f"Name = {soql_literal(sig.company)}" if sig and sig.company else ""
    if by_site or by_company:
        out["Account"] = (f"SELECT Id, Name, Website FROM Account WHERE {_either(by_site, by_company)} "
                          f"LIMIT {ROW_LIMIT}")
    if plan.numbers:
        out["Case"] = (f"SELECT Id, CaseNumber, Subject, Status, AccountId, Account.Name FROM Case "
                       f"WHERE CaseNumber IN {_in(plan.numbers)} LIMIT {ROW_LIMIT}")
    return out


def second_queries(account_ids: list[str]) -> dict[str, str]:
    """Open Opportunities and Cases of the accounts found in the first round."""
    if not account_ids:
        return {}
    ids = _in(account_ids[:ROW_LIMIT])
    return {
        "Opportunity": (f"SELECT Id, Name, StageName, CloseDate, AccountId, Account.Name FROM Opportunity "
                        f"WHERE AccountId IN {ids} ORDER BY CloseDate DESC LIMIT {ROW_LIMIT}"),
        "Case": (f"SELECT Id, CaseNumber, Subject, Status, AccountId, Account.Name FROM Case "
                 f"WHERE IsClosed = false AND AccountId IN {ids} ORDER BY CreatedDate DESC LIMIT {ROW_LIMIT}"),
    }


def website_matches(website: str | None, domain: str) -> bool:
    """`https://www.globex.example/` is on `globex.example` (a LIKE hit on `notglobex.example` is not)."""
    raw = (website or "").strip().lower()
    host = (urlsplit(raw if "//" in raw else "//" + raw).hostname or "").rstrip(".")
    return host == domain or host.endswith("." + domain)
