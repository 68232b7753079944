"""The resolution ladder: which Who/What one saved email or meeting links to, and WHY (pure).

Rungs, first hit wins: Who = exact address → the first Contact, else Person Account, else
unconverted Lead among the participants (a User is a colleague: internal, never a Who). What = a case named in the subject ("Case
00001234", an Email-to-Case ``ref:_…:ref`` thread id) → the Who's Account (its Opportunity by
the admin's rule first) → an Account whose Website is on a participant's site domain (free-mail
and the org's own domains never count; two Accounts on one domain are ambiguous: no link).
Shared activities: up to 50 Contacts, or one Lead; the rest is skipped with the reason.
Every decision carries its reasons, stored with the item and shown to the user.
"""
from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from app.sync.free_mail import FREE_MAIL
from app.sync.link_facts import PERSON_ACCOUNT, LinkFacts, LinkQuery, OpportunityMatch, WriterText
from app.sync.ports import PersonMatch

MAX_SHARED_CONTACTS = 50
OPPORTUNITY_RULES = ("open_newest", "largest", "by_stage", "none")
WHO_ORDER = ("Contact", PERSON_ACCOUNT, "Lead")
CASE_NUMBER = re.compile(r"\bcase\s*(?:#|no\.?|number|nr\.?)?\s*:?\s*(\d{5,10})\b", re.IGNORECASE)
CASE_REF = re.compile(r"\bref:_?[0-9A-Za-z]{5,15}\._?([0-9A-Za-z]{5,15}):ref\b")


def _same(domain: str) -> str:
    return domain


@dataclass(frozen=True)
class LadderRules:
    """The org's linking settings; ``site_of`` maps a mail host to its registrable domain
    (``mail.acme.co.uk`` → ``acme.co.uk``: the service passes a public-suffix-aware one)."""

    opportunity_rule: str = "open_newest"
    stages: tuple[str, ...] = ()
    org_domains: frozenset[str] = frozenset()
    free_mail: frozenset[str] = FREE_MAIL
    site_of: Callable[[str], str] = _same

    def __post_init__(self) -> None:
        if self.opportunity_rule not in OPPORTUNITY_RULES:
            raise ValueError(f"opportunity_rule must be one of {OPPORTUNITY_RULES}, not {self.opportunity_rule!r}")
        if self.opportunity_rule == "by_stage" and not self.stages:
            raise ValueError("the by_stage rule needs at least one stage")

    def site(self, address: str) -> str:
        """The site domain an address may link an Account by, or "" (free-mail, the org's own)."""
        host = address.rpartition("@")[2].strip().lower().rstrip(".")
        if not host or host in self.free_mail:
            return ""
        site = self.site_of(host) or host
        internal = {self.site_of(d) or d for d in self.org_domains} | self.org_domains
        return "" if site in self.free_mail or site in internal or host in internal else site


@dataclass(frozen=True)
class LinkSubject:
    """One item to link: participant addresses in WhoId order (external sender first) and its subject."""

    addresses: tuple[str, ...]
    subject: str = ""
    text: WriterText | None = None   # the body and its writer (autoresolve's signature source)


@dataclass(frozen=True)
class LinkDecision:
    """Who/What, the Contacts sharing the activity (the Who first) and why, line by line."""

    who_id: str | None = None
    what_id: str | None = None
    shared: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def case_refs(subject: str) -> tuple[list[str], list[str]]:
    """Case numbers ("Case 00001234") and 15-character Case ids (from ``ref:_org._case:ref``) in a subject."""
    numbers = list(dict.fromkeys(CASE_NUMBER.findall(subject or "")))
    ids = list(dict.fromkeys(_expand_id(c) for c in CASE_REF.findall(subject or "")))
    return numbers, [i for i in ids if i]


def _expand_id(short: str) -> str:
    """Email-to-Case drops the zeros after an id's 5-character prefix: ``500xxYktl`` → ``500xx000000Yktl``."""
    if len(short) < 6 or not short.startswith("500"):
        return ""
    return short[:5] + short[5:].rjust(10, "0")


def ladder_query(subjects: Iterable[LinkSubject], rules: LadderRules) -> LinkQuery:
    """ONE look-up for a whole session: every address, site domain and case reference."""
    emails: dict[str, None] = {}
    domains: dict[str, None] = {}
    numbers: dict[str, None] = {}
    ids: dict[str, None] = {}
    texts: list[WriterText] = []
    for subject in subjects:
        if subject.text is not None and (subject.text.text or subject.text.html):
            texts.append(subject.text)
        for address in subject.addresses:
            emails[address.strip().lower()] = None
            site = rules.site(address)
            if site:
                domains[site] = None
        found_numbers, found_ids = case_refs(subject.subject)
        numbers.update(dict.fromkeys(found_numbers))
        ids.update(dict.fromkeys(found_ids))
    return LinkQuery(tuple(e for e in emails if e), tuple(domains), tuple(numbers), tuple(ids),
                     opportunities=rules.opportunity_rule != "none", texts=tuple(texts))


def _pick_person(matches: Sequence[PersonMatch]) -> PersonMatch | None:
    """Contact, else Person Account, else Lead; the lowest Id when an address has several."""
    for object_type in WHO_ORDER:
        of_type = sorted((m for m in matches if m.object_type == object_type), key=lambda m: m.record_id)
        if of_type:
            return of_type[0]
    return None


def pick_opportunity(opportunities: Sequence[OpportunityMatch], rules: LadderRules) -> OpportunityMatch | None:
    """The admin's rule over an Account's open Opportunities (closed ones never take new activity)."""
    open_ones = [o for o in opportunities if not o.is_closed]
    if rules.opportunity_rule == "none" or not open_ones:
        return None
    if rules.opportunity_rule == "largest":
        return max(open_ones, key=lambda o: (o.amount or 0.0, o.created, o.record_id))
    if rules.opportunity_rule == "by_stage":
        rank = {s.lower(): i for i, s in enumerate(rules.stages)}
        staged = [o for o in open_ones if o.stage.lower() in rank]
        if not staged:
            return None
        return min(staged, key=lambda o: (rank[o.stage.lower()], _newest_first(o)))
    return max(open_ones, key=lambda o: (o.created, o.record_id))


def _newest_first(o: OpportunityMatch) -> tuple[str, ...]:
    return tuple(chr(0x10FFFF - ord(c)) for c in o.created + o.record_id)


def decide(subject: LinkSubject, facts: LinkFacts, rules: LadderRules, what_with_lead: bool = False) -> LinkDecision:
    """The links of one item. ``what_with_lead``: the record takes a What beside a Lead Who
    (EmailMessage.RelatedToId does; Task/Event reject a WhatId next to a Lead)."""
    addresses = [a for a in (x.strip().lower() for x in subject.addresses) if a and a not in facts.blocked]
    people = {a: p for a in addresses if (p := _pick_person(facts.people.get(a, ()))) is not None}
    internal = {a for a in addresses if any(m.object_type == "User" for m in facts.people.get(a, ()))}
    external = [a for a in addresses if a in people and a not in internal]
    who_address = next((a for kind in WHO_ORDER for a in external if people[a].object_type == kind), None)
    who = people.get(who_address) if who_address else None
    reasons: list[str] = []
    if who is not None and who_address and who_address in facts.created:
        reasons.append(f"who: autoresolved {who.object_type} {who_address} ({facts.created[who_address]})")
    elif who is not None:
        reasons.append(f"who: exact_email {who.object_type} {who_address}")
    shared, skipped = _shared(who, [(a, people[a]) for a in addresses if a in people and a not in internal])
    what_id = None
    if who is not None and who.object_type == "Lead" and not what_with_lead:
        if _what(subject, facts, rules, None, addresses, internal)[0]:
            skipped.append("what: not linked (a Lead's activity takes no Related To)")
    else:
        what_id, why = _what(subject, facts, rules, who, addresses, internal)
        reasons.extend(why)
    who_id = who.record_id if who is not None and who.record_id[:3] in ("003", "00Q") else None
    return LinkDecision(who_id, what_id, tuple(shared), tuple(reasons), tuple(skipped))


def _shared(who: PersonMatch | None, resolved: Sequence[tuple[str, PersonMatch]]) -> tuple[list[str], list[str]]:
    """Contacts sharing the activity (the Who first, 50 at most) and everyone left out, with why."""
    if who is None:
        return [], []
    if who.object_type == "Lead":
        others = [f"{a} {p.object_type}" for a, p in resolved if p.record_id != who.record_id]
        return [who.record_id], [f"skipped: {o} (a Lead's activity relates to that Lead only)" for o in others]
    contacts: dict[str, str] = {}
    skipped = []
    for address, person in resolved:
        if person.object_type == "Lead":
            skipped.append(f"skipped: {address} Lead (an activity relates Contacts or one Lead, not both)")
        elif person.record_id[:3] == "003" and person.record_id not in contacts:
            contacts[person.record_id] = address
    ids = ([who.record_id] if who.record_id in contacts else []) + [c for c in contacts if c != who.record_id]
    skipped.extend(f"skipped: {contacts[c]} Contact (over the {MAX_SHARED_CONTACTS}-Contact limit)"
                   for c in ids[MAX_SHARED_CONTACTS:])
    return ids[:MAX_SHARED_CONTACTS], skipped


def _what(subject: LinkSubject, facts: LinkFacts, rules: LadderRules, who: PersonMatch | None,
          addresses: Sequence[str], internal: set[str]) -> tuple[str | None, list[str]]:
    numbers, ids = case_refs(subject.subject)
    for number in numbers:
        if number in facts.cases:
            return facts.cases[number], [f"what: subject_case {number}"]
    for case_id in ids:
        if case_id[:15] in facts.cases:
            return facts.cases[case_id[:15]], [f"what: subject_case_ref {case_id}"]
    account, why = _account(facts, rules, who, addresses, internal)
    if account is None:
        return None, why
    opportunity = pick_opportunity(facts.opportunities.get(account, ()), rules)
    if opportunity is not None:
        return opportunity.record_id, [*why, f"what: {rules.opportunity_rule}_opportunity"]
    return account, why


def _account(facts: LinkFacts, rules: LadderRules, who: PersonMatch | None, addresses: Sequence[str],
             internal: set[str]) -> tuple[str | None, list[str]]:
    """The Who's own Account, else the one Account on the first external participant's site domain."""
    if who is not None and who.account_id:
        kind = "person_account" if who.object_type == PERSON_ACCOUNT else "contact_account"
        return who.account_id, [f"what: {kind}"]
    org_sites = {rules.site(a) for a in internal}
    for address in addresses:
        site = rules.site(address)
        if not site or address in internal or site in org_sites:
            continue
        accounts = sorted({a.record_id for a in facts.accounts.get(site, ())})
        if len(accounts) == 1:
            return accounts[0], [f"what: domain_account {site}"]
        if accounts:
            return None, [f"what: not linked ({len(accounts)} Accounts on {site})"]
    return None, []
