"""Waiting on one IMAP folder for changes: IDLE (RFC 2177) where the server offers it, NOOP polling
where it does not. A push is only a hint: the session's delta decides what changed.

IDLE is re-issued before the server's 30-minute inactivity logout (RFC 2177 advises every 29
minutes at most); a ``* BYE`` or a broken socket raises the core's TemporaryFailure, and the caller
reconnects with backoff. Nothing here sleeps past the ``timeout`` it is given.
"""
from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any

from app.providers.imap_dav.imap_session import ImapSession
from app.sync.errors import TemporaryFailure

IDLE_REISSUE_SECONDS = 25 * 60     # RFC 2177: re-issue at least every 29 minutes
IDLE, NOOP = "idle", "noop"
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
