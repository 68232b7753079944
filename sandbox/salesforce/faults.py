"""Fault injection, settable at runtime from Python (thread-safe).

Faults model what a real org does under stress: slow responses, 503s, row locks,
sessions expired by an admin, revoked refresh tokens and an exhausted daily limit.
"""
from __future__ import annotations

import threading
from collections.abc import Callable


class Faults:
    """Switchboard of injected faults; `emu.faults` is the one the server consults."""

    def __init__(self) -> None:
        self.latency_ms: int = 0
        self._lock = threading.Lock()
        self._fail: list[tuple[int, int]] = []      # (status, remaining count)
        self._lock_rows = 0
        self._on_expire: Callable[[], None] = lambda: None
        self._on_revoke: Callable[[str], bool] = lambda token: False

    def bind(self, on_expire: Callable[[], None], on_revoke: Callable[[str], bool]) -> None:
        """Connect the session actions to the emulator's OAuth registry."""
        self._on_expire, self._on_revoke = on_expire, on_revoke

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        """The next `count` API requests answer `status` (503 SERVER_UNAVAILABLE, 500...)."""
        with self._lock:
            self._fail.append((status, count))

    def lock_rows(self, count: int = 1) -> None:
        """The next `count` record writes fail with UNABLE_TO_LOCK_ROW (per record)."""
        with self._lock:
            self._lock_rows += count

    def expire_sessions(self) -> None:
        """Invalidate every access token (refresh tokens keep working)."""
        self._on_expire()

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        """Revoke one refresh token and its access tokens; True if it existed."""
        return self._on_revoke(refresh_token)

    def clear(self) -> None:
        """Remove every pending fault and the latency."""
        with self._lock:
            self.latency_ms, self._fail, self._lock_rows = 0, [], 0

    def take_failure(self) -> int | None:
        """Consume one pending request failure; returns its status or None."""
        with self._lock:
            if not self._fail:
                return None
            status, left = self._fail[0]
            if left <= 1:
                self._fail.pop(0)
            else:
                self._fail[0] = (status, left - 1)
            return status

    def take_row_lock(self) -> bool:
        """Consume one pending row-lock failure."""
        with self._lock:
            if self._lock_rows <= 0:
                return False
            self._lock_rows -= 1
            return True
