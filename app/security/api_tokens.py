"""API tokens: shown once at creation, stored only as a SHA-256 hash.

Tokens carry 256 bits of randomness, so a fast hash is enough (no password stretching).
"""
from __future__ import annotations

import hashlib
import secrets

TOKEN_PREFIX = "slk_"


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def display_prefix(token: str) -> str:
    """Enough of the token for a user to recognise it in a list, not enough to use it."""
    return token[: len(TOKEN_PREFIX) + 6]
