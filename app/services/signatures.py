"""Reading a person out of an email signature: name, title, company, phone (and their address).

Pure text work, no I/O: finds the signature block (after a `--` line or a closing such as
"Best regards" / "Mit freundlichen Grüßen" / "Cordialement"), then classifies its lines.
Used for `suggested_new` pre-fills and for signature reasons in the Initial Search.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BLOCK_LINES = 10
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
_DELIMITER = re.compile(r"^\s*(?:--\s*|—\s*|_{3,}|-{3,})$")
_QUOTE_START = re.compile(
    r"^\s*(?:>|-{2,}\s*(?:Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original)"
    r"|On .{4,200} wrote:|Am .{4,200} schrieb|Le .{4,200} a écrit|El .{4,200} escribió"
    r"|From:\s|Von:\s|De\s?:\s|Från:\s)", re.I)
_CLOSING = re.compile(
    r"^\s*(?:(?:best|kind|warm|many)?\s*(?:regards|wishes)|best|cheers|thanks(?: again)?|thank you|sincerely"
    r"|yours(?: truly| sincerely)?|all the best|mit freundlichen grüßen|freundliche grüße|viele grüße|beste grüße"
    r"|liebe grüße|cordialement|bien cordialement|bien à vous|salutations|saludos(?: cordiales)?|un saludo"
    r"|atenciosamente|abraços|cordiali saluti|distinti saluti|saluti|met vriendelijke groet(?:en)?"
    r"|groeten|med vänliga hälsningar|vänliga hälsningar|med venlig hilsen|pagarbiai|su pagarba"
    r"|с уважением|z poważaniem|pozdrawiam|s pozdravem|üdvözlettel|ystävällisin terveisin)[\s,.!]*$", re.I)
_PHONE = re.compile(r"(?<![\w])(\+?\(?\d[\d\s().\-/]{5,}\d)(?![\w])")
_PHONE_LABEL = re.compile(r"^\s*(?:tel|tél|phone|ph|mob|mobile|cell|t|m|p|o|direct|office|work|telefon|handy"
                          r"|mobil|móvil|celular|tlf|puh|телефон|тел)\.?\s*[:.]?\s*", re.I)
_FAX = re.compile(r"^\s*(?:fax|f)\b\.?\s*[:.]?", re.I)
_URL = re.compile(r"(?:https?://|www\.)\S+|\b[\w-]+\.(?:com|org|net|io|de|fr|lt|co\.uk)\b/?\S*$", re.I)
_COMPANY_SUFFIX = re.compile(
    r"\b(?:inc|llc|ltd|limited|gmbh|ag|kg|s\.?a\.?s?|sarl|s\.?l\.?|s\.?p\.?a\.?|srl|b\.?v\.?|n\.?v\.?|oy|ab|as|a/s"
    r"|uab|ab|k\.?k\.?|co|corp|corporation|company|group|plc|pty|llp|gmbh\s*&\s*co\.?\s*kg|ооо|ао|sp\.\s*z\s*o\.o"
    r"|s\.?r\.?o|oü|sia)\.?$", re.I)
_TITLE_WORDS = re.compile(
    r"\b(?:ceo|cfo|cto|coo|cio|cmo|vp|svp|evp|president|director|manager|head|lead|chief|officer|founder|owner"
    r"|partner|principal|engineer|developer|architect|consultant|analyst|specialist|advisor|adviser|assistant"
    r"|coordinator|administrator|executive|representative|associate|accountant|counsel|attorney|sales|marketing"
    r"|procurement|purchasing|buyer|recruiter|designer|scientist|professor|geschäftsführer\w*|leiter\w*|berater\w*"
    r"|vertrieb\w*|einkauf\w*|directeur|directrice|responsable|ingénieur\w*|chef|gerente|director[a]?|jefe"
    r"|diretor[a]?|gerente|direktor\w*|vadov\w*|direktorius|vadybinink\w*|директор|менеджер|руководитель"
    r"|dyrektor|kierownik|johtaja|chef de projet)\b", re.I | re.UNICODE)
_TITLE_COMPANY = re.compile(r"^(?P<title>.+?)\s+(?:at|@|bei|chez|en|em|w|pas)\s+(?P<company>.+)$", re.I)
_HONORIFIC = re.compile(r"^(?:(?:dr|prof|mr|mrs|ms|mx|ing|mag|dipl\.-ing)\.?\s+)+", re.I)
_PARTICLES = {"van", "von", "de", "der", "den", "da", "di", "du", "del", "della", "la", "le", "bin", "al", "ter"}


@dataclass(frozen=True)
class Signature:
    """What a signature block says about its writer; any part may be None."""

    first_name: str | None = None
    last_name: str | None = None
    title: str | None = None
    company: str | None = None
    phone: str | None = None
    email: str | None = None

    @property
    def full_name(self) -> str | None:
        return " ".join(p for p in (self.first_name, self.last_name) if p) or None


def _without_quoted_history(lines: list[str]) -> list[str]:
    for n, line in enumerate(lines):
        if _QUOTE_START.match(line):
            return lines[:n]
    return lines


def signature_block(body: str) -> list[str]:
    """Non-empty lines of the signature (≤ 10), or [] when none is recognisable."""
    lines = _without_quoted_history((body or "").replace("\r\n", "\n").split("\n"))
    start = None
    for n in range(len(lines) - 1, -1, -1):
        if _DELIMITER.match(lines[n]) or _CLOSING.match(lines[n]):
            start = n + 1
            break
    if start is None:
        paragraphs = "\n".join(lines).strip().split("\n\n")
        last = [ln.strip() for ln in paragraphs[-1].split("\n") if ln.strip()] if paragraphs else []
        return last if 2 <= len(last) <= 6 and _looks_like_name(last[0]) and len(paragraphs) > 1 else []
    return [ln.strip() for ln in lines[start:] if ln.strip()][:MAX_BLOCK_LINES]


def _looks_like_name(line: str) -> bool:
    words = line.strip().split()
    if not 2 <= len(words) <= 4 or len(line) > 50 or any(ch.isdigit() for ch in line) or "@" in line:
        return False
    if _TITLE_WORDS.search(line) or _COMPANY_SUFFIX.search(line):
        return False
    return all(w.lower() in _PARTICLES or (w[0].isupper() and re.fullmatch(r"[\w.'’-]+", w, re.UNICODE))
               for w in words)


def split_name(full: str) -> tuple[str | None, str | None]:
    """"Ludwig van Beethoven" → ("Ludwig", "van Beethoven"); "Lee, Sam" → ("Sam", "Lee")."""
    full = re.sub(r"\s+", " ", (full or "").strip().strip("'\""))
    full = _HONORIFIC.sub("", full)
    if "," in full:
        last, _, first = full.partition(",")
        return first.strip() or None, last.strip() or None
    words = full.split(" ")
    if len(words) == 1:
        return None, words[0] or None
    cut = len(words) - 1
    while cut > 1 and words[cut - 1].lower() in _PARTICLES:
        cut -= 1
    return " ".join(words[:cut]), " ".join(words[cut:])


def _phone(line: str) -> str | None:
    if _FAX.match(line):
        return None
    match = _PHONE.search(_PHONE_LABEL.sub("", line))
    if match and sum(ch.isdigit() for ch in match.group(1)) >= 7:
        return re.sub(r"\s+", " ", match.group(1)).strip()
    return None


def _parts(lines: list[str]) -> list[str]:
    """Lines split on the separators signatures use for one-line layouts (|, •, ·)."""
    return [p.strip() for line in lines for p in re.split(r"\s+[|•·]\s+|\s*\|\s*", line) if p.strip()]


def parse_signature(body: str) -> Signature | None:
    """The writer's details from the signature block of `body`, or None when there is none."""
    found: dict[str, str] = {}
    leftovers: list[str] = []
    for part in _parts(signature_block(body)):
        _classify(part, found, leftovers)
    if "company" not in found and leftovers and "name" in found:
        found["company"] = leftovers[0]
    if not found:
        return None
    first, last = split_name(found["name"]) if "name" in found else (None, None)
    return Signature(first, last, found.get("title"), found.get("company"), found.get("phone"), found.get("email"))


def _classify(part: str, found: dict[str, str], leftovers: list[str]) -> None:
    """Put one signature fragment into name/title/company/phone/email, first one of each wins."""
    email = EMAIL.search(part)
    if email:
        found.setdefault("email", email.group(0).lower())
        return
    phone = _phone(part)
    if phone:
        found.setdefault("phone", phone)
        return
    if _URL.search(part) or _FAX.match(part):
        return
    combined = _TITLE_COMPANY.match(part)
    if combined and _TITLE_WORDS.search(combined.group("title")):
        found.setdefault("title", combined.group("title").strip(" ,"))
        found.setdefault("company", combined.group("company").strip(" ,"))
    elif "name" not in found and _looks_like_name(part):
        found["name"] = part
    elif "title" not in found and _TITLE_WORDS.search(part) and not _COMPANY_SUFFIX.search(part):
        found["title"] = part.strip(" ,")
    elif "company" not in found and _COMPANY_SUFFIX.search(part):
        found["company"] = part.strip(" ,")
    elif "name" in found and not any(ch.isdigit() for ch in part):
        leftovers.append(part)


FREEMAIL = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
                      "yahoo.com", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net",
                      "web.de", "mail.ru", "yandex.ru", "proton.me", "protonmail.com", "zoho.com", "qq.com"})


def _belongs_to(address: str, signature: Signature, signer: str | None) -> bool:
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
    if signature is not None and _belongs_to(address, signature, signer):
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
    words = [w.capitalize() for w in re.split(r"[._-]+", local) if w and not w.isdigit()]
    return split_name(" ".join(words)) if words else (None, local)


def company_from_domain(address: str) -> str | None:
    """"globex.example" → "Globex"; None for freemail addresses (they say nothing about an employer)."""
    domain = address.rpartition("@")[2].lower()
    if not domain or domain in FREEMAIL:
        return None
    labels = domain.split(".")
    core = labels[-3] if len(labels) >= 3 and labels[-2] in ("co", "com", "org", "ac") else labels[-2] \
        if len(labels) >= 2 else labels[0]
    return core.replace("-", " ").title()
