"""Blocklisted addresses and @domains (the user's plus the org admin's), kept out of every
participant look-up the engine makes, so they are never resolved, linked or related."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.sync.ports import CrmPort, PersonMatch


@dataclass(frozen=True)
class AddressBlocklist:
    """Lower-cased addresses and domains (without "@"); a domain also blocks its subdomains."""

    addresses: frozenset[str] = frozenset()
    domains: frozenset[str] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.addresses or self.domains)

    def blocks(self, address: str) -> bool:
        """True for a listed address, or one on a listed domain or any of its subdomains."""
        address = (address or "").strip().lower()
        parts = address.rpartition("@")[2].split(".")
        return address in self.addresses or any(".".join(parts[i:]) in self.domains for i in range(len(parts)))

    def allowed(self, emails: Sequence[str]) -> list[str]:
        """``emails`` without the blocked ones, order kept."""
        return [e for e in emails if not self.blocks(e)]


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


def blocklisted(crm: CrmPort, blocked: AddressBlocklist | None) -> CrmPort:
    """``crm`` filtered by ``blocked`` (unchanged when nothing is blocked or already filtered so)."""
    if not blocked or (isinstance(crm, BlocklistedCrm) and crm.blocked == blocked):
        return crm
    return BlocklistedCrm(crm, blocked)
