"""A fake vendor service served over loopback HTTPS with the Salesforce emulator's TLS helper:
the start/stop and addresses every vendor fake (Graph, Google) shares."""
from __future__ import annotations

from typing import Any

from sandbox.salesforce.server import TlsServer


class LoopbackFake:
    """Subclasses set ``store`` and build their WSGI app in ``create_app``."""

    store: Any

    def __init__(self, cert_dir: str | None = None) -> None:
        self._cert_dir = cert_dir
        self._server: TlsServer | None = None

    def create_app(self) -> Any:
        raise NotImplementedError

    def start(self, host: str = "127.0.0.1", port: int = 0) -> Any:
        self._server = TlsServer(self.create_app(), host, port, self._cert_dir)
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

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None
