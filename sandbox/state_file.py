"""What the sandbox keeps between runs: its ports and its own throwaway credentials.

Stored in ``<instance>/sandbox/sandbox.json`` (mode 0600, written atomically). Reusing the
ports keeps URLs a user added to a calendar client working after a restart; reusing the API
token lets the printed ``curl`` line stay valid.
"""
from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sandbox.private_file import write_private

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
        write_private(directory / STATE_FILE, json.dumps(asdict(self), indent=2).encode())
