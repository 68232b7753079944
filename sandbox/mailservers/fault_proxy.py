"""A fault-injecting HTTP proxy in front of a DAV server: mailbox 5xx and timeouts on demand.

Requests pass through unchanged until a fault window opens; inside an error window each
request answers ``status`` (503 by default) with a short HTML body, as a failing front end
does; inside a hang window each request is held ``hold_s`` seconds (longer than the client's
timeout) and then dropped without an answer. ``latency_ms`` delays every relayed request (the
benchmarks' mailbox latency). Runs in a thread; ``stop()`` ends it.
"""
from __future__ import annotations

import http.client
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from sandbox.mailservers.process import free_port

DAV_METHODS = ("GET", "HEAD", "PUT", "POST", "DELETE", "OPTIONS", "PROPFIND", "PROPPATCH", "REPORT",
               "MKCOL", "MKCALENDAR", "MOVE", "COPY", "LOCK", "UNLOCK")
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-connection"}


class DavFaultProxy:
    """``base_url`` forwards to ``upstream``; ``fail_for``/``hang_for`` open fault windows."""

    def __init__(self, upstream: str, port: int | None = None, clock: Callable[[], float] = time.monotonic) -> None:
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.clock = clock
        self.port = port or free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.faults_served = 0
        self.latency_ms = 0.0                       # added to every relayed request (benchmarks)
        self.in_flight = 0                          # requests being relayed now
        self.max_in_flight = 0                      # the most relayed at once (concurrency caps)
        self.last_release = 0.0                     # clock() when the last held request was dropped
        self._lock = threading.Lock()
        self._error: tuple[int, float] = (503, 0.0)     # (status, window end)
        self._hang: tuple[float, float] = (0.0, 0.0)    # (hold seconds, window end)
        self._stopping = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="dav-fault-proxy", daemon=True)
        self._thread.start()

    def fail_for(self, seconds: float, status: int = 503) -> None:
        """Every request answers ``status`` for the next ``seconds``."""
        with self._lock:
            self._error = (status, self.clock() + seconds)

    def hang_for(self, seconds: float, hold_s: float) -> None:
        """Every request arriving in the next ``seconds`` is held ``hold_s`` and then dropped."""
        with self._lock:
            self._hang = (hold_s, self.clock() + seconds)

    def clear(self) -> None:
        with self._lock:
            self._error, self._hang = (503, 0.0), (0.0, 0.0)

    def fault_for_request(self) -> tuple[str, float] | None:
        """("error", status) or ("hang", hold seconds) when a window is open now, else None."""
        with self._lock:
            now = self.clock()
            if now < self._error[1]:
                self.faults_served += 1
                return "error", float(self._error[0])
            if now < self._hang[1]:
                self.faults_served += 1
                return "hang", self._hang[0]
            return None

    def hold(self, seconds: float) -> None:
        """Keep a request waiting (stop() cuts it short), then note when it was let go."""
        self._stopping.wait(seconds)
        with self._lock:
            self.last_release = max(self.last_release, self.clock())

    def entered(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.max_in_flight = max(self.max_in_flight, self.in_flight)

    def left(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


def relay(upstream: tuple[str, int], method: str, path: str, headers: dict[str, str],
          body: bytes | None) -> tuple[int, list[tuple[str, str]], bytes]:
    """One request to the upstream server: its status, end-to-end headers and body."""
    connection = http.client.HTTPConnection(*upstream, timeout=60)
    try:
        sent = {k: v for k, v in headers.items() if k.lower() not in HOP_BY_HOP}
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        data = response.read()
        kept = [(k, v) for k, v in response.getheaders()
                if k.lower() not in HOP_BY_HOP and k.lower() != "content-length"]
        return response.status, kept, data
    finally:
        connection.close()


class RelayHandler(BaseHTTPRequestHandler):
    """What every sandbox DAV front's handler shares: quiet, HTTP/1.1, whole bodies in and out."""

    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 — quiet, like the servers
        return

    def _body(self) -> bytes | None:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else None

    def _answer(self, status: int, headers: list[tuple[str, str]], data: bytes) -> None:
        self.send_response(status)
        for key, value in headers:
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)


def _handler_for(proxy: DavFaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(RelayHandler):
        def relay(self) -> None:
            body = self._body()
            fault = proxy.fault_for_request()
            if fault is not None and fault[0] == "hang":
                proxy.hold(fault[1])
                self.close_connection = True
                return
            if fault is not None:
                self._answer(int(fault[1]), [("Content-Type", "text/html")],
                             b"<html><body><h1>Service Unavailable</h1></body></html>")
                return
            proxy.entered()
            try:
                if proxy.latency_ms:
                    time.sleep(proxy.latency_ms / 1000)
                self._forward(body)
            finally:
                proxy.left()

        def _forward(self, body: bytes | None) -> None:
            self._answer(*relay(proxy.upstream, self.command, self.path, dict(self.headers.items()), body))

    for method in DAV_METHODS:
        setattr(Handler, f"do_{method}", Handler.relay)
    return Handler
