"""Every Redis key Syncline uses, in one place, so formats never drift apart."""
from __future__ import annotations

PREFIX = "syncline"


def heartbeat() -> str:
    """Written by the scheduler's heartbeat job; readiness shows its age."""
    return f"{PREFIX}:heartbeat"


def oauth_state(state: str) -> str:
    """PKCE verifier of a sign-in in progress (10 minutes)."""
    return f"{PREFIX}:oauth:state:{state}"
