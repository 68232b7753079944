"""vCard resources ⇄ the core's ContactItem. Updates edit the parsed card in place, so
properties we do not map (photos, other addresses, IMPP…) survive our writes.

Reads vCard 2.1/3.0/4.0 as Apple, Google and Outlook export them: TYPE lists (``TYPE=work,pref``,
repeated TYPE, 2.1's bare ``ADR;WORK;PREF``), ``PREF=1``, Apple's grouped ``item1.ADR`` with an
``item1.X-ABLabel``. Of several addresses the work one is mapped, a preferred one first (then a
preferred one of any type, then the first). ADR components are read by position (RFC 6350
§6.3.1: PO box; extended; street; locality; region; postal code; country): PO box, extended
address and street lines become the newline-separated street, region the state.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import vobject

from app.providers.imap_dav.encoding import clean_text, decode_body
from app.providers.imap_dav.vcard_revision import revision_time
from app.sync.contacts import derived_last_name
from app.sync.items import ContactItem

SYNC_KEY_PROP = "x-syncline-key"
_APPLE_LABEL = re.compile(r"_\$!<(.*)>!\$_")
_LABEL_TYPES = {"work": "WORK", "office": "WORK", "business": "WORK", "home": "HOME", "mobile": "CELL",
                "cell": "CELL", "iphone": "CELL"}


def read_contact(href: str, etag: str, data: str) -> ContactItem | None:
    """The card in this resource, or None when it is not a readable vCard."""
    card = _parse(data)
    if card is None:
        return None
    name = card.contents.get("n", [None])[0]
    org = _values(card, "org")
    org_units = org[0] if org and isinstance(org[0], list) else org
    adr = _address_line(card)
    street, city, state, code, country = _address_fields(adr)
    return ContactItem(
        item_id=href, given_name=_name_part(name, "given"), surname=_name_part(name, "family"),
        email=_value(_typed(card, "email", "PREF")).strip(), business_phone=_value(_typed(card, "tel", "WORK")),
        mobile_phone=_value(_typed(card, "tel", "CELL", fallback=False)),
        company=org_units[0] if org_units else "", department=org_units[1] if len(org_units) > 1 else "",
        job_title=_value(card.contents.get("title", [None])[0]),
        street=street, city=city, postal_code=code, country=country, state=state,
        notes=_value(card.contents.get("note", [None])[0]), categories=_categories(card),
        modified_at=revision_time(_value(card.contents.get("rev", [None])[0])),
        version=etag, sync_key=_value(card.contents.get(SYNC_KEY_PROP, [None])[0]) or None,
        display_name=_value(card.contents.get("fn", [None])[0]).strip())


def _parse(data: str) -> Any:
    try:
        return vobject.readOne(decode_body(data))
    except (vobject.base.ParseError, ValueError, StopIteration):
        return None


def _name_part(line: Any, part: str) -> str:
    value = getattr(line.value, part, "") if line is not None else ""
    return " ".join(value).strip() if isinstance(value, list) else str(value or "").strip()


def _values(card: Any, name: str) -> list:
    line = card.contents.get(name, [None])[0]
    return list(line.value) if line is not None and isinstance(line.value, list) else []


def _value(line: Any) -> str:
    if line is None:
        return ""
    value = line.value
    return ", ".join(value) if isinstance(value, list) else str(value)


def _types(card: Any, line: Any) -> set[str]:
    """Every type a line carries: TYPE lists, 2.1 bare parameters, PREF, an Apple group label."""
    types = {t.strip().upper() for p in line.params.get("TYPE", []) for t in p.split(",") if t.strip()}
    types |= {p.upper() for p in getattr(line, "singletonparams", [])}
    if "PREF" in line.params:
        types.add("PREF")
    if line.group:
        for label in card.contents.get("x-ablabel", []):
            if label.group and label.group.lower() == line.group.lower():
                text = _APPLE_LABEL.sub(r"\1", str(label.value)).strip().lower()
                types |= {t for word, t in _LABEL_TYPES.items() if word in text}
    return types


def _typed(card: Any, name: str, wanted: str, fallback: bool = True) -> Any:
    """The line whose types include ``wanted`` (else the first that is not a mobile, when ``fallback``)."""
    lines = card.contents.get(name, [])
    for line in lines:
        if wanted in _types(card, line):
            return line
    untyped = [ln for ln in lines if "CELL" not in _types(card, ln)]
    return (untyped or lines or [None])[0] if fallback else None


def _address_line(card: Any) -> Any:
    """The ADR to map: work and preferred, then work, then preferred, then the first."""
    lines = card.contents.get("adr", [])
    ranked = sorted(enumerate(lines), key=lambda pair: (
        "WORK" not in (t := _types(card, pair[1])), "PREF" not in t, pair[0]))
    return ranked[0][1] if ranked else None


def _address_fields(line: Any) -> tuple[str, str, str, str, str]:
    """(street lines, locality, region, postal code, country) of one ADR line."""
    if line is None:
        return "", "", "", "", ""
    value = line.value
    box = _joined(getattr(value, "box", ""), " ")
    if box and box[0].isdigit():
        box = f"PO Box {box}"
    lines = [box, _joined(getattr(value, "extended", ""), "\n"), _joined(getattr(value, "street", ""), "\n")]
    street = "\n".join(part for part in lines if part)
    return (street, _joined(getattr(value, "city", ""), ", "), _joined(getattr(value, "region", ""), ", "),
            _joined(getattr(value, "code", ""), ", "), _joined(getattr(value, "country", ""), ", "))


def _joined(component: Any, separator: str) -> str:
    """A component's values (a COMMA list in the card) as one text; lines trimmed, blanks dropped."""
    parts = component if isinstance(component, list) else [component or ""]
    lines = [ln.strip() for part in parts for ln in str(part).replace("\r\n", "\n").split("\n")]
    return separator.join(ln for ln in lines if ln)


def _categories(card: Any) -> tuple[str, ...]:
    values: list[str] = []
    for line in card.contents.get("categories", []):
        values += line.value if isinstance(line.value, list) else [line.value]
    return tuple(dict.fromkeys(v.strip() for v in values if v and v.strip()))


def write_contact(item: ContactItem, existing: str | None, uid: str) -> str:
    """vCard 3.0 text for ``item``, edited into the existing card when there is one.

    N and FN are always written (both are required by RFC 2426 and FN by RFC 6350); FN is kept
    while the names it was read with are unchanged, else rebuilt from the names (or the LastName
    Salesforce was given when the card has none).
    """
    card = _parse(existing) if existing else None
    if card is None:
        card = vobject.vCard()
        card.add("version").value = "3.0"
    old_name = card.contents.get("n", [None])[0]
    same_names = (_name_part(old_name, "given"), _name_part(old_name, "family")) == (item.given_name, item.surname)
    old_fn = _value(card.contents.get("fn", [None])[0]).strip()
    _set(card, "uid", uid)
    _set(card, "n", vobject.vcard.Name(family=clean_text(item.surname), given=clean_text(item.given_name)))
    full_name = " ".join(p for p in (item.given_name, item.surname) if p) or derived_last_name(item)
    _set(card, "fn", (old_fn if same_names and old_fn else clean_text(full_name)) or uid)
    _set_typed(card, "email", ["INTERNET", "PREF"], item.email, "PREF")
    _set_typed(card, "tel", ["WORK", "VOICE"], item.business_phone, "WORK")
    _set_typed(card, "tel", ["CELL"], item.mobile_phone, "CELL")
    _set(card, "org", [clean_text(item.company), clean_text(item.department)] if item.company or item.department else None)
    _set(card, "title", clean_text(item.job_title))
    _set(card, "note", clean_text(item.notes))
    _write_address(card, item)
    _set(card, "categories", [clean_text(c) for c in item.categories] or None)
    _set(card, SYNC_KEY_PROP, item.sync_key)
    _set(card, "rev", datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"))
    return card.serialize()


def _write_address(card: Any, item: ContactItem) -> None:
    """Edit the mapped ADR in place (its TYPE, group and label stay); components whose mapped value
    did not change keep their exact form (PO box and extended address stay apart)."""
    wanted = (item.street, item.city, item.state, item.postal_code, item.country)
    line = _address_line(card)
    if not any(wanted):
        if line is not None:
            card.remove(line)
        return
    if line is not None and _address_fields(line) == wanted:
        return
    old_street = _address_fields(line)[0] if line is not None else None
    value = line.value if line is not None else vobject.vcard.Address()
    if old_street != item.street:
        value.box, value.extended, value.street = "", "", clean_text(item.street)
    value.city, value.region = clean_text(item.city), clean_text(item.state)
    value.code, value.country = clean_text(item.postal_code), clean_text(item.country)
    if line is None:
        line = card.add("adr")
        line.type_param = "WORK"
    line.value = value


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
