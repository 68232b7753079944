"""Running autoresolve on the corpus as ONE session and scoring what it created in the org.

The session goes through the product's own wrappers (``blocklisted(autoresolving(port))``, as
``crm_side`` builds them) and the ladder's one batched look-up. A creation is right when its
sobject and every labelled field match (Lead: FirstName, LastName, Title, Company; Contact: the
same names and Title, and its Account's Name, none for free-mail); a creation nobody expected,
or a second one for the same address, is wrong.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.services.autoresolve import autoresolving, rules_of
from app.services.link_rules import site_domain
from app.sync.blocklist import blocklisted, parse_blocklist
from app.sync.link_facts import WriterText
from app.sync.link_ladder import LadderRules, LinkSubject, ladder_query
from app.sync.ports import CrmPort
from tests.autoresolve_corpus.item import FREE_MAIL, ORG_DOMAINS, OWNER, Item, Person
from tests.autoresolve_corpus.negatives import BLOCKLIST, KNOWN

LADDER = LadderRules(org_domains=frozenset(ORG_DOMAINS), site_of=site_domain)
PLACEHOLDER = "[not provided]"     # a Lead's Company when nobody says (Salesforce's own placeholder)


def seed_known(emu, sf_org: str) -> None:
    """The people already in Salesforce (and the Users on other domains)."""
    for sobject, fields in KNOWN:
        if sobject == "User":
            emu.create_user(sf_org, email=fields["email"], username=f"{fields['email']}.{sf_org}")   # unique across orgs
        else:
            emu.insert(sf_org, sobject, dict(fields))


def expected(items: Iterable[Item]) -> dict[str, Person | None]:
    """Every participant's label (one per address; the corpus keeps repeats consistent)."""
    out: dict[str, Person | None] = {}
    for item in items:
        for address, person in item.expect.items():
            if address in out and out[address] != person:
                raise ValueError(f"{item.id}: {address} labelled twice differently")
            out[address] = person
    return out


def run_session(crm: CrmPort, mode: str, items: Iterable[Item]) -> list:
    """Autoresolve every item as one session (one look-up); the journal of what was created."""
    journal: list = []
    port = blocklisted(autoresolving(crm, rules_of({"autoresolve": mode}), LADDER, journal.extend),
                       parse_blocklist(BLOCKLIST))
    subjects = [LinkSubject(tuple(a for a in item.addresses if a != OWNER), "",
                            WriterText(item.writer.lower(), item.text, item.html)) for item in items]
    port.lookup_links(ladder_query(subjects, LADDER))
    return journal


def site_accounts(items: Iterable[Item]) -> dict[str, str]:
    """The Account a Contact on each site should hang from: named by the site's first labelled company."""
    names: dict[str, str] = {}
    for address, person in expected(items).items():
        site = LADDER.site(address)
        if person is not None and person.company and site and address.rpartition("@")[2] not in FREE_MAIL:
            names.setdefault(site, person.company)
    return names


@dataclass
class AutoresolveScores:
    created: int = 0
    right: int = 0
    wanted: int = 0
    misses: list = field(default_factory=list)
    calls: int = 0

    @property
    def precision(self) -> float:
        return self.right / self.created if self.created else 1.0

    @property
    def recall(self) -> float:
        return self.right / self.wanted if self.wanted else 1.0

    def add(self, other: AutoresolveScores) -> None:
        self.created, self.right, self.wanted = (self.created + other.created, self.right + other.right,
                                                 self.wanted + other.wanted)
        self.misses.extend(other.misses)
        self.calls += other.calls


def _got(record: dict, sobject: str, accounts: dict[str, dict]) -> dict:
    got = {k: record.get(k) or None for k in ("FirstName", "LastName", "Title")}
    if sobject == "Lead":
        got["Company"] = record.get("Company") or None
    else:
        got["Account"] = accounts.get(record.get("AccountId") or "", {}).get("Name")
    return got


def _want(address: str, person: Person, sobject: str, sites: dict[str, str]) -> dict:
    want = {"FirstName": person.first, "LastName": person.last, "Title": person.title}
    if sobject == "Lead":
        want["Company"] = person.company or PLACEHOLDER
    else:
        want["Account"] = sites.get(LADDER.site(address)) if address.rpartition("@")[2] not in FREE_MAIL else None
    return want


def score_org(emu, sf_org: str, sobject: str, items: list[Item], seeded: set[str]) -> AutoresolveScores:
    """Compare the org's new ``sobject`` records (Lead or Contact) with the labels."""
    labels, sites = expected(items), site_accounts(items)
    accounts = {a["Id"]: a for a in emu.records(sf_org, "Account")}
    made: dict[str, list[dict]] = defaultdict(list)
    for record in emu.records(sf_org, sobject):
        if record["Id"] not in seeded:
            made[str(record.get("Email") or "").lower()].append(record)
    scores = AutoresolveScores(wanted=sum(p is not None for p in labels.values()))
    for address, records in made.items():
        person = labels.get(address)
        for index, record in enumerate(records):
            scores.created += 1
            got = _got(record, sobject, accounts)
            want = _want(address, person, sobject, sites) if person is not None and index == 0 else None
            if got == want:
                scores.right += 1
            else:
                scores.misses.append((address, sobject, want, got))
    return scores


SOBJECT_OF_MODE = {"leads": "Lead", "contacts": "Contact"}


def score_mode(emu, sf_org: str, crm: CrmPort, mode: str, items: list[Item]) -> AutoresolveScores:
    """Seed a fresh org, run the corpus as one session in ``mode`` and score it; ``calls`` counts
    the session's API calls (look-up, creates, stamps), as the emulator meters them."""
    seed_known(emu, sf_org)
    sobject = SOBJECT_OF_MODE[mode]
    seeded = {r["Id"] for r in emu.records(sf_org, sobject)}
    before = emu.api_calls(sf_org)
    run_session(crm, mode, items)
    scores = score_org(emu, sf_org, sobject, items, seeded)
    scores.calls = emu.api_calls(sf_org) - before
    return scores
