"""Autoresolve during a session: a ``CrmPort`` whose ladder look-up creates the missing people.

After the ladder's one look-up, each unresolved external participant (``app.sync.autoresolve``)
gets a Lead, a Contact (with an Account by domain, or the admin's fixed Account) or a Person
Account, filled from their signature. The look-up itself was the duplicate check by email; a
Salesforce duplicate rule that still blocks the create links to the record it matched instead,
never a second one. What was created is journalled per session (``autoresolve_log``) for undo.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.services.signatures import SenderHint, belongs_to, company_from_domain, parse_signature, suggest_person
from app.sync.autoresolve import (
    AutoresolveRules,
    PersonDetails,
    account_fields,
    account_namers,
    person_account_fields,
    person_fields,
    unresolved,
)
from app.sync.link_facts import PERSON_ACCOUNT, LinkFacts, LinkQuery, WriterText
from app.sync.link_ladder import LadderRules
from app.sync.ports import CrmPort, PersonMatch, RecordWrite
from app.sync.signature import Signature

log = logging.getLogger("syncline.sync")
OBJECT_OF_PREFIX = {"00Q": "Lead", "003": "Contact", "001": "Account"}


@dataclass(frozen=True)
class Created:
    """One record autoresolve created (``stamp``/``modified``: SystemModstamp/LastModifiedDate right after)."""

    sobject: str
    record_id: str
    email: str
    stamp: str = ""
    modified: str = ""


Journal = Callable[[Sequence[Created]], None]


def rules_of(settings: Mapping[str, Any]) -> AutoresolveRules:
    """The org's settings as rules; a fixed rule stored without an Account falls back to by_domain."""
    rule, account = settings.get("autoresolve_account_rule") or "by_domain", settings.get("autoresolve_account_id")
    if rule == "fixed" and not account:
        rule = "by_domain"
    return AutoresolveRules(settings.get("autoresolve") or "off", rule, account if rule == "fixed" else None)


def person_details(address: str, signatures: Sequence[tuple[str, Signature]]) -> PersonDetails:
    """The address's details from the first signature that is theirs, else from the address."""
    for writer, signature in signatures:
        if _own_card(address, signature, writer):
            return _details(address, suggest_person(address, None, signature, writer), signature)
    return _details(address, suggest_person(address, None, None), None)


def _own_card(address: str, signature: Signature, writer: str) -> bool:
    """A card is this address's when it names the address, or when they wrote it (and it names no
    other): a name-alike's card from another mail ("Tom Hardy" for tom@) would fill in a stranger."""
    return (signature.email == address or writer == address) and belongs_to(address, signature, writer)


def read_signatures(texts: Sequence[WriterText]) -> list[tuple[str, Signature]]:
    """Each body's signature with its writer, read once per session."""
    found = ((t.writer, parse_signature(t.text, t.html, SenderHint(t.writer, ""))) for t in texts)
    return [(w, s) for w, s in found if s is not None]


def _details(address: str, found: Mapping[str, Any], signature: Signature | None) -> PersonDetails:
    return PersonDetails(address, found.get("first_name"), found.get("last_name"), found.get("title"),
                         found.get("company") or company_from_domain(address), found.get("phone"),
                         signature.mobile if signature else None, signature.website if signature else None,
                         bool(signature and signature.company))


class AutoresolvingCrm:
    """A ``CrmPort`` that fills the ladder's gaps with new people; all else delegates."""

    def __init__(self, crm: CrmPort, rules: AutoresolveRules, ladder: LadderRules, journal: Journal) -> None:
        self._crm, self.rules, self.ladder, self._journal = crm, rules, ladder, journal

    def __getattr__(self, name: str) -> Any:
        return getattr(self._crm, name)

    def lookup_links(self, query: LinkQuery) -> LinkFacts:
        facts = self._crm.lookup_links(query)
        todo = unresolved(query, facts, self.ladder)
        if not todo:
            return facts
        signatures = read_signatures(query.texts)
        people = {a: person_details(a, signatures) for a in todo}
        found, how = self._create(people, facts)
        merged = {**facts.people, **{a: (m,) for a, m in found.items()}}
        return replace(facts, people=merged, created={**facts.created, **how})

    def _create(self, people: Mapping[str, PersonDetails],
                facts: LinkFacts) -> tuple[dict[str, PersonMatch], dict[str, str]]:
        if self.rules.mode == "leads":
            writes = {a: person_fields(p, "Lead") for a, p in people.items()}
            return self._people("Lead", writes, {})
        if self.rules.mode == "person_accounts":
            return self._people("Account", {a: person_account_fields(p) for a, p in people.items()}, {})
        accounts = self._accounts(people, facts)
        writes = {a: {**person_fields(p, "Contact"), **({"AccountId": accounts[a]} if accounts.get(a) else {})}
                  for a, p in people.items()}
        return self._people("Contact", writes, accounts)

    def _accounts(self, people: Mapping[str, PersonDetails], facts: LinkFacts) -> dict[str, str]:
        """Each address's Account: the fixed one, the one Account on its site, or a new one per site."""
        if self.rules.account_rule == "none":
            return {}
        if self.rules.account_rule == "fixed":
            return {a: str(self.rules.account_id) for a in people}
        sites = {a: s for a in people if (s := self.ladder.site(a))}
        out = {a: matches[0].record_id for a, s in sites.items() if len(matches := facts.accounts.get(s, ())) == 1}
        namers = account_namers(people, {a: s for a, s in sites.items() if not facts.accounts.get(s)})
        made, _ = self._write("Account", {s: account_fields(p, s) for s, p in namers.items()},
                              {s: p.email for s, p in namers.items()})
        out.update({a: made[s].record_id for a, s in sites.items() if s in made})
        return out

    def _people(self, sobject: str, writes: Mapping[str, dict],
                accounts: Mapping[str, str]) -> tuple[dict[str, PersonMatch], dict[str, str]]:
        made, how = self._write(sobject, writes, {a: a for a in writes})
        if sobject == "Account":
            return self._person_accounts(made), how
        return {a: replace(m, account_id=m.account_id or accounts.get(a)) if m.object_type == "Contact" else m
                for a, m in made.items()}, how

    def _person_accounts(self, made: Mapping[str, PersonMatch]) -> dict[str, PersonMatch]:
        """New (or duplicate-matched) Person Accounts, each named by its PersonContactId: the Who an
        activity takes (Salesforce links a person account's activities through that Contact)."""
        accounts = [m.record_id for m in made.values() if m.object_type == "Account"]
        read = {r.record_id: r for r in self._crm.get_records("Account", accounts)} if accounts else {}
        out = {}
        for address, match in made.items():
            if match.object_type != "Account":
                out[address] = match
                continue
            contact = read[match.record_id].fields.get("PersonContactId") if match.record_id in read else None
            out[address] = PersonMatch(str(contact or ""), PERSON_ACCOUNT, match.record_id)
        return out

    def _write(self, sobject: str, writes: Mapping[str, dict],
               email_of: Mapping[str, str]) -> tuple[dict[str, PersonMatch], dict[str, str]]:
        """Create in one batch; key → the new (or duplicate-matched) record, key → how it was found."""
        keys = list(writes)
        results = self._crm.create_records(sobject, [RecordWrite(writes[k]) for k in keys]) if keys else []
        made: dict[str, PersonMatch] = {}
        how: dict[str, str] = {}
        fresh: list[tuple[str, str]] = []
        for key, result in zip(keys, results):
            if result.ok and result.target_id:
                made[key], how[key] = PersonMatch(result.target_id, sobject), "created"
                fresh.append((key, result.target_id))
            elif result.duplicate_of:
                kind = OBJECT_OF_PREFIX.get(result.duplicate_of[:3], sobject)
                made[key], how[key] = PersonMatch(result.duplicate_of, kind), f"duplicate rule matched {kind}"
            else:      # left unresolved: the item saves unlinked, and the next new item tries again
                log.warning("autoresolve create refused", extra={"ctx": {
                    "sobject": sobject, "code": result.error_code, "reason": result.error}})
        self._remember(sobject, fresh, email_of)
        return made, how

    def _remember(self, sobject: str, fresh: Sequence[tuple[str, str]], email_of: Mapping[str, str]) -> None:
        """Journal the new records with their stamps as read right after the create."""
        if not fresh:
            return
        stamps = {r.record_id: r for r in self._crm.get_records(sobject, [i for _, i in fresh])}
        self._journal([Created(sobject, i, email_of[k], stamps[i].version if i in stamps else "",
                               str(stamps[i].fields.get("LastModifiedDate") or "") if i in stamps else "")
                       for k, i in fresh])


def autoresolving(crm: CrmPort, rules: AutoresolveRules, ladder: LadderRules, journal: Journal) -> CrmPort:
    """``crm`` with autoresolve when the org turned it on (unchanged when off, the default)."""
    return AutoresolvingCrm(crm, rules, ladder, journal) if rules.on else crm
