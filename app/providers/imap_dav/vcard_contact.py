"""vCard resources ⇄ the core's ContactItem. Updates edit the parsed card in place, so
properties we do not map (photos, other addresses, IMPP…) survive our writes.
"""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import vobject

from app.providers.imap_dav.encoding import clean_text, decode_body
from app.providers.imap_dav.vcard_revision import revision_time
from app.sync.items import ContactItem

SYNC_KEY_PROP = "x-syncline-key"


def read_contact(href: str, etag: str, data: str) -> ContactItem | None:
    """The card in this resource, or None when it is not a readable vCard."""
    card = _parse(data)
    if card is None:
        return None
    name = card.contents.get("n", [None])[0]
    org = _values(card, "org")
    org_units = org[0] if org and isinstance(org[0], list) else org
    adr = _typed(card, "adr", "WORK")
    return ContactItem(
        item_id=href, given_name=getattr(name.value, "given", "") if name else "",
        surname=getattr(name.value, "family", "") if name else "",
        email=_value(_typed(card, "email", "PREF")), business_phone=_value(_typed(card, "tel", "WORK")),
        mobile_phone=_value(_typed(card, "tel", "CELL", fallback=False)),
        company=org_units[0] if org_units else "", department=org_units[1] if len(org_units) > 1 else "",
        job_title=_value(card.contents.get("title", [None])[0]),
        street=getattr(adr.value, "street", "") if adr else "", city=getattr(adr.value, "city", "") if adr else "",
        postal_code=getattr(adr.value, "code", "") if adr else "",
        country=getattr(adr.value, "country", "") if adr else "",
        notes=_value(card.contents.get("note", [None])[0]), categories=_categories(card),
        modified_at=revision_time(_value(card.contents.get("rev", [None])[0])),
        version=etag, sync_key=_value(card.contents.get(SYNC_KEY_PROP, [None])[0]) or None)


def _parse(data: str) -> Any:
    try:
        return vobject.readOne(decode_body(data))
    except (vobject.base.ParseError, ValueError, StopIteration):
        return None


def _values(card: Any, name: str) -> list:
    line = card.contents.get(name, [None])[0]
    return list(line.value) if line is not None and isinstance(line.value, list) else []


def _value(line: Any) -> str:
    if line is None:
        return ""
    value = line.value
    return ", ".join(value) if isinstance(value, list) else str(value)


def _typed(card: Any, name: str, wanted: str, fallback: bool = True) -> Any:
    """The line whose TYPE includes ``wanted`` (else the first, when ``fallback``)."""
    lines = card.contents.get(name, [])
    for line in lines:
        types = {t.upper() for p in line.params.get("TYPE", []) for t in p.split(",")}
        if wanted in types or (wanted == "PREF" and "PREF" in line.params):
            return line
    untyped = [ln for ln in lines if not ({"CELL"} & {t.upper() for t in ln.params.get("TYPE", [])})]
    return (untyped or lines or [None])[0] if fallback else None


def _categories(card: Any) -> tuple[str, ...]:
    values: list[str] = []
    for line in card.contents.get("categories", []):
        values += line.value if isinstance(line.value, list) else [line.value]
    return tuple(dict.fromkeys(v for v in values if v))


def write_contact(item: ContactItem, existing: str | None, uid: str) -> str:
    """vCard 3.0 text for ``item``, edited into the existing card when there is one."""
    card = _parse(existing) if existing else None
    if card is None:
        card = vobject.vCard()
        card.add("version").value = "3.0"
    _set(card, "uid", uid)
    _set(card, "n", vobject.vcard.Name(family=clean_text(item.surname), given=clean_text(item.given_name)))
    full_name = " ".join(p for p in (item.given_name, item.surname) if p) or item.company or item.email
    _set(card, "fn", clean_text(full_name) or uid)
    _set_typed(card, "email", ["INTERNET", "PREF"], item.email, "PREF")
    _set_typed(card, "tel", ["WORK", "VOICE"], item.business_phone, "WORK")
    _set_typed(card, "tel", ["CELL"], item.mobile_phone, "CELL")
    _set(card, "org", [clean_text(item.company), clean_text(item.department)] if item.company or item.department else None)
    _set(card, "title", clean_text(item.job_title))
    _set(card, "note", clean_text(item.notes))
    address = vobject.vcard.Address(street=clean_text(item.street), city=clean_text(item.city),
                                     code=clean_text(item.postal_code), country=clean_text(item.country))
    _set_typed(card, "adr", ["WORK"], address if any((item.street, item.city, item.postal_code, item.country)) else None, "WORK")
    _set(card, "categories", [clean_text(c) for c in item.categories] or None)
    _set(card, SYNC_KEY_PROP, item.sync_key)
    _set(card, "rev", datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return card.serialize()


def _set(card: Any, name: str, value: Any) -> None:
    """Exactly one ``name`` line with ``value``; empty values remove every such line."""
    for line in list(card.contents.get(name, [])):
        card.remove(line)
    if value not in (None, "", []):
        card.add(name).value = value


def _set_typed(card: Any, name: str, types: list[str], value: Any, marker: str) -> None:
    """Replace the line carrying ``marker`` in its TYPE, keeping the other lines of that name."""
    existing = _typed(card, name, marker, fallback=marker == "PREF")
    if existing is not None:
        card.remove(existing)
    if value not in (None, ""):
        line = card.add(name)
        line.value = value
        line.type_param = types if len(types) > 1 else types[0]
