"""Counts every request sent to the mail and DAV servers, so benchmarks can report calls per item."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass
class RequestCounter:
    """One count per protocol (``imap``, ``dav``); an IMAP command or an HTTP request is one call."""

    by_protocol: Counter = field(default_factory=Counter)

    def add(self, protocol: str, n: int = 1) -> None:
        self.by_protocol[protocol] += n

    @property
    def total(self) -> int:
        return sum(self.by_protocol.values())

    def reset(self) -> None:
        self.by_protocol.clear()
