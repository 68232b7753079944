"""What the sandbox keeps between runs: its ports and its own throwaway credentials.

Stored in ``<instance>/sandbox/sandbox.json`` (mode 0600, written atomically). Reusing the
ports keeps URLs a user added to a calendar client working after a restart; reusing the API
token lets the printed ``curl`` line stay valid.
"""
from __future__ import annotations

import json
import os
import secrets
import threading
from dataclasses import asdict, dataclass, field
from pathlib import Path

STATE_FILE = "sandbox.json"


@dataclass
class SandboxState:
    """Ports by server name, the mailbox user's password, the OAuth client secret, the API token."""

    ports: dict[str, int] = field(default_factory=dict)
    mailbox_password: str = ""
    client_secret: str = ""
    api_token: str = ""

    @classmethod
    def load(cls, directory: Path) -> SandboxState:
        """The saved state, with missing throwaway secrets generated (never fails on a new folder)."""
        path = directory / STATE_FILE
        data = json.loads(path.read_text()) if path.exists() else {}
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        state = cls(**known)
        state.mailbox_password = state.mailbox_password or secrets.token_urlsafe(12)
        state.client_secret = state.client_secret or secrets.token_urlsafe(24)
        return state

    def save(self, directory: Path) -> None:
        """Write atomically, readable only by this user."""
        path, tmp = directory / STATE_FILE, directory / f"{STATE_FILE}.{os.getpid()}.{threading.get_ident()}.tmp"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(asdict(self), out, indent=2)
        os.replace(tmp, path)
