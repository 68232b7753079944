"""What the resolution ladder asks Salesforce for, and what the adapter found (one batch per session).

The core decides (``link_ladder``); the adapter only looks these up, so every session pays a
fixed handful of Composite calls whatever the number of items.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.sync.ports import PersonMatch

PERSON_ACCOUNT = "PersonAccount"   # PersonMatch.object_type of a Person Account (record_id: its PersonContactId)


@dataclass(frozen=True)
class AccountMatch:
    """An Account whose Website is on a looked-up domain."""

    record_id: str
    website: str = ""


@dataclass(frozen=True)
class OpportunityMatch:
    """One Opportunity of a found Account: what the admin's rule picks among."""

    record_id: str
    account_id: str
    stage: str = ""
    amount: float | None = None
    created: str = ""          # ISO timestamp (CreatedDate): sorts as text
    is_closed: bool = False

    @classmethod
    def from_row(cls, record_id: str, row: Mapping[str, Any]) -> OpportunityMatch:
        """From Opportunity fields as Salesforce returns them (Amount may be null)."""
        amount = row.get("Amount")
        return cls(record_id, str(row.get("AccountId") or ""), str(row.get("StageName") or ""),
                   float(amount) if amount is not None else None, str(row.get("CreatedDate") or ""),
                   bool(row.get("IsClosed")))


@dataclass(frozen=True)
class WriterText:
    """An item's body and who wrote it (sender or organizer): autoresolve reads the signature there."""

    writer: str = ""
    text: str = ""
    html: str = ""


@dataclass(frozen=True)
class LinkQuery:
    """Everything one session's items need looked up: addresses, site domains, case numbers and ids."""

    emails: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()
    case_numbers: tuple[str, ...] = ()
    case_ids: tuple[str, ...] = ()
    opportunities: bool = True   # False when the org's rule is "none": no Opportunity query at all
    texts: tuple[WriterText, ...] = ()   # bodies with their writers, for autoresolve's signature fill

    def __bool__(self) -> bool:
        return bool(self.emails or self.domains or self.case_numbers or self.case_ids)


@dataclass(frozen=True)
class LinkFacts:
    """The adapter's answer: people by address, Accounts by domain, Opportunities by Account,
    Case ids by case number and by (15-character) id; ``blocked`` as the blocklist filter left out."""

    people: Mapping[str, tuple[PersonMatch, ...]] = field(default_factory=dict)
    accounts: Mapping[str, tuple[AccountMatch, ...]] = field(default_factory=dict)
    opportunities: Mapping[str, tuple[OpportunityMatch, ...]] = field(default_factory=dict)
    cases: Mapping[str, str] = field(default_factory=dict)
    blocked: frozenset[str] = frozenset()   # blocklisted addresses: neither a Who nor a domain to link by
    created: Mapping[str, str] = field(default_factory=dict)   # address → how autoresolve found its person
