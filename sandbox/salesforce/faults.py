"""Fault injection, settable at runtime from Python (thread-safe).

Faults model what a real org does under stress: slow responses, 503 storms, an exhausted
daily limit, row locks, sessions expired by an admin and refused refresh tokens. Each can be
injected for the next N requests or for a time window (a storm), with Salesforce's own
status codes and error bodies.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

# status → (errorCode, message) of a whole-request failure, as Salesforce answers them
FAULT_ERRORS: dict[int, tuple[str, str]] = {
    401: ("INVALID_SESSION_ID", "Session expired or invalid"),
    403: ("REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
    500: ("UNKNOWN_EXCEPTION", "An unexpected error occurred. Please include this ErrorId if you contact "
                               "support: 1234567890-12345 (-123456789)"),
    502: ("SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry"),
    503: ("SERVER_UNAVAILABLE", "Server temporarily unavailable, please retry"),
}


def fault_body(status: int) -> list[dict[str, Any]]:
    """The REST error body Salesforce sends with `status` (`[{"errorCode", "message"}]`)."""
    code, message = FAULT_ERRORS.get(status, FAULT_ERRORS[503])
    return [{"errorCode": code, "message": message}]


class Faults:
    """Switchboard of injected faults; `emu.faults` is the one the server consults."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.latency_ms: int = 0
        self.clock = clock                          # windows are measured on it (tests may replace it)
        self._lock = threading.Lock()
        self._fail: list[tuple[int, int]] = []      # (status, remaining count)
        self._fail_matching: list[tuple[str, int, int]] = []    # (text in path or query, status, remaining)
        self._storm: tuple[int, float] = (503, 0.0)     # (status, window end)
        self._lock_rows = 0
        self._lock_until = 0.0
        self._refuse_refresh = 0
        self._refuse_until = 0.0
        self._on_expire: Callable[[], None] = lambda: None
        self._on_revoke: Callable[[str], bool] = lambda token: False

    def bind(self, on_expire: Callable[[], None], on_revoke: Callable[[str], bool]) -> None:
        """Connect the session actions to the emulator's OAuth registry."""
        self._on_expire, self._on_revoke = on_expire, on_revoke

    def fail_next(self, status: int = 503, count: int = 1) -> None:
        """The next `count` API requests answer `status` (503 SERVER_UNAVAILABLE, 403
        REQUEST_LIMIT_EXCEEDED, 401 INVALID_SESSION_ID, 500 UNKNOWN_EXCEPTION)."""
        with self._lock:
            self._fail.append((status, count))

    def fail_matching(self, text: str, status: int = 500, count: int = 1) -> None:
        """The next `count` API requests whose path or SOQL contains `text` answer `status`
        (e.g. one query that a real org refuses while every other call works)."""
        with self._lock:
            self._fail_matching.append((text.lower(), status, count))

    def fail_for(self, status: int, seconds: float) -> None:
        """A storm: every API request answers `status` for the next `seconds`."""
        with self._lock:
            self._storm = (status, self._later(self._storm[1], seconds))

    def lock_rows(self, count: int = 1) -> None:
        """The next `count` record writes fail with UNABLE_TO_LOCK_ROW (per record)."""
        with self._lock:
            self._lock_rows += count

    def lock_rows_for(self, seconds: float) -> None:
        """Every record write fails with UNABLE_TO_LOCK_ROW (per record) for the next `seconds`."""
        with self._lock:
            self._lock_until = self._later(self._lock_until, seconds)

    def expire_sessions(self) -> None:
        """Invalidate every access token (refresh tokens keep working)."""
        self._on_expire()

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        """Revoke one refresh token and its access tokens; True if it existed."""
        return self._on_revoke(refresh_token)

    def refuse_refresh(self, count: int = 1) -> None:
        """The next `count` refresh-token grants answer 400 `{"error": "invalid_grant"}`."""
        with self._lock:
            self._refuse_refresh += count

    def refuse_refresh_for(self, seconds: float) -> None:
        """Every refresh-token grant answers 400 invalid_grant for the next `seconds`."""
        with self._lock:
            self._refuse_until = self._later(self._refuse_until, seconds)

    def clear(self) -> None:
        """Remove every pending fault and the latency."""
        with self._lock:
            self.latency_ms, self._fail, self._lock_rows, self._refuse_refresh = 0, [], 0, 0
            self._fail_matching = []
            self._storm, self._lock_until, self._refuse_until = (503, 0.0), 0.0, 0.0

    def take_failure(self, target: str = "") -> int | None:
        """Consume one pending request failure (or meet the storm); returns its status or None."""
        with self._lock:
            for n, (text, status, left) in enumerate(self._fail_matching):
                if text in target.lower():
                    self._fail_matching[n:n + 1] = [(text, status, left - 1)] if left > 1 else []
                    return status
            if not self._fail:
                status, until = self._storm
                return status if self.clock() < until else None
            status, left = self._fail[0]
            if left <= 1:
                self._fail.pop(0)
            else:
                self._fail[0] = (status, left - 1)
            return status

    def take_row_lock(self) -> bool:
        """Consume one pending row-lock failure (always True inside a row-lock window)."""
        with self._lock:
            if self.clock() < self._lock_until:
                return True
            if self._lock_rows <= 0:
                return False
            self._lock_rows -= 1
            return True

    def take_refresh_refusal(self) -> bool:
        """Consume one pending refresh refusal (always True inside a refusal window)."""
        with self._lock:
            if self.clock() < self._refuse_until:
                return True
            if self._refuse_refresh <= 0:
                return False
            self._refuse_refresh -= 1
            return True

    def _later(self, until: float, seconds: float) -> float:
        """A window end `seconds` from now, never shortening one still open."""
        return max(until, self.clock() + seconds)
