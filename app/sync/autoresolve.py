"""Autoresolve's rules (pure): who gets a new Lead/Contact/Person Account, and with what fields.

Only unresolved external participants: an address the ladder found nothing for (no Contact,
Lead, Person Account or User), not blocklisted, not on one of the org's own domains, not a
machine's (no-reply, bounces, notifications). Free-mail addresses get a person but never an
Account by domain (gmail.com is nobody's company).
Salesforce requires LastName on both, and Company on a Lead: each has a fallback, never empty.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from app.sync.link_facts import LinkFacts, LinkQuery
from app.sync.link_ladder import LadderRules

MODES = ("off", "leads", "contacts", "person_accounts")
ACCOUNT_RULES = ("by_domain", "fixed", "none")
ACCOUNT_ID = re.compile(r"^001[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$")
# Lead/Contact field lengths in every org (describe may say more for a custom length; never less)
LENGTHS = {"FirstName": 40, "LastName": 80, "Title": 128, "Company": 255, "Phone": 40, "MobilePhone": 40,
           "Website": 255, "Email": 80, "Name": 255}
UNKNOWN_COMPANY = "[not provided]"   # Salesforce's own placeholder when a Lead is converted without one
# machine senders (RFC 3834 auto-replies, bounces, notifications, newsletters): nobody to sell to
AUTOMATED = re.compile(r"^(?:no-?reply|do-?not-?reply|mailer-daemon|postmaster|bounces?|notifications?|notify"
                       r"|newsletters?|news|alerts?|auto-?reply|automated|system)(?:[+._-].*)?$")


@dataclass(frozen=True)
class AutoresolveRules:
    """The org's autoresolve settings (``account_id`` only with the ``fixed`` account rule)."""

    mode: str = "off"
    account_rule: str = "by_domain"
    account_id: str | None = None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"autoresolve must be one of {MODES}, not {self.mode!r}")
        if self.account_rule not in ACCOUNT_RULES:
            raise ValueError(f"autoresolve_account_rule must be one of {ACCOUNT_RULES}")

    @property
    def on(self) -> bool:
        return self.mode != "off"


@dataclass(frozen=True)
class PersonDetails:
    """What is known of one address: from its signature when it is theirs, else its name or address."""

    email: str
    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    company: str | None = None
    phone: str | None = None
    mobile: str | None = None
    website: str | None = None
    company_signed: bool = False     # the company is written in their signature (not guessed from the domain)


def is_internal(address: str, ladder: LadderRules) -> bool:
    """On one of the org's own domains (its users' or those the admin listed), subdomains included."""
    host = address.rpartition("@")[2].strip().lower()
    own = {ladder.site_of(d) or d for d in ladder.org_domains} | set(ladder.org_domains)
    return host in own or (ladder.site_of(host) or host) in own


def is_automated(address: str) -> bool:
    """A machine's mailbox by its local part ("no-reply@", "mailer-daemon@", "bounces+123@")."""
    return AUTOMATED.match(address.partition("@")[0].strip().lower()) is not None


def unresolved(query: LinkQuery, facts: LinkFacts, ladder: LadderRules) -> list[str]:
    """The addresses to create a person for, in query order."""
    return [a for a in query.emails if "@" in a and a not in facts.people and a not in facts.blocked
            and not is_internal(a, ladder) and not is_automated(a)]


def _cut(fields: Mapping[str, str | None]) -> dict[str, str]:
    return {k: v.strip()[:LENGTHS.get(k, 255)] for k, v in fields.items() if v and v.strip()}


def person_fields(person: PersonDetails, object_type: str) -> dict[str, str]:
    """A Lead's or Contact's create fields; LastName falls back to the address's local part and a
    Lead's Company to the signature's, the domain's name, else Salesforce's placeholder."""
    last = person.last_name or person.email.partition("@")[0] or "Unknown"
    fields = {"FirstName": person.first_name, "LastName": last, "Email": person.email, "Title": person.title,
              "Phone": person.phone, "MobilePhone": person.mobile}
    if object_type == "Lead":
        fields.update(Company=person.company or UNKNOWN_COMPANY, Website=person.website)
    return _cut(fields)


def person_account_fields(person: PersonDetails) -> dict[str, str]:
    """A Person Account's create fields (the contact fields are Person-prefixed on Account)."""
    fields = _cut({"FirstName": person.first_name, "LastName": person.last_name or person.email.partition("@")[0],
                   "Phone": person.phone, "Website": person.website})
    return {**fields, **_cut({"PersonEmail": person.email, "PersonTitle": person.title,
                              "PersonMobilePhone": person.mobile})}


def account_namers(people: Mapping[str, PersonDetails], sites: Mapping[str, str]) -> dict[str, PersonDetails]:
    """Per site, whose details name its new Account: the first whose signature says the company
    ("Globex Corporation" beats the domain's "Globex"), else the first on that site."""
    namers: dict[str, PersonDetails] = {}
    for address, site in sites.items():
        person = people[address]
        if site not in namers or (person.company_signed and not namers[site].company_signed):
            namers[site] = person
    return namers


def account_fields(person: PersonDetails, site: str) -> dict[str, str]:
    """A company Account for a participant's site domain: named from the signature, else the domain."""
    return _cut({"Name": person.company or site, "Website": site})
