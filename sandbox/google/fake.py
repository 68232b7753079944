"""The Google fake served over loopback HTTPS."""
from __future__ import annotations

from typing import Any

from sandbox.google.app import create_app
from sandbox.google.store import GoogleStore
from sandbox.loopback import LoopbackFake


class GoogleFake(LoopbackFake):
    """One fake Workspace domain: the OAuth token endpoint and Calendar v3 on one loopback host."""

    def __init__(self, cert_dir: str | None = None) -> None:
        super().__init__(cert_dir)
        self.store = GoogleStore()

    def create_app(self) -> Any:
        return create_app(self.store)

    @property
    def api_root(self) -> str:
        """Like the discovery document's rootUrl (https://www.googleapis.com/)."""
        return self.base_url + "/"

    @property
    def token_uri(self) -> str:
        return self.base_url + "/token"

    @property
    def certs_url(self) -> str:
        """Like https://www.googleapis.com/oauth2/v1/certs (the keys signing Pub/Sub push tokens)."""
        return self.base_url + "/oauth2/v1/certs"

    @property
    def auth_url(self) -> str:
        """Like https://accounts.google.com/o/oauth2/v2/auth (per-user sign-in, user_oauth.py)."""
        return self.base_url + "/o/oauth2/v2/auth"
