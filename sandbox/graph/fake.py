"""The Graph fake served over loopback HTTPS with the Salesforce emulator's TLS helper."""
from __future__ import annotations

from sandbox.graph.app import create_app
from sandbox.graph.store import GraphStore
from sandbox.salesforce.server import TlsServer


class GraphFake:
    """One fake tenant: Entra ID token endpoint and Graph v1.0 on the same loopback host."""

    def __init__(self, cert_dir: str | None = None) -> None:
        self.store = GraphStore()
        self._cert_dir = cert_dir
        self._server: TlsServer | None = None

    def start(self, host: str = "127.0.0.1", port: int = 0) -> GraphFake:
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
    def authority_url(self) -> str:
        return self.base_url

    @property
    def graph_url(self) -> str:
        return self.base_url + "/v1.0"

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
