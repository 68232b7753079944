"""The entry point: a mail body (plain text and/or HTML) → the writer's `Signature`, or None.

The block's lines are cut into parts (one-line layouts separate with |, •, ·, tabs between table
cells) and each part is put into one field; the first of each wins. The sender hint picks the
name line (the From display name) and a company line that names the sender's domain.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from app.sync.signature.block import signature_block
from app.sync.signature.fields import (
    EMAIL,
    TITLE_COMPANY,
    TITLE_WORDS,
    is_address_line,
    is_company,
    is_title,
    website_in,
    without_address_label,
)
from app.sync.signature.hints import names_sender_domain
from app.sync.signature.history import own_text
from app.sync.signature.html_text import html_to_text
from app.sync.signature.model import Phone, SenderHint, Signature
from app.sync.signature.names import clean_name, is_display_name, looks_like_name, split_name
from app.sync.signature.phones import has_label, is_bare_label, phones_in

MAX_TEXT_CHARS = 100_000     # the writer's signature sits in the first 100k characters of any real mail
MAX_HTML_CHARS = 1_000_000   # HTML carries ~10x markup; beyond this it is history or attachments inlined
_SEPARATORS = re.compile(r"\s+[|•·¦◦/]\s+|\s*\|\s*|\t+")
_DASH = re.compile(r"\s+[-–—]\s+(?=\S)")          # "Sam Lee - CFO", but not "Av. Paulista, 1000 - São Paulo"
_SENTENCE_END = re.compile(r"(?:[^\W\d_]{5,}\.|[!?])$")   # "…will confirm." but not "Inc." / "S.A."
_NAME_AND_REST = re.compile(r"^(?P<name>[^,]+?),\s+(?P<rest>.+)$")


@dataclass
class _Found:
    """What the parts said so far."""

    name: str = ""
    title: str = ""
    company: str = ""
    email: str = ""
    website: str = ""
    phones: list[Phone] = field(default_factory=list)
    address: list[str] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    last_leftover: str = ""         # the part just before, when it was a leftover


def extract_signature(text: str = "", html: str = "", hint: SenderHint | None = None) -> Signature | None:
    """The writer's details from the body's signature; `html` is used when `text` is empty."""
    hint = hint or SenderHint()
    body = text[:MAX_TEXT_CHARS] if (text or "").strip() else html_to_text((html or "")[:MAX_HTML_CHARS])
    parts = block_parts(signature_block(own_text(body), hint.display_name))
    found = _Found()
    if hint.display_name:
        found.name = next((clean_name(p) for p in parts if is_display_name(p, hint.display_name)), "")
    for part in parts:
        _classify(part, found, hint)
    _company_from_leftovers(found, hint)
    if not (found.name or found.title or found.company or found.phones or found.email):
        return None
    first, last = split_name(_tidy_case(found.name)) if found.name else (None, None)
    return Signature(first, last, found.title or None, found.company or None, tuple(dict.fromkeys(found.phones)),
                     found.email or None, tuple(found.address), found.website or None)


def block_parts(lines: list[str]) -> list[str]:
    """Lines cut at one-line separators, without plain-text *bold*/_italic_ marks; a bare label
    ("T:", a cell "Mobile") joins its value."""
    pieces = [p.strip(" *_") for line in lines for part in _SEPARATORS.split(line)
              for p in ([part] if is_address_line(part) else _DASH.split(part)) if p.strip(" *_")]
    parts: list[str] = []
    for piece in pieces:
        if parts and is_bare_label(parts[-1]):
            parts[-1] = f"{parts[-1]} {piece}"
        else:
            parts.append(piece)
    return parts


def _classify(part: str, found: _Found, hint: SenderHint) -> None:
    """Put one part into a field."""
    previous, found.last_leftover = found.last_leftover, ""
    email = EMAIL.search(part)
    if email:
        found.email = found.email or email.group(0).lower()
        return
    if has_label(part) or (not is_address_line(part) and phones_in(part)):
        found.phones.extend(phones_in(part))
        return
    website = website_in(part)
    if website:
        found.website = found.website or website
        return
    if is_address_line(part) and (found.address or not _is_country(part)):
        if previous and not found.address and not names_sender_domain(previous, hint):
            found.address.append(found.leftovers.pop())     # "Block B, Sandyford Business Park" above a post code
        found.address.append(without_address_label(part))
        return
    _classify_words(part, found, hint)


def _classify_words(part: str, found: _Found, hint: SenderHint) -> None:
    """Name, title, company or a leftover, for a part with no number, address or link."""
    part = part.strip(" ,;")
    if found.name and clean_name(part) == found.name:
        return
    if _is_prose(part):
        found.leftovers.append(part)
        return
    combined = TITLE_COMPANY.match(part)
    if combined and TITLE_WORDS.search(combined.group("title")) and not found.title:
        found.title, found.company = combined.group("title").strip(" ,"), found.company or _company(combined)
        return
    name_and_rest = _NAME_AND_REST.match(part)
    if not found.name and name_and_rest and looks_like_name(name_and_rest.group("name")):
        found.name = clean_name(name_and_rest.group("name"))
        _classify_words(name_and_rest.group("rest"), found, hint)
    elif not found.name and looks_like_name(part) and not names_sender_domain(part, hint):
        found.name = clean_name(part)
    elif not found.title and _title_then_company(part, found, hint):
        return
    elif not found.title and is_title(part):
        found.title = part
    elif not found.company and is_company(part):
        found.company = part
    elif not any(ch.isdigit() for ch in part):
        found.leftovers.append(part)
        found.last_leftover = part


def _title_then_company(part: str, found: _Found, hint: SenderHint) -> bool:
    """"Co-Founder & CEO, Tailwind Analytics Inc." or "Product Lead, Contoso" (from @contoso.example)."""
    title, _, company = part.rpartition(", ")
    if title and TITLE_WORDS.search(title) and not is_company(title) and (
            is_company(company) or names_sender_domain(company, hint)):
        found.title, found.company = title, found.company or company
        return True
    return False


def _company(match: re.Match[str]) -> str:
    return match.group("company").strip(" ,")


def _company_from_leftovers(found: _Found, hint: SenderHint) -> None:
    """A line naming the sender's domain is the company ("Globex" for globex.example)."""
    if found.company:
        return
    found.company = next((p for p in found.leftovers if names_sender_domain(p, hint)), "")


def _is_prose(part: str) -> bool:
    """A sentence, not a signature line: long, or several words ending in a full stop ("Inc." is no stop)."""
    words = part.split()
    return len(part) > 70 or len(words) > 9 or (len(words) >= 4 and _SENTENCE_END.search(part) is not None)


def _is_country(part: str) -> bool:
    return not any(ch.isdigit() for ch in part) and len(part.split()) <= 3


def _tidy_case(name: str) -> str:
    """"SAM LEE" → "Sam Lee" (a shouted name is still that name); mixed case is kept as written."""
    return name.title() if name.isupper() else name
