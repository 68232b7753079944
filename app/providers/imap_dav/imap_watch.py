"""Waiting on IMAP folders for changes: IDLE (RFC 2177) on one selected folder where the server
offers it, NOOP polling where it does not, and NOTIFY (RFC 5465) for several folders on one
connection where the server offers that. A push is only a hint: the session's delta decides what
changed.

IDLE is re-issued before the server's 30-minute inactivity logout (RFC 2177 advises every 29
minutes at most); a ``* BYE`` or a broken socket raises the core's TemporaryFailure, and the caller
reconnects with backoff. Nothing here sleeps past the ``timeout`` it is given.
"""
from __future__ import annotations

import imaplib
import time
from collections.abc import Callable, Sequence
from typing import Any

from imapclient import IMAPClient, imap_utf7

from app.providers.imap_dav.imap_session import ImapSession
from app.sync.errors import SyncError, TemporaryFailure

IDLE_REISSUE_SECONDS = 25 * 60     # RFC 2177: re-issue at least every 29 minutes
IDLE, NOOP, NOTIFY = "idle", "noop", "notify"
# RFC 5465 §5: the events of the listed mailboxes a sync cares about (new, gone, flags/keywords).
NOTIFY_EVENTS = "(MessageNew MessageExpunge FlagChange)"
imaplib.Commands.setdefault("NOTIFY", ("AUTH", "SELECTED"))      # imaplib knows only RFC 3501's commands
# Untagged answers that are no change: status lines (Dovecot's "* OK Still here") and capability news.
QUIET = {b"OK", b"NO", b"BAD", b"CAPABILITY"}


class FolderWatch:
    """One connection, one selected folder; ``wait`` says whether the folder changed."""

    def __init__(self, session: ImapSession, folder: str, noop_seconds: float = 30.0,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], object] = time.sleep) -> None:
        self.session = session
        self.folder = folder
        self.noop_seconds = noop_seconds
        self.mode = ""
        self._clock, self._sleep = clock, sleep
        self._idle_since: float | None = None
        self._last_noop = 0.0

    @property
    def idle_since(self) -> float | None:
        """When the current IDLE command was issued (clock time); None outside IDLE."""
        return self._idle_since

    def open(self) -> str:
        """Connect, log in and select the folder read-only; returns the mode (IDLE or NOOP)."""
        capabilities = self.session.command(lambda c: c.capabilities())
        self.session.select(self.folder)
        self.mode = IDLE if b"IDLE" in capabilities else NOOP
        return self.mode

    def wait(self, timeout: float) -> bool:
        """True when the server reported a change within ``timeout`` seconds. Raises TemporaryFailure
        when the connection is gone (the server said BYE or the socket broke)."""
        if self.mode == IDLE:
            return self._wait_idle(timeout)
        return self._wait_noop(timeout)

    def _wait_idle(self, timeout: float) -> bool:
        if self._idle_since is not None and self._clock() - self._idle_since >= IDLE_REISSUE_SECONDS:
            self._end_idle()
        if self._idle_since is None:
            self.session.command(lambda c: c.idle())
            self._idle_since = self._clock()
        responses = self.session.command(lambda c: c.idle_check(timeout=timeout))
        return _changed(responses)

    def _end_idle(self) -> None:
        """DONE; what arrived meanwhile is read by the next session anyway."""
        self._idle_since = None
        self.session.command(lambda c: c.idle_done())

    def _wait_noop(self, timeout: float) -> bool:
        due = self._last_noop + self.noop_seconds - self._clock()
        if due > 0:
            self._sleep(min(due, timeout))
            if due > timeout:
                return False
        self._last_noop = self._clock()
        _, responses = self.session.command(lambda c: c.noop())
        return _changed(responses)

    def close(self) -> None:
        """Leave IDLE and log out; a connection already gone is simply dropped."""
        try:
            if self._idle_since is not None and self.session.connected:   # never reconnect just to say DONE
                self._end_idle()
        except TemporaryFailure:
            pass
        self.session.close()


class FoldersNotifyWatch(FolderWatch):
    """One connection for several folders: NOTIFY SET names them, IDLE waits, and each change arrives
    as an untagged STATUS of its folder (RFC 5465 §5.1: no folder is selected)."""

    def __init__(self, session: ImapSession, folders: Sequence[str], clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__(session, folders[0] if folders else "", clock=clock)
        self.folders = tuple(folders)

    def open(self) -> str:
        capabilities = self.session.command(lambda c: c.capabilities())
        if not supports_notify(capabilities):
            raise TemporaryFailure("the IMAP server no longer offers NOTIFY and IDLE")
        try:
            self.session.command(lambda c: _notify_set(c, self.folders))
        except SyncError as exc:
            if type(exc) is SyncError:        # BAD: the server advertises NOTIFY but not as we say it
                raise NotifyRefused(str(exc)) from exc
            raise
        self.mode = NOTIFY
        return self.mode

    def wait(self, timeout: float) -> bool:
        return self._wait_idle(timeout)


def supports_notify(capabilities: Sequence[bytes]) -> bool:
    return b"NOTIFY" in capabilities and b"IDLE" in capabilities


def notifiable(folder: str) -> bool:
    """Whether NOTIFY can watch the folder: Dovecot 2.3 accepts a non-ASCII (modified UTF-7) name in
    NOTIFY SET and then reports nothing for it (seen here), so such a folder keeps its own IDLE."""
    return folder.isascii()


class NotifyRefused(TemporaryFailure):
    """The server answered NO to NOTIFY SET (RFC 5465 §6: e.g. a folder it cannot watch): watch the
    folders one by one instead."""


def _notify_set(client: IMAPClient, folders: Sequence[str]) -> None:
    names = " ".join(_quoted(imap_utf7.encode(f).decode("ascii")) for f in folders)
    typ, data = client._imap._simple_command("NOTIFY", "SET", f"(mailboxes ({names}) {NOTIFY_EVENTS})")
    if typ != "OK":
        said = b" ".join(d for d in data if isinstance(d, bytes)).decode("utf-8", "replace")
        raise NotifyRefused(f"the IMAP server refused NOTIFY: {said}"[:300])


def _quoted(name: str) -> str:
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _changed(responses: Sequence[Any]) -> bool:
    """EXISTS, EXPUNGE, FETCH (flags), FLAGS, VANISHED… mean a change; BYE means the connection ends."""
    changed = False
    for response in responses:
        words = [part for part in response if isinstance(part, bytes)] if isinstance(response, tuple) else []
        if words[:1] == [b"BYE"]:
            raise TemporaryFailure("the IMAP server closed the connection")
        if not words or words[0] not in QUIET:
            changed = True
    return changed
