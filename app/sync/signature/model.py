"""What a signature says about its writer. A field that was not found stays empty: nothing is guessed."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Phone:
    """One number as the signature types it; `number` is E.164-like (``+4989123456``) when the
    signature gives a country code, else the digits as written."""

    number: str
    kind: str = "work"          # work | mobile | fax


@dataclass(frozen=True)
class SenderHint:
    """What the envelope says about the writer: helps pick the name line and the company line."""

    email: str = ""
    display_name: str = ""

    @property
    def domain(self) -> str:
        return self.email.rpartition("@")[2].lower()

    @property
    def domain_core(self) -> str:
        return domain_core(self.domain)


def domain_core(domain: str) -> str:
    """The organisation's label of a domain: "mail.globex-industries.co.uk" → "globex-industries"
    (one rule for the company pre-fill and for recognising the company line)."""
    labels = domain.lower().split(".")
    if len(labels) >= 3 and labels[-2] in ("co", "com", "org", "ac"):
        return labels[-3]
    return labels[-2] if len(labels) >= 2 else labels[0]


@dataclass(frozen=True)
class Signature:
    """The writer's details; any part may be empty."""

    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    company: str | None = None
    phones: tuple[Phone, ...] = ()
    email: str | None = None
    address: tuple[str, ...] = ()
    website: str | None = None

    @property
    def full_name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or None

    @property
    def phone(self) -> str | None:
        """The number to call: the first work number, else the first mobile (never a fax)."""
        for kind in ("work", "mobile"):
            for phone in self.phones:
                if phone.kind == kind:
                    return phone.number
        return None

    @property
    def mobile(self) -> str | None:
        return next((p.number for p in self.phones if p.kind == "mobile"), None)

    @property
    def fax(self) -> str | None:
        return next((p.number for p in self.phones if p.kind == "fax"), None)
