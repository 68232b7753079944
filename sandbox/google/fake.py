"""The Google fake served over loopback HTTPS with the Salesforce emulator's TLS helper."""
from __future__ import annotations

from sandbox.google.app import create_app
from sandbox.google.store import GoogleStore
from sandbox.salesforce.server import TlsServer


class GoogleFake:
    """One fake Workspace domain: the OAuth token endpoint and Calendar v3 on one loopback host."""

    def __init__(self, cert_dir: str | None = None) -> None:
        self.store = GoogleStore()
        self._cert_dir = cert_dir
        self._server: TlsServer | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> GoogleFake:
        self._server = TlsServer(create_app(self.store), host, port, self._cert_dir)
        self._server.start()
        return self

    @property
    def base_url(self) -> str:
        assert self._server is not None, "start() the fake first"
        return f"https://127.0.0.1:{self._server.port}"

    @property
    def ca_path(self) -> str:
        assert self._server is not None, "start() the fake first"
        return self._server.ca_path

    @property
    def api_root(self) -> str:
        """Like the discovery document's rootUrl (https://www.googleapis.com/)."""
        return self.base_url + "/"

    @property
    def token_uri(self) -> str:
        return self.base_url + "/token"

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
