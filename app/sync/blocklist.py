"""Blocklisted addresses, @domains and /regular expressions/ (the user's plus the org admin's), kept
out of every participant look-up the engine makes, so they are never resolved, linked or related.

Entry syntax (validated by ``entry_problem`` before anything is stored):
- ``jane@example.com``: that address;
- ``@example.com``: every address at example.com or any of its subdomains (``eu.example.com``);
- ``/pattern/`` (a trailing ``i`` is accepted): a Python ``re`` pattern searched in the address.
All matching is case-insensitive on the trimmed address. Patterns are held to a safe subset so a
look-up can never hang: no back-references or conditionals, no repetition nested in a repetition or
over alternatives (``(a+)+``, ``(a|ab)*``), and at most two unbounded repetitions, each bounding the
backtracking on an address (at most ``MAX_ADDRESS`` characters) to a polynomial of degree three.
"""
from __future__ import annotations

import re
import re._parser as sre_parse  # the stdlib's own parser: judging a pattern's shape before it is ever run
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from app.sync.link_facts import LinkFacts, LinkQuery
from app.sync.ports import CrmPort, PersonMatch

MAX_ENTRY = 320          # an address's longest legal form; also an entry's
MAX_PATTERN = 200        # characters between the slashes
MAX_PATTERNS = 50        # regular expressions per list (each is searched in every participant)
MAX_ADDRESS = 254        # RFC 5321's longest forward-path; a longer "address" is matched on its first 254
MAX_REPEAT_COST = 4 * (MAX_ADDRESS + 1) ** 2   # the product of the repetitions' spans: two like .* and a few ?
ADDRESS_OR_DOMAIN = re.compile(r"^(?:[^@\s/]+@|@)[^@\s/]+\.[^@\s/]+$")
REGEX_ENTRY = re.compile(r"^/(?P<source>.*)/(?P<flags>i?)$", re.DOTALL)
REPEATS = (sre_parse.MAX_REPEAT, sre_parse.MIN_REPEAT, sre_parse.POSSESSIVE_REPEAT)
UNSAFE = {sre_parse.GROUPREF: "back-references are not supported",
          sre_parse.GROUPREF_EXISTS: "conditional groups are not supported"}


def is_pattern(entry: str) -> bool:
    """A ``/regular expression/`` entry (as opposed to an address or a @domain)."""
    return REGEX_ENTRY.match(entry.strip()) is not None


def normalise_entry(entry: str) -> str:
    """Trimmed; addresses and domains lower-cased (a pattern keeps its case: ``\\S`` is not ``\\s``)."""
    entry = entry.strip()
    return entry if is_pattern(entry) else entry.lower()


def entry_problem(entry: str) -> str | None:
    """What is wrong with one entry (None when it is fine), in words a user can act on."""
    entry = entry.strip()
    if not entry:
        return "an entry is empty"
    if len(entry) > MAX_ENTRY:
        return f"longer than {MAX_ENTRY} characters"
    found = REGEX_ENTRY.match(entry)
    if found is None:
        if ADDRESS_OR_DOMAIN.match(entry):
            return None
        return "not an address (x@y.com), a @domain or a /regular expression/"
    return pattern_problem(found.group("source"))


def pattern_problem(source: str) -> str | None:
    """Why ``source`` is not an acceptable pattern: empty, too long, invalid, or possibly slow."""
    if not source:
        return "the regular expression is empty"
    if len(source) > MAX_PATTERN:
        return f"the regular expression is longer than {MAX_PATTERN} characters"
    try:
        parsed = sre_parse.parse(source, re.IGNORECASE)
        re.compile(source, re.IGNORECASE)
    except (re.error, RecursionError, OverflowError) as exc:
        return f"not a valid regular expression: {exc}"
    problem, cost = _shape_problem(list(parsed), inside_repeat=False)
    if problem is None and cost > MAX_REPEAT_COST:
        problem = "too many repetitions (at most two like .* or +) could take too long to match"
    return problem


def _shape_problem(items: list[Any], inside_repeat: bool) -> tuple[str | None, int]:
    """(why the parsed pattern could backtrack catastrophically, the product of its repetition spans)."""
    cost = 1
    for op, arg in items:
        if op in UNSAFE:
            return UNSAFE[op], cost
        if op in REPEATS:
            low, high, body = arg
            if inside_repeat and high > 1:
                return "a repetition inside a repetition (like (a+)+) could take exponential time", cost
            problem, inner = _shape_problem(list(body), inside_repeat=inside_repeat or high > 1)
            cost *= inner * (min(high, MAX_ADDRESS) - min(low, MAX_ADDRESS) + 1)
        elif op is sre_parse.BRANCH:
            if inside_repeat:
                return "alternatives inside a repetition (like (a|ab)*) could take exponential time", cost
            problem, inner = None, 1
            for branch in arg[1]:
                problem, branch_cost = _shape_problem(list(branch), inside_repeat)
                inner = max(inner, branch_cost)
                if problem:
                    break
            cost *= inner
        elif op in (sre_parse.SUBPATTERN, sre_parse.ASSERT, sre_parse.ASSERT_NOT, sre_parse.ATOMIC_GROUP):
            body = arg[-1]
            problem, inner = _shape_problem(list(body), inside_repeat)
            cost *= inner
        else:
            continue
        if problem:
            return problem, cost
    return None, cost


@dataclass(frozen=True)
class AddressBlocklist:
    """Lower-cased addresses, domains (without "@"; a domain also blocks its subdomains) and
    pattern sources (checked by ``pattern_problem``); see the module text for the syntax."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()
    patterns: tuple[str, ...] = ()
    _compiled: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_compiled", tuple(re.compile(p, re.IGNORECASE) for p in self.patterns))

    def __bool__(self) -> bool:
        return bool(self.addresses or self.domains or self.patterns)

    def blocks(self, address: str) -> bool:
        """True for a listed address, one on a listed domain or its subdomains, or one a pattern finds."""
        address = (address or "").strip().lower()
        if not address:
            return False
        parts = address.rpartition("@")[2].split(".")
        if address in self.addresses or any(".".join(parts[i:]) in self.domains for i in range(len(parts))):
            return True
        return any(p.search(address[:MAX_ADDRESS]) for p in self._compiled)

    def allowed(self, emails: Sequence[str]) -> list[str]:
        """``emails`` without the blocked ones, order kept."""
        return [e for e in emails if not self.blocks(e)]


def parse_blocklist(entries: Iterable[str]) -> AddressBlocklist:
    """The stored entries as a blocklist; an entry that is no longer acceptable is left out (stored
    before validation was this strict), so a look-up never runs a pattern that could hang."""
    addresses, domains, patterns = set(), set(), []
    for raw in entries:
        entry = raw.strip()
        if entry_problem(entry) is not None:
            continue
        found = REGEX_ENTRY.match(entry)
        if found is not None:
            patterns.append(found.group("source"))
        elif entry.startswith("@"):
            domains.add(entry[1:].lower())
        else:
            addresses.add(entry.lower())
    return AddressBlocklist(frozenset(addresses), frozenset(domains), tuple(dict.fromkeys(patterns)))


class BlocklistedCrm:
    """A ``CrmPort`` whose participant look-ups never see a blocked address; all else delegates."""

    def __init__(self, crm: CrmPort, blocked: AddressBlocklist) -> None:
        self._crm, self.blocked = crm, blocked

    def __getattr__(self, name: str) -> Any:
        return getattr(self._crm, name)

    def resolve_people(self, emails: Sequence[str]) -> dict[str, str]:
        allowed = self.blocked.allowed(emails)
        return self._crm.resolve_people(allowed) if allowed else {}

    def resolve_users(self, emails: Sequence[str]) -> dict[str, str]:
        allowed = self.blocked.allowed(emails)
        return self._crm.resolve_users(allowed) if allowed else {}

    def lookup_participants(self, emails: Sequence[str]) -> dict[str, tuple[PersonMatch, ...]]:
        allowed = self.blocked.allowed(emails)
        return self._crm.lookup_participants(allowed) if allowed else {}

    def lookup_links(self, query: LinkQuery) -> LinkFacts:
        """Blocked addresses are never looked up, blocked domains never matched to an Account."""
        allowed = tuple(self.blocked.allowed(query.emails))
        domains = tuple(d for d in query.domains if self.blocked.allowed([f"postmaster@{d}"]))
        facts = self._crm.lookup_links(replace(query, emails=allowed, domains=domains))
        return replace(facts, blocked=facts.blocked | (frozenset(query.emails) - frozenset(allowed)))


def blocklisted(crm: CrmPort, blocked: AddressBlocklist | None) -> CrmPort:
    """``crm`` filtered by ``blocked`` (unchanged when nothing is blocked or already filtered so)."""
    if not blocked or (isinstance(crm, BlocklistedCrm) and crm.blocked == blocked):
        return crm
    return BlocklistedCrm(crm, blocked)
