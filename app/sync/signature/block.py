"""Where the signature block is in the writer's own lines.

In order of trust: the last ``--`` delimiter or sign-off ("Best regards", "Mit freundlichen
Grüßen", "Cordialement", … also "Thanks, Sam" on one line); else the last line that is the
sender's display name; else a last paragraph that opens with a name and holds a contact line (a phone, a title…). The block ends before any
legal line (register court, confidentiality) and is at most MAX_BLOCK_LINES long.
"""
from __future__ import annotations

import re

from app.sync.signature.fields import EMAIL, is_company, is_title, website_in
from app.sync.signature.history import is_disclaimer
from app.sync.signature.names import is_display_name, looks_like_name
from app.sync.signature.phones import phones_in

MAX_BLOCK_LINES = 16
MAX_LINE_CHARS = 160            # a longer line is prose, not a signature line
_DELIMITER = re.compile(r"^\s*(?:--\s*|—\s*|–\s*|_{3,}|-{3,}|={3,}|\*{3,})$")
_CLOSINGS = (
    r"(?:(?:best|kind|warm|warmest|many|kindest|with)?\s*(?:regards|wishes)|best|cheers|thanks(?: again| so much)?"
    r"|thank you(?: very much)?|many thanks|sincerely|yours(?: truly| sincerely| faithfully)?|all the best|talk soon"
    r"|br|rgds|mit (?:freundlichen|besten|herzlichen|vielen|lieben|sonnigen) grü(?:ß|ss)en|mfg|freundliche grüße|freundliche grüsse"
    r"|viele grüße|beste grüße|liebe grüße|schöne grüße|herzliche grüße|grüße|gruß|danke|vielen dank"
    r"|cordialement|bien cordialement|bien à vous|salutations(?: distinguées)?|merci(?: beaucoup)?|bonne journée"
    r"|saludos(?: cordiales)?|un saludo(?: cordial)?|atentamente|gracias|un abrazo|atenciosamente|abraços"
    r"|cumprimentos|obrigad[oa]|cordiali saluti|distinti saluti|saluti|grazie|un cordiale saluto"
    r"|met vriendelijke groet(?:en)?|vriendelijke groet(?:en)?|groeten|hartelijke groet(?:en)?|bedankt"
    r"|med vänliga hälsningar|vänliga hälsningar|mvh|hälsningar|tack|med venlig hilsen|venlig hilsen"
    r"|med vennlig hilsen|pagarbiai|su pagarba|ačiū|linkėjimai|с уважением|спасибо|z poważaniem|pozdrawiam"
    r"|serdecznie pozdrawiam|dziękuję|s pozdravem|üdvözlettel|ystävällisin terveisin|terveisin)")
_CLOSING = re.compile(rf"^\s*{_CLOSINGS}[\s,.!]*$", re.I)
_CLOSING_INLINE = re.compile(rf"^\s*{_CLOSINGS}\s*[,!.\-–—]\s*(?P<rest>\S.{{0,60}})$", re.I)


def signature_block(lines: list[str], display_name: str = "") -> list[str]:
    """The non-empty lines of the signature, or [] when none is recognisable."""
    start, first = _start(lines, display_name)
    if start is None:
        return []
    block: list[str] = [first] if first else []
    for line in lines[start:]:
        if is_disclaimer(line):
            break
        if line.strip() and len(line.strip()) <= MAX_LINE_CHARS:
            block.append(line.strip())
    return block[:MAX_BLOCK_LINES]


def _start(lines: list[str], display_name: str) -> tuple[int | None, str]:
    """(index where the block starts, a name that stood on the sign-off line itself)."""
    for n in range(len(lines) - 1, -1, -1):
        if _DELIMITER.match(lines[n]) or _CLOSING.match(lines[n]):
            return n + 1, ""
        inline = _CLOSING_INLINE.match(lines[n])
        if inline and looks_like_name(inline.group("rest")) or inline and n == len(lines) - 1:
            return n + 1, inline.group("rest").strip()
    if display_name:
        for n in range(len(lines) - 1, -1, -1):
            if is_display_name(lines[n], display_name):
                return n, ""
    return _last_paragraph(lines), ""


def _last_paragraph(lines: list[str]) -> int | None:
    """The last paragraph, when it opens with a name and is 2–8 lines long (a card, not prose)."""
    end = len(lines)
    while end and not lines[end - 1].strip():
        end -= 1
    start = end
    while start and lines[start - 1].strip():
        start -= 1
    if start == 0 or not 2 <= end - start <= 8:
        return None
    card = any(_contact_line(line) for line in lines[start + 1:end])
    return start if card and looks_like_name(re.split(r"\s*[|•·,]\s*", lines[start])[0]) else None


def _contact_line(line: str) -> bool:
    """A line only a signature has: a phone, an address, a website, a title or a company."""
    return bool(phones_in(line) or EMAIL.search(line) or website_in(line) or is_title(line) or is_company(line))
