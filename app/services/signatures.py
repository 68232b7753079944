"""Signatures for the sidebar: `suggested_new` pre-fills and Initial Search reasons.

Reading the signature itself is pure text work and lives in the sync core
(`app.sync.signature`, shared with the engine); this module re-exports it and adds the
sidebar's suggestions for unknown addresses.
"""
from __future__ import annotations

import re

from app.sync.signature import SenderHint, Signature, extract_signature, split_name
from app.sync.signature.fields import EMAIL
from app.sync.signature.hints import FREEMAIL
from app.sync.signature.model import domain_core

__all__ = ["EMAIL", "FREEMAIL", "Signature", "SenderHint", "company_from_domain", "parse_signature",
           "split_name", "suggest_person", "belongs_to"]


def parse_signature(body: str, html: str = "", hint: SenderHint | None = None) -> Signature | None:
    """The writer's details from the signature block of `body` (or of `html` when `body` is empty)."""
    return extract_signature(body, html, hint)


def belongs_to(address: str, signature: Signature, signer: str | None) -> bool:
    """Whether the signature is this address's: it names the address, or the local part spells its name."""
    if signature.email:
        return signature.email == address
    local = re.sub(r"[^a-z]", "", address.partition("@")[0].lower())
    first, last = (signature.first_name or "").lower(), (signature.last_name or "").lower()
    first, last = re.sub(r"[^a-z]", "", first), re.sub(r"[^a-z]", "", last)
    if last and local in {first + last, last + first, (first[:1] + last), first} - {""}:
        return True
    return address == signer


def suggest_person(address: str, display_name: str | None, signature: Signature | None,
                   signer: str | None = None) -> dict:
    """A pre-filled new Contact/Lead for an unknown address: from the signature when it is theirs,
    else from the display name or the address (first.last@company.com)."""
    if signature is not None and belongs_to(address, signature, signer):
        first, last = signature.first_name, signature.last_name
        if not last:
            first, last = _name_from(address, display_name)
        return {"email": address, "first_name": first, "last_name": last, "title": signature.title,
                "company": signature.company or company_from_domain(address), "phone": signature.phone}
    first, last = _name_from(address, display_name)
    return {"email": address, "first_name": first, "last_name": last, "title": None,
            "company": company_from_domain(address), "phone": None}


def _name_from(address: str, display_name: str | None) -> tuple[str | None, str | None]:
    if display_name and "@" not in display_name and display_name.strip():
        return split_name(display_name)
    local = address.partition("@")[0]
    # "tim.baker1990" → Tim Baker: digits and "+tags" say nothing of a name
    words = [w.capitalize() for w in re.split(r"[._-]+", re.sub(r"\+.*|\d+", "", local)) if w]
    return split_name(" ".join(words)) if words else (None, local)


def company_from_domain(address: str) -> str | None:
    """"globex.example" → "Globex"; None for freemail addresses (they say nothing about an employer)."""
    domain = address.rpartition("@")[2].lower()
    if not domain or domain in FREEMAIL:
        return None
    return domain_core(domain).replace("-", " ").title()
