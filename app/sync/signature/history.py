"""The writer's own text: everything from the first reply-chain start on is someone else's.

Cuts at quoted `>` lines, "On … wrote:" in many languages (also wrapped over two lines),
Outlook header blocks (From/Sent/To/Subject in several languages), forwarded/original-message
markers; then drops mobile footers ("Sent from my iPhone") and legal disclaimers, which say
nothing about the person.
"""
from __future__ import annotations

import re

from app.sync.signature.html_text import FROM_HEADER

_WROTE = re.compile(
    r"^\s*(?:On\s.{4,250}\swrote|Am\s.{4,250}\sschrieb.{0,80}|Le\s.{4,250}\sa\sécrit|El\s.{4,250}\sescribió"
    r"|Il\s.{4,250}\sha\sscritto|Op\s.{4,250}\sschreef.{0,80}|Em\s.{4,250}\sescreveu|Den\s.{4,250}\sskrev.{0,80}"
    r"|W\sdniu\s.{4,250}\s(?:pisze|napisał\(a\)|napisał|napisała)|.{4,250}\s(?:rašė|kirjoitti|написал\(а\)"
    r"|написал|написала|napsal\(a\)|napsal|skrev|wrote|schrieb|a écrit|escribió|ha scritto|schreef|escreveu))"
    r"\s*:\s*$", re.I)
_WROTE_START = re.compile(r"^\s*(?:On|Am|Le|El|Il|Op|Em|Den|W dniu)\s", re.I)
_HEADER = re.compile(
    r"^\s*\*?(?:sent|date|to|cc|subject|gesendet|datum|an|betreff|envoyé|à|objet|enviado(?:\s+el)?|para|asunto"
    r"|inviato|a|oggetto|data|verzonden|aan|onderwerp|enviada\s+em|assunto|skickat|till|ämne|wysłane|do|temat"
    r"|išsiųsta|kam|tema|sendt|til|emne|lähetetty|vastaanottaja|aihe|отправлено|кому|тема)\s*\*?\s*:", re.I)
_MARKER = re.compile(
    r"^\s*[-_=*\s]*(?:forwarded message|begin forwarded message|original message|weitergeleitete nachricht"
    r"|ursprüngliche nachricht|message transféré|message d'origine|mensaje reenviado|mensaje original"
    r"|messaggio inoltrato|messaggio originale|doorgestuurd bericht|oorspronkelijk bericht|origineel bericht"
    r"|mensagem encaminhada|mensagem original|vidarebefordrat meddelande|ursprungligt meddelande"
    r"|wiadomość przekazana|oryginalna wiadomość|persiųstas laiškas|pradinis laiškas|videresendt melding"
    r"|пересылаемое сообщение|исходное сообщение)\b.*$", re.I)
_RULE = re.compile(r"^\s*(?:_{8,}|-{8,}|={8,})\s*$")
_MOBILE_FOOTER = re.compile(
    r"^\s*(?:sent from (?:my )?(?:iphone|ipad|android|mobile|samsung|galaxy|blackberry|huawei|phone|outlook|mail)"
    r"|sent from outlook for (?:ios|android)|get outlook for (?:ios|android)|sent via|sent with"
    r"|von meinem (?:iphone|ipad|smartphone|samsung|handy|mobiltelefon) gesendet|gesendet von (?:meinem )?"
    r"|envoyé de mon (?:iphone|ipad|smartphone)|obtenir outlook pour|enviado desde mi (?:iphone|ipad|móvil|celular)"
    r"|enviado do meu (?:iphone|ipad|celular)|inviato da(?:l mio)? (?:iphone|ipad)|verzonden vanaf mijn (?:iphone|ipad)"
    r"|verstuurd vanaf mijn (?:iphone|ipad)|skickat från min (?:iphone|ipad)|wysłane z (?:mojego )?(?:iphone|ipada?)"
    r"|išsiųsta iš (?:mano )?(?:iphone|ipad)|отправлено с (?:iphone|ipad))", re.I)
_DISCLAIMER = re.compile(
    r"confidential|intended (?:only )?for the|intended recipient|if you (?:have )?received this|privileged"
    r"|disclaimer|please consider the environment|think before you print|do not print|vertraulich"
    r"|diese e-mail|dieser e-mail|nicht der richtige adressat|ce (?:message|courriel|e-mail) (?:et|est|peut)"
    r"|destinataire|este (?:mensaje|correo)|confidencial|questo messaggio|riservat|dit bericht|vertrouwelijk"
    r"|esta mensagem|detta meddelande|konfidentiell|ta wiadomość|poufn|šiame laiške|konfidencial"
    r"|registered (?:in|office)|company (?:registration|number|no\b)|amtsgericht|registergericht|handelsregister"
    r"|sitz der gesellschaft|ust-?id|\bhrb\b|vat (?:no|number|reg)|siret|rcs\s|\bkvk\b|registro mercantil", re.I)


def own_text(text: str) -> list[str]:
    """The lines the writer wrote: quoted (`>`) lines and their "… wrote:" line are skipped (the
    writer may answer below or between them); a header block or a forward marker, or a "wrote:"
    line with unquoted history under it, ends the writer's text. Then footers and disclaimers go."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    n = 0
    while n < len(lines):
        line = lines[n]
        attribution = _attribution_lines(lines, n)
        if line.lstrip().startswith(">"):
            n += 1
            continue
        if attribution:
            if not _quoted_next(lines, n + attribution):
                break
            n += attribution
            continue
        if _MARKER.match(line) or (FROM_HEADER.match(line) and any(_HEADER.match(x) for x in lines[n + 1:n + 5])):
            break
        kept.append(line)
        n += 1
    while kept and (not kept[-1].strip() or _RULE.match(kept[-1])):
        kept.pop()                          # Outlook's ____ rule above the header block
    return _without_footers(kept)


def _attribution_lines(lines: list[str], n: int) -> int:
    """How many lines the "On … wrote:" at `n` spans (Gmail wraps long ones over two), or 0."""
    if _WROTE.match(lines[n]):
        return 1
    if _WROTE_START.match(lines[n]) and n + 1 < len(lines) and _WROTE.match(lines[n] + " " + lines[n + 1]):
        return 2
    return 0


def _quoted_next(lines: list[str], n: int) -> bool:
    """Whether the next non-empty line from `n` is quoted."""
    return next((line.lstrip().startswith(">") for line in lines[n:] if line.strip()), False)


def _without_footers(lines: list[str]) -> list[str]:
    """Drops mobile footers, and trailing paragraphs that open as legal text (a register line inside
    the signature paragraph is cut by the block finder; the message's own words stay)."""
    kept = [line for line in lines if not _MOBILE_FOOTER.match(line)]
    while True:
        while kept and not kept[-1].strip():
            kept.pop()
        start = max((n + 1 for n, line in enumerate(kept) if not line.strip()), default=0)
        if start == 0 or not is_disclaimer(kept[start]):
            return kept
        kept = kept[:start]


def is_disclaimer(line: str) -> bool:
    """Confidentiality notices, print reminders, company register lines."""
    return bool(_DISCLAIMER.search(line))
