"""One IMAP connection: every command is counted and library errors become core errors.

The host is checked by the host guard before connecting and the peer after; anything that
goes wrong before login reads "could not connect to <host>", whatever answered (or not).
"""
from __future__ import annotations

import ssl
from collections.abc import Callable
from typing import Any, TypeVar

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientAbortError, IMAPClientError, LoginError

from app.providers.host_guard import ForbiddenHost, HostPolicy, check_peer, resolve_checked
from app.providers.imap_dav.counter import RequestCounter
from app.providers.imap_dav.errors import CREDENTIALS_REFUSED, forbidden_host, unreachable
from app.sync.errors import AuthFailure, NotFound, SyncError, TemporaryFailure

T = TypeVar("T")
MISSING_FOLDER_HINTS = ("nonexistent", "doesn't exist", "does not exist", "no such mailbox", "unknown mailbox")


class ImapSession:
    """Lazily connected; ``command`` runs one IMAP command (one round trip) and counts it."""

    def __init__(self, host: str, port: int, username: str, password: str, use_tls: bool,
                 counter: RequestCounter, timeout: float = 30.0, ssl_context: ssl.SSLContext | None = None,
                 host_policy: HostPolicy | None = None) -> None:
        self._params = (host, port, use_tls, timeout, ssl_context)
        self._policy = host_policy or HostPolicy()
        self._credentials = (username, password)
        self.counter = counter
        self._client: IMAPClient | None = None
        self.condstore = False
        self.selected: str | None = None

    @property
    def connected(self) -> bool:
        """A connection is open (or was until a failure nobody has seen yet)."""
        return self._client is not None

    @property
    def client(self) -> IMAPClient:
        if self._client is None:
            self._client = self._connect()
        return self._client

    def _connect(self) -> IMAPClient:
        host = self._params[0]
        self.counter.add("imap")  # greeting + login
        client = self._open_checked()
        try:
            client.login(*self._credentials)
        except LoginError as exc:
            _drop(client)
            raise AuthFailure(CREDENTIALS_REFUSED) from exc
        except (IMAPClientError, OSError, EOFError, ValueError) as exc:
            _drop(client)
            raise unreachable(host) from exc
        if b"CONDSTORE" in client.capabilities():  # capabilities arrive with the login response
            self.counter.add("imap")
            self._guard(lambda: client.enable("CONDSTORE"))
            self.condstore = True
        return client

    def _open_checked(self) -> IMAPClient:
        """Connected to a checked address and greeted; the password has not been sent yet."""
        host, port, use_tls, timeout, context = self._params
        try:
            checked = resolve_checked(host, port, self._policy)
            client = IMAPClient(host, port=port, ssl=use_tls, ssl_context=context, timeout=timeout)
        except ForbiddenHost as exc:
            raise forbidden_host(host, exc) from exc
        except (IMAPClientError, OSError, EOFError, ValueError) as exc:
            raise unreachable(host) from exc
        try:
            check_peer(client.socket(), checked, host, self._policy)
        except ForbiddenHost as exc:
            _drop(client)
            raise forbidden_host(host, exc) from exc
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
            raise AuthFailure(CREDENTIALS_REFUSED) from exc
        except (TimeoutError, IMAPClientAbortError, ConnectionError, ssl.SSLError, OSError) as exc:
            self._client = None  # the connection is unusable; the next call reconnects
            raise unreachable(self._params[0]) from exc
        except IMAPClientError as exc:
            raise _command_error(exc) from exc

    def close(self) -> None:
        if self._client is not None:
            try:
                self._client.logout()
            except (IMAPClientError, OSError):
                pass
            self._client = None


def _drop(client: IMAPClient) -> None:
    """Close a connection we will not use, ignoring how it fails."""
    try:
        client.shutdown()
    except (IMAPClientError, OSError):
        pass


def _command_error(exc: IMAPClientError) -> SyncError:
    text = str(exc).lower()
    if any(hint in text for hint in MISSING_FOLDER_HINTS):
        return NotFound(f"IMAP: {exc}")
    if "[unavailable]" in text or "[inuse]" in text or "try again" in text:
        return TemporaryFailure(f"IMAP: {exc}")
    return SyncError(f"IMAP: {exc}")
