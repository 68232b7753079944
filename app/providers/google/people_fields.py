"""People API ``Person`` JSON ⇄ the core's ``ContactItem``
(https://developers.google.com/people/api/rest/v1/people#Person).

Reads follow the Graph and vCard readers: the first e-mail address is the person's, the work phone
falls back to the first phone that is not a mobile, the work address to the first address.
``categories`` are the names of the user's contact groups (labels) the person belongs to, so the
``category`` and ``salesforce`` scopes filter on a label as Outlook filters on a category. Writes
rebuild only the entries the core maps and keep the rest (other phones, other addresses, other
labels). The product's sync key is a ``clientData`` entry, which the API documents as "arbitrary
client data that is populated by clients".
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.sync.contacts import derived_last_name
from app.sync.items import ContactItem

SYNC_KEY = "synclineKey"
MY_CONTACTS = "contactGroups/myContacts"   # the system group a new contact joins, as in Google Contacts
PERSON_FIELDS = "names,emailAddresses,phoneNumbers,organizations,addresses,biographies,clientData,memberships,metadata"
_ADDRESS = (("street", "streetAddress"), ("city", "city"), ("state", "region"), ("postal_code", "postalCode"),
            ("country", "country"))
_ORGANIZATION = (("company", "name"), ("job_title", "title"), ("department", "department"))
# The Person fields (updatePersonFields / updateMask paths) behind each core field.
PERSON_FIELD_OF = {"given_name": "names", "surname": "names", "display_name": "names", "email": "emailAddresses",
                   "business_phone": "phoneNumbers", "mobile_phone": "phoneNumbers", "company": "organizations",
                   "job_title": "organizations", "department": "organizations", "notes": "biographies",
                   **{mine: "addresses" for mine, _ in _ADDRESS}, "categories": "memberships"}


def read_person(person: Mapping[str, Any], group_names: Mapping[str, str], scope_group: str | None) -> ContactItem:
    """One contact; ``group_names`` maps user contact groups' resource names to their names."""
    name = _first(person.get("names"))
    phones = [p for p in person.get("phoneNumbers") or () if isinstance(p, Mapping) and _text(p.get("value"))]
    work = next((p for p in phones if p.get("type") == "work"), None) or next(
        (p for p in phones if p.get("type") != "mobile"), {})
    mobile = next((p for p in phones if p.get("type") == "mobile"), {})
    organization = _first(person.get("organizations"))
    addresses = [a for a in person.get("addresses") or () if isinstance(a, Mapping)]
    address = next((a for a in addresses if a.get("type") == "work"), None) or (addresses[0] if addresses else {})
    groups = member_of(person)
    return ContactItem(
        item_id=str(person["resourceName"]), given_name=_text(name.get("givenName")),
        surname=_text(name.get("familyName")), display_name=_text(name.get("displayName")),
        email=next((_text(e.get("value")) for e in person.get("emailAddresses") or ()
                    if isinstance(e, Mapping) and _text(e.get("value"))), ""),
        business_phone=_text(work.get("value")), mobile_phone=_text(mobile.get("value")),
        **{mine: _text(organization.get(theirs)) for mine, theirs in _ORGANIZATION},
        **{mine: _text(address.get(theirs)) for mine, theirs in _ADDRESS},
        notes=_text(_first(person.get("biographies")).get("value")),
        categories=tuple(group_names[g] for g in groups if g in group_names),
        version=_text(person.get("etag")), modified_at=_updated(person), sync_key=sync_key_of(person),
        in_scope_book=scope_group is not None and scope_group in groups)


def write_person(item: ContactItem, current: Mapping[str, Any], changed: Iterable[str],
                 groups: Mapping[str, str], scope_group: str | None) -> dict[str, Any]:
    """The Person fields behind ``changed`` core fields, built on ``current`` (empty for a create).

    ``groups`` maps category names to group resource names; memberships of groups the core does not
    name (and the scope group) are kept."""
    changed = set(changed)
    body: dict[str, Any] = {}
    if changed & {"given_name", "surname", "display_name"}:
        family = item.surname or ("" if item.given_name else derived_last_name(item))
        body["names"] = [{k: v for k, v in (("givenName", item.given_name), ("familyName", family)) if v}]
    if "email" in changed:
        body["emailAddresses"] = _replace_first(current.get("emailAddresses"), item.email and {"value": item.email})
    if changed & {"business_phone", "mobile_phone"}:
        others = [p for p in current.get("phoneNumbers") or () if p.get("type") not in ("work", "mobile")]
        mine = [{"value": v, "type": t} for v, t in ((item.business_phone, "work"), (item.mobile_phone, "mobile")) if v]
        body["phoneNumbers"] = mine + others
    if changed & {m for m, _ in _ORGANIZATION}:
        values = {theirs: getattr(item, mine) for mine, theirs in _ORGANIZATION if getattr(item, mine)}
        body["organizations"] = _replace_first(current.get("organizations"), values)
    if changed & {m for m, _ in _ADDRESS}:
        others = [a for a in current.get("addresses") or () if a.get("type") != "work"]
        values = {theirs: getattr(item, mine) for mine, theirs in _ADDRESS if getattr(item, mine)}
        body["addresses"] = ([{**values, "type": "work"}] if values else []) + others
    if "notes" in changed:
        body["biographies"] = [{"value": item.notes, "contentType": "TEXT_PLAIN"}] if item.notes else []
    if "categories" in changed or not current:
        wanted = {groups[c] for c in item.categories if c in groups} | ({scope_group} if scope_group else set()) | (
            set() if current else {MY_CONTACTS})
        kept = [g for g in member_of(current) if g not in groups.values() and g != scope_group]
        body["memberships"] = [_membership(g) for g in dict.fromkeys([*kept, *sorted(wanted)])]
    return body


def with_sync_key(body: dict[str, Any], sync_key: str | None) -> dict[str, Any]:
    return {**body, "clientData": [{"key": SYNC_KEY, "value": sync_key}]} if sync_key else body


def sync_key_of(person: Mapping[str, Any]) -> str | None:
    for entry in person.get("clientData") or ():
        if isinstance(entry, Mapping) and entry.get("key") == SYNC_KEY and entry.get("value"):
            return str(entry["value"])
    return None


def member_of(person: Mapping[str, Any]) -> list[str]:
    """The contact group resource names the person belongs to."""
    return [str(m["contactGroupMembership"].get("contactGroupResourceName") or "")
            for m in person.get("memberships") or ()
            if isinstance(m, Mapping) and isinstance(m.get("contactGroupMembership"), Mapping)]


def _membership(group: str) -> dict[str, Any]:
    return {"contactGroupMembership": {"contactGroupResourceName": group}}


def _replace_first(entries: Any, first: Mapping[str, Any] | str | None) -> list[dict[str, Any]]:
    rest = [dict(e) for e in list(entries or ())[1:]]
    return ([dict(first)] if isinstance(first, Mapping) and first else []) + rest


def _first(entries: Any) -> Mapping[str, Any]:
    return next((e for e in entries or () if isinstance(e, Mapping)), {})


def _updated(person: Mapping[str, Any]) -> datetime | None:
    for source in (person.get("metadata") or {}).get("sources") or ():
        if source.get("updateTime"):
            try:
                return datetime.fromisoformat(str(source["updateTime"]).replace("Z", "+00:00"))
            except ValueError:
                return None
    return None


def _text(value: Any) -> str:
    return str(value or "").strip()
