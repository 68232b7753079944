"""What the envelope tells about a signature line: does it name the sender's organisation?"""
from __future__ import annotations

import unicodedata

from app.sync.free_mail import FREE_MAIL
from app.sync.signature.model import SenderHint

FREEMAIL = FREE_MAIL            # one list: the linking ladder ignores the same domains


def names_sender_domain(part: str, hint: SenderHint) -> bool:
    """Whether `part` spells the organisation of the sender's domain ("Globex" for @globex.example);
    a free-mail domain names no organisation."""
    if "." not in hint.domain or hint.domain in FREEMAIL or len(part) > 60:
        return False
    folded = "".join(ch for ch in unicodedata.normalize("NFKD", part.casefold()) if ch.isalnum())
    core = hint.domain_core.replace("-", "")
    return len(core) >= 3 and (folded.startswith(core) or core.startswith(folded) and len(folded) >= 3)
