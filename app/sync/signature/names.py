"""People's names in signatures: whether a line is one, how it splits, whether it is the sender's."""
from __future__ import annotations

import re
import unicodedata

from app.sync.signature.fields import COMPANY_SUFFIX, TITLE_WORDS

HONORIFIC = re.compile(r"^(?:(?:dr|prof|mr|mrs|ms|mx|ing|mag|dipl\.-ing|mba|herr|frau|mme|m|sr|sra|i\.\s?a|i\.\s?v|ppa)\.?\s+)+",
                       re.I)                        # "i.A."/"i.V.": German "on behalf of" before a name
_POST_NOMINALS = re.compile(r",?\s+(?:phd|ph\.d\.|mba|cpa|esq\.?|jr\.?|sr\.?|ii|iii|msc|m\.sc\.|dipl\.-\w+)$", re.I)
PARTICLES = frozenset({"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "la", "le", "bin", "al",
                       "ter", "dos", "das", "do", "y", "zu", "af", "av"})
_PRONOUNS = re.compile(r"\s*[(\[]\s*(?:she|he|they|ze|xe|sie|er|il|elle|ella|él)\s*/\s*\w+(?:\s*/\s*\w+)?\s*[)\]]",
                       re.I)
_WORD = re.compile(r"[\w.'’-]+", re.UNICODE)


def clean_name(line: str) -> str:
    """A name line without honorifics, post-nominals, pronouns and quotes: "Dr. Klaus Müller, MBA" →
    "Klaus Müller", "Jordan Reyes (they/them)" → "Jordan Reyes"."""
    name = re.sub(r"\s+", " ", _PRONOUNS.sub("", line).strip().strip("'\"*_")).strip()
    return _POST_NOMINALS.sub("", HONORIFIC.sub("", name)).strip(" ,")


def looks_like_name(line: str) -> bool:
    """2–4 capitalised words, no digits, no title or company words: "Ana María García"."""
    words = clean_name(line).split()
    if not 2 <= len(words) <= 4 or len(line) > 50 or any(ch.isdigit() for ch in line) or "@" in line:
        return False
    if TITLE_WORDS.search(line) or COMPANY_SUFFIX.search(line):
        return False
    return all(w.lower() in PARTICLES or (w[0].isupper() and _WORD.fullmatch(w) is not None) for w in words)


def split_name(full: str) -> tuple[str | None, str | None]:
    """"Ludwig van Beethoven" → ("Ludwig", "van Beethoven"); "Lee, Sam" → ("Sam", "Lee")."""
    full = clean_name(full or "")
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip() or None, last.strip() or None
    words = full.split(" ")
    if len(words) == 1:
        return None, words[0] or None
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _folded_words(text: str) -> list[str]:
    plain = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch))
    return [w for w in re.split(r"[^\w]+", plain.replace("ß", "ss")) if w]


def is_display_name(line: str, display_name: str) -> bool:
    """Whether `line` is the From display name, in any order or case, accents ignored
    ("Müller, Klaus" vs "Dr. Klaus Mueller" is not: umlaut spellings differ, and we do not guess)."""
    wanted = set(_folded_words(clean_name(display_name)))
    found = _folded_words(clean_name(line))
    return len(wanted) >= 2 and set(found) == wanted and len(found) == len(wanted)
