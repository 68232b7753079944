"""Contact rules Salesforce imposes that an address book does not: a LastName on every Contact,
one Contact per person (e-mail address) in the org, and the org's contact scope.

A vCard needs only FN (RFC 6350 §6.2.1); Salesforce refuses a Contact without LastName
(REQUIRED_FIELD_MISSING). So the LastName row reads the first non-empty of, in order:
the family name (N), what FN says beyond the given name, the organisation (ORG), FN itself,
the given name, the e-mail address, a phone number, the postal address. The first name is
left as it is. Only a card with none of these is refused before any write.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from app.sync.items import ContactItem, MailboxItem
from app.sync.transforms import FieldContext, TextCodec, truncate


def normalized_email(email: str) -> str:
    """How one person's address is compared everywhere: trimmed, case-insensitive."""
    return email.strip().casefold()


def derived_last_name(item: ContactItem) -> str:
    """The LastName Salesforce gets for this card (see the module docstring for the order)."""
    address = ", ".join(p for p in (item.street.replace("\n", ", "), item.city, item.state, item.postal_code,
                                    item.country) if p.strip())
    for candidate in (item.surname, _beyond_given(item.display_name, item.given_name), item.company,
                      item.display_name, item.given_name, item.email, item.business_phone, item.mobile_phone,
                      address):
        if candidate and candidate.strip():
            return " ".join(candidate.split())
    return ""


def _beyond_given(full_name: str, given: str) -> str:
    """``FN`` without the given name ("Jane Doe" with given "Jane" → "Doe"); FN when no given name."""
    if not given.strip():
        return full_name
    words, given_words = full_name.split(), given.split()
    for start in range(len(words) - len(given_words) + 1):
        if [w.casefold() for w in words[start:start + len(given_words)]] == [g.casefold() for g in given_words]:
            return " ".join(words[:start] + words[start + len(given_words):])
    return ""


class LastNameCodec(TextCodec):
    """The contact's family name, or a derived one when the card has none (never empty for a
    card with any content), so a Contact create or update never blanks Salesforce's LastName."""

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> str:
        value = derived_last_name(item) if isinstance(item, ContactItem) else str(getattr(item, row.mailbox_field))
        return truncate(value, ctx.lengths.get(row.salesforce_field))


def in_contact_scope(item: MailboxItem, category: str | None) -> bool:
    """Does this card sync? With a scope category, only cards carrying it (case-insensitively) or
    read from the scope's address book (the seeds' "Salesforce folder or Salesforce category")."""
    if not isinstance(item, ContactItem) or not category or item.in_scope_book:
        return True
    return category.casefold() in {c.casefold() for c in item.categories}


def out_of_scope_reason(category: str | None, book: str | None) -> str:
    """Why a card did not sync, as the dashboard shows it."""
    where = f"not in the '{book}' address book and " if book else ""
    return f"not in the contact scope ({where}no '{category}' category)"


def with_scope_category(item: MailboxItem, category: str | None) -> MailboxItem:
    """A card created from Salesforce carries the scope category, so it stays in scope."""
    if not isinstance(item, ContactItem) or not category or in_contact_scope(item, category):
        return item
    return replace(item, categories=item.categories + (category,))


def missing_required(required: frozenset[str], fields: Mapping[str, Any]) -> list[str]:
    """Salesforce fields required on create that ``fields`` leaves empty."""
    return sorted(name for name in required if fields.get(name) in (None, ""))
