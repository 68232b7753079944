"""Real HTTPS on loopback: a throwaway CA, a leaf for localhost/127.0.0.1, a threaded server.

Clients must trust `ca_path` explicitly through a `requests.Session` with
`trust_env=False` (this machine's REQUESTS_CA_BUNDLE would otherwise override `verify`).
"""
from __future__ import annotations

import os
import shutil
import ssl
import tempfile
import threading
from typing import Any

import trustme
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server


class _QuietHandler(WSGIRequestHandler):
    """No per-request log lines on stderr."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _load_or_create_ca(ca_path: str) -> trustme.CA:
    """Reuse the CA kept next to the state (clients cache SSL contexts per CA file path,
    so a restarted sandbox must not swap the CA behind a path they already trust)."""
    key_path = ca_path.replace(".pem", "-key.pem")
    if os.path.exists(ca_path) and os.path.exists(key_path):
        with open(ca_path, "rb") as cert, open(key_path, "rb") as key:
            return trustme.CA.from_pem(cert.read(), key.read())
    ca = trustme.CA(organization_name="Syncline Salesforce Emulator CA")
    ca.cert_pem.write_to_path(ca_path)
    ca.private_key_pem.write_to_path(key_path)
    os.chmod(key_path, 0o600)
    return ca


class TlsServer:
    """Serves a WSGI app over TLS in a daemon thread until `stop()`."""

    def __init__(self, app: Any, host: str = "127.0.0.1", port: int = 0,
                 cert_dir: str | None = None) -> None:
        self._own_dir = cert_dir is None
        self._dir = cert_dir or tempfile.mkdtemp(prefix="sf-emulator-")
        os.makedirs(self._dir, exist_ok=True)
        self.ca_path = os.path.join(self._dir, "emulator-ca.pem")
        leaf = _load_or_create_ca(self.ca_path).issue_cert("localhost", "127.0.0.1", "::1")
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        leaf.configure_cert(context)
        self._server: BaseWSGIServer = make_server(
            host, port, app, threaded=True, ssl_context=context, request_handler=_QuietHandler)
        self.port = self._server.server_port
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        name=f"sf-emulator:{self.port}", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        if self._own_dir:
            shutil.rmtree(self._dir, ignore_errors=True)
