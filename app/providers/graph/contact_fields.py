"""Graph ``contact`` JSON ⇄ the core's ``ContactItem`` (https://learn.microsoft.com/en-us/graph/api/resources/contact).

Reads follow the vCard reader's semantics: the first e-mail address is the person's; the business
phone falls back to a home phone (as a card's first non-mobile TEL does); the business address
falls back to the home, then the other address. Writes touch only what the core maps, so a PATCH
leaves a contact's other addresses, phones, birthday and photo as the user made them. The sync key
lives in the same named extended property events use, so ``find_by_sync_keys`` can ``$filter`` on it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.providers.graph.events import SYNC_KEY_PROPERTY, _stamp, sync_key_of
from app.sync.contacts import derived_last_name
from app.sync.items import ContactItem

SELECT = ",".join(("id", "changeKey", "lastModifiedDateTime", "parentFolderId", "displayName", "givenName",
                   "surname", "emailAddresses", "businessPhones", "homePhones", "mobilePhone", "companyName",
                   "jobTitle", "department", "businessAddress", "homeAddress", "otherAddress", "categories",
                   "personalNotes"))
_ADDRESS = (("street", "street"), ("city", "city"), ("state", "state"), ("postal_code", "postalCode"),
            ("country", "countryOrRegion"))
_NAMES = frozenset({"given_name", "surname", "display_name"})
_SIMPLE = {"mobile_phone": "mobilePhone", "company": "companyName", "job_title": "jobTitle",
           "department": "department", "notes": "personalNotes"}


def read_contact(contact: Mapping[str, Any], scope_folder: str | None = None) -> ContactItem:
    """One contact; ``in_scope_book`` when it lies in the scope's folder (every contact there syncs)."""
    address = next((a for a in (contact.get(k) for k in ("businessAddress", "homeAddress", "otherAddress"))
                    if isinstance(a, Mapping) and any(a.get(g) for _, g in _ADDRESS)), {})
    phones = [*(contact.get("businessPhones") or ()), *(contact.get("homePhones") or ())]
    return ContactItem(
        item_id=str(contact["id"]), given_name=_text(contact.get("givenName")), surname=_text(contact.get("surname")),
        display_name=_text(contact.get("displayName")), email=primary_email(contact),
        business_phone=_text(phones[0] if phones else ""), mobile_phone=_text(contact.get("mobilePhone")),
        company=_text(contact.get("companyName")), job_title=_text(contact.get("jobTitle")),
        department=_text(contact.get("department")),
        **{mine: _text(address.get(theirs)) for mine, theirs in _ADDRESS},
        notes=_text(contact.get("personalNotes")), categories=tuple(contact.get("categories") or ()),
        version=_text(contact.get("changeKey")), modified_at=_stamp(contact.get("lastModifiedDateTime")),
        sync_key=sync_key_of(contact),
        in_scope_book=scope_folder is not None and contact.get("parentFolderId") == scope_folder)


def write_contact(item: ContactItem, sync_key: str | None) -> dict[str, Any]:
    """The create body: every mapped field, a display name (the names, else Salesforce's LastName) and the key."""
    body = contact_changes(item, {}, set(_SIMPLE) | _NAMES | {"email", "business_phone", "street", "categories"})
    if sync_key:
        body["singleValueExtendedProperties"] = [{"id": SYNC_KEY_PROPERTY, "value": sync_key}]
    return body


def contact_changes(after: ContactItem, current: Mapping[str, Any], changed: set[str]) -> dict[str, Any]:
    """A PATCH of the Graph properties behind ``changed`` core fields; lists keep the entries we do not map.

    The display name is sent whenever a name changes: Graph otherwise regenerates it from the names."""
    body: dict[str, Any] = {graph: getattr(after, mine) or None for mine, graph in _SIMPLE.items() if mine in changed}
    if changed & _NAMES:
        body["givenName"], body["surname"] = after.given_name or None, after.surname or None
        names = " ".join(p for p in (after.given_name, after.surname) if p)
        kept = after.display_name if "display_name" in changed else ""
        body["displayName"] = kept or names or derived_last_name(after)
    if "email" in changed:
        others = list(current.get("emailAddresses") or ())[1:]
        name = body.get("displayName") or after.display_name or after.email
        mine = [{"address": after.email, "name": name}] if after.email else []
        body["emailAddresses"] = mine + others
    if "business_phone" in changed:
        body["businessPhones"] = [p for p in [after.business_phone, *list(current.get("businessPhones") or ())[1:]] if p]
    if changed & {m for m, _ in _ADDRESS}:
        body["businessAddress"] = {theirs: getattr(after, mine) for mine, theirs in _ADDRESS}
    if "categories" in changed:
        body["categories"] = list(after.categories)
    return body


def primary_email(contact: Mapping[str, Any]) -> str:
    for entry in contact.get("emailAddresses") or ():
        if isinstance(entry, Mapping) and str(entry.get("address") or "").strip():
            return str(entry["address"]).strip()
    return ""


def _text(value: Any) -> str:
    return str(value or "").strip()
