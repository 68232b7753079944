"""One IMAP connection: every command is counted and library errors become core errors."""
from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from app.providers.imap_dav.counter import RequestCounter
from app.sync.errors import AuthFailure, NotFound, SyncError, TemporaryFailure

T = TypeVar("T")
MISSING_FOLDER_HINTS = ("nonexistent", "doesn't exist", "does not exist", "no such mailbox", "unknown mailbox")


class ImapSession:
    """Lazily connected; ``command`` runs one IMAP command (one round trip) and counts it."""

    def __init__(self, host: str, port: int, username: str, password: str, use_tls: bool,
                 counter: RequestCounter, timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None) -> None:
        self._params = (host, port, use_tls, timeout, ssl_context)
        self._credentials = (username, password)
        self.counter = counter
        self._client: IMAPClient | None = None
        self.condstore = False
        self.selected: str | None = None

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> IMAPClient:
        host, port, use_tls, timeout, context = self._params
        client = self._guard(lambda: IMAPClient(host, port=port, ssl=use_tls, ssl_context=context, timeout=timeout))
        self.counter.add("imap")  # greeting + login
        self._guard(lambda: client.login(*self._credentials))
        if b"CONDSTORE" in client.capabilities():  # capabilities arrive with the login response
            self.counter.add("imap")
            self._guard(lambda: client.enable("CONDSTORE"))
            self.condstore = True
        return client

    def command(self, call: Callable[[IMAPClient], T]) -> T:
        client = self.client
        self.counter.add("imap")
        return self._guard(lambda: call(client))

    def select(self, folder: str, readonly: bool = True) -> dict[bytes, Any]:
        """SELECT/EXAMINE; the folder stays selected for the commands that follow."""
        info = self.command(lambda c: c.select_folder(folder, readonly=readonly))
        self.selected = folder
        return info

    def _guard(self, call: Callable[[], T]) -> T:
        try:
            return call()
        except LoginError as exc:
            raise AuthFailure(f"IMAP login refused: {exc}") from exc
        except (TimeoutError, IMAPClientAbortError, ConnectionError, ssl.SSLError, OSError) as exc:
            self._client = None  # the connection is unusable; the next call reconnects
            raise TemporaryFailure(f"IMAP connection failed: {type(exc).__name__}: {exc}") from exc
        except IMAPClientError as exc:
            raise _command_error(exc) from exc

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except (IMAPClientError, OSError):
                pass
            self._client = None


def _command_error(exc: IMAPClientError) -> SyncError:
    text = str(exc).lower()
    if any(hint in text for hint in MISSING_FOLDER_HINTS):
        return NotFound(f"IMAP: {exc}")
    if "[unavailable]" in text or "[inuse]" in text or "try again" in text:
        return TemporaryFailure(f"IMAP: {exc}")
    return SyncError(f"IMAP: {exc}")
