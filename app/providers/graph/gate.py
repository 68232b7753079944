"""The per-mailbox request gate the Graph adapter passes every call through.

Microsoft Learn, "Microsoft Graph service-specific throttling limits" (Outlook service): per app
and mailbox, at most 4 concurrent requests and 10,000 requests in 10 minutes. Those counts are
shared by every worker process, so the gate lives outside the adapter (which holds no storage):
the service layer injects one backed by Redis (``app/state/request_gate.py``).

A ``$batch`` counts as each of its requests against the budget, and Graph dispatches up to four of
its requests to Outlook at once (Microsoft Q&A 1660054, "Send 4 requests at the same time, but
still get MailboxConcurrency"), so a batch of n holds ``min(n, 4)`` concurrency slots.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

MAX_CONCURRENT = 4
BUDGET_REQUESTS = 9_000          # under Microsoft's 10,000: headroom for retries and clocks apart
BUDGET_WINDOW_SECONDS = 600.0


class RequestGate(Protocol):
    """Concurrency slots and a request budget for one mailbox, shared by every process.

    ``spend`` and ``acquire`` raise the core's TemporaryFailure with ``retry_after`` set when the
    budget is spent or no slot frees in time; they never wait without bound."""

    def spend(self, requests: int) -> None:
        """Count ``requests`` against the budget before they are sent."""

    def acquire(self, slots: int) -> str:
        """Hold ``slots`` concurrency slots; returns the holder token ``release`` takes."""

    def release(self, holder: str) -> None:
        """Give the slots back (they also expire on their own if the process dies)."""


class OpenGate:
    """No limit: for one-off tools and tests that exercise the adapter alone."""

    def spend(self, requests: int) -> None:
        return None

    def acquire(self, slots: int) -> str:
        return ""

    def release(self, holder: str) -> None:
        return None


def batch_slots(requests: int) -> int:
    """Concurrency slots a ``$batch`` of ``requests`` takes (Graph runs up to four of them at once)."""
    return max(1, min(requests, MAX_CONCURRENT))


@contextmanager
def gated(gate: RequestGate, requests: int, slots: int) -> Iterator[None]:
    """Spend the budget, hold the slots while the block sends, release them whatever happens."""
    gate.spend(requests)
    holder = gate.acquire(slots)
    try:
        yield
    finally:
        gate.release(holder)
