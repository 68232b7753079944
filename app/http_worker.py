"""The gunicorn worker `syncline serve` runs: gunicorn's own error answers become the API's JSON.

Gunicorn answers requests it cannot parse (request line over 4094 bytes, too many or too large
headers, malformed lines, bad chunking) itself, with an HTML page, before Flask sees them.
This worker keeps gunicorn's decision (status, logging, access log) and only swaps the page
for `{"code", "message", "errors"}`, so a client never has to parse HTML from Syncline.
"""
from __future__ import annotations

import json
import socket
from typing import Any

from gunicorn import util
from gunicorn.workers.gthread import ThreadWorker

from app.api.errors import error_body

MAX_DETAIL = 200


class _PageCatcher:
    """Stands in for the client socket while gunicorn writes its HTML page, keeping the status line."""

    def __init__(self, client: socket.socket) -> None:
        self._client, self.written = client, b""

    def gettimeout(self) -> float:
        return 0.0

    def sendall(self, data: bytes) -> None:
        self.written += data

    def __getattr__(self, name: str) -> Any:
        return getattr(self._client, name)


def json_error(status: int, reason: str, exc: BaseException) -> bytes:
    """The whole HTTP answer: JSON naming gunicorn's reason (and the parser's detail on a 4xx)."""
    detail = str(exc)[:MAX_DETAIL] if status < 500 else ""
    message = f"{reason}: {detail}" if detail else f"{reason}."
    body = json.dumps(error_body(status, message)).encode()
    head = (f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(body)}\r\n\r\n")
    return head.encode("latin-1") + body


def _status(page: bytes) -> tuple[int, str]:
    """`HTTP/1.1 414 URI Too Long` → (414, "URI Too Long"); anything unreadable is a 500."""
    parts = page.split(b"\r\n", 1)[0].decode("latin-1").split(" ", 2)
    if len(parts) == 3 and parts[1].isdigit():
        return int(parts[1]), parts[2]
    return 500, "Internal Server Error"


class JsonErrorWorker(ThreadWorker):
    """gthread worker (threads, like `syncline serve` runs) whose error pages are JSON."""

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        catcher = _PageCatcher(client)
        super().handle_error(req, catcher, addr, exc)
        status, reason = _status(catcher.written)
        try:
            util.write_nonblock(client, json_error(status, reason, exc))
        except Exception:
            self.log.debug("Failed to send error message.")
