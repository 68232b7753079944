"""Phone numbers in a signature line: typed by their label (work, mobile, fax) and normalised.

A number written with its country code (``+44 (0)20 7946 0958``, ``0049 89 …``) becomes
E.164-like (``+442079460958``); one without is kept as written (spaces tidied): the country is
not guessed. An extension is kept as ``;ext=12`` (RFC 3966 style).
"""
from __future__ import annotations

import re

from app.sync.signature.model import Phone

_KINDS = {
    "mobile": r"mobile\s*phone|mobile|mobil|mobiel|mobilusis|mob|cellphone|cell|cel|celular|cellulare|móvil|movil"
              r"|handy|portable|port|gsm|kom|komórka|matkapuhelin|моб|мобильный|m|c",
    "fax": r"telefax|fax|fx|télécopie|f",
    "work": r"telephone|telefon|telefono|teléfono|telefone|téléphone|phone|tel|tél|tlf|tfn|puh|ph|office|direct"
            r"|dir|ddi|dd|work|switchboard|main|hotline|standard|centralita|телефон|тел|t|p|o|d|w",
}
_LABEL = "|".join(f"(?P<{kind}>{words})" for kind, words in _KINDS.items())
_LABELLED = re.compile(
    rf"(?:(?<![^\W\d_])(?:{_LABEL})\.?(?:\s*\((?:mobile|office|work)\))?\s*[:.]?\s*)?"
    r"(?P<number>(?:\+|00)?\s?\(?\d[\d\s().\-/]{5,}\d)"
    r"(?:\s*(?:x|ext\.?|extension|durchwahl|dw\.?)\s*(?P<ext>\d{1,6}))?"
    r"(?:\s*\(?(?P<after>mobile|cell|mobil|fax|office|work|direct|m|f|o|w)\)?(?!\w))?", re.I)
_ONLY_LABEL = re.compile(rf"^\s*(?:{_LABEL}|e-?mail|email|e|web|w|mail|adresse?|address)\.?\s*:?\s*$", re.I)
_SPLIT_RUN = re.compile(r"\s+/\s+|\s{3,}")
_AFTER_KIND = {"mobile": "mobile", "cell": "mobile", "mobil": "mobile", "m": "mobile", "fax": "fax", "f": "fax"}


def is_bare_label(part: str) -> bool:
    """"T:", "Mobile", "E-Mail:": a label whose value is in the next cell or part."""
    return bool(_ONLY_LABEL.match(part))


def phones_in(line: str) -> list[Phone]:
    """Every number on the line with ≥ 7 digits, typed by the label before (or after) it."""
    found: list[Phone] = []
    for match in _LABELLED.finditer(line):
        kind = next((k for k in _KINDS if match.group(k)), None)
        if kind is None and match.group("after"):
            kind = _AFTER_KIND.get(match.group("after").lower(), "work")
        for chunk in _SPLIT_RUN.split(match.group("number")):
            digits = re.sub(r"\D", "", chunk)
            if 7 <= len(digits) <= 16:
                found.append(Phone(normalise(chunk, match.group("ext")), kind or "work"))
    return found


def has_label(line: str) -> bool:
    match = _LABELLED.search(line)
    return match is not None and any(match.group(k) for k in _KINDS)


def normalise(raw: str, extension: str | None = None) -> str:
    """``+49 (0)89 1234-5678`` → ``+498912345678``; ``(415) 555-0142`` stays as written."""
    text = re.sub(r"\s+", " ", raw).strip(" -/.")
    international = re.match(r"^(?:\+|00)\s?(\d{1,3})", text)
    if international:
        rest = text[international.end():]
        rest = re.sub(r"^\s*\(\s*0\s*\)", "", rest)          # the "(0)" trunk prefix some countries print
        text = "+" + international.group(1) + re.sub(r"\D", "", rest)
    return f"{text};ext={extension}" if extension else text
