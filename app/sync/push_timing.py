"""When push acts: a burst of changes becomes one session, and a lost connection is retried with
capped exponential backoff and full jitter (so a server restart is not met by every watcher at once).

Pure: clocks and randomness are passed in; the watcher process applies the answers.
"""
from __future__ import annotations

import random
import threading
from collections.abc import Callable


def reconnect_delay(failures: int, base: float = 1.0, cap: float = 300.0,
                    rand: Callable[[], float] = random.random) -> float:
    """Seconds to wait before reconnect attempt number ``failures`` (1 = the first retry): a uniform
    draw up to ``min(cap, base * 2 ** (failures - 1))`` ("full jitter"), never below 10 % of it."""
    ceiling = min(cap, base * float(2 ** max(0, failures - 1)))
    return ceiling * (0.1 + 0.9 * rand())


class Debouncer:
    """Per mailbox: the first change opens a window; it fires once the mailbox has been quiet for
    ``quiet`` seconds, or ``longest`` seconds after the first change however busy it stays.

    Thread-safe: watch threads call ``changed``; one loop calls ``due`` and fires what it returns.
    A mailbox whose firing failed is handed back with ``retry`` and fires again later, so a change
    is never dropped."""

    def __init__(self, quiet: float, longest: float, clock: Callable[[], float]) -> None:
        self.quiet, self.longest, self.clock = quiet, max(quiet, longest), clock
        self._open: dict[int, tuple[float, float]] = {}    # mailbox → (first change, last change)
        self._lock = threading.Lock()

    def changed(self, mailbox_id: int) -> None:
        now = self.clock()
        with self._lock:
            first, _ = self._open.get(mailbox_id, (now, now))
            self._open[mailbox_id] = (first, now)

    def due(self) -> list[int]:
        """Mailboxes whose window is over, removed from the pending set."""
        now = self.clock()
        with self._lock:
            ready = [m for m, (first, last) in self._open.items()
                     if now - last >= self.quiet or now - first >= self.longest]
            for mailbox_id in ready:
                del self._open[mailbox_id]
        return ready

    def retry(self, mailbox_id: int) -> None:
        """Firing failed (Redis down): keep it pending, due again after the quiet time."""
        self.changed(mailbox_id)

    def pending(self) -> set[int]:
        with self._lock:
            return set(self._open)
