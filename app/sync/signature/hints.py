"""What the envelope tells about a signature line: does it name the sender's organisation?"""
from __future__ import annotations

import unicodedata

from app.sync.signature.model import SenderHint

FREEMAIL = frozenset({"gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
                      "yahoo.com", "ymail.com", "icloud.com", "me.com", "mac.com", "aol.com", "gmx.de", "gmx.net",
                      "web.de", "mail.ru", "yandex.ru", "proton.me", "protonmail.com", "zoho.com", "qq.com"})


def names_sender_domain(part: str, hint: SenderHint) -> bool:
    """Whether `part` spells the organisation of the sender's domain ("Globex" for @globex.example);
    a free-mail domain names no organisation."""
    if "." not in hint.domain or hint.domain in FREEMAIL or len(part) > 60:
        return False
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", part.casefold()) if ch.isalnum())
    core = hint.domain_core.replace("-", "")
    return len(core) >= 3 and (folded.startswith(core) or core.startswith(folded) and len(folded) >= 3)
