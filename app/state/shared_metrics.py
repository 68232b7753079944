"""Sync metrics every process adds to in Redis, so one scrape of /metrics shows what all the
workers did: a worker has no HTTP port of its own, and a per-process registry would lose its
counts at every restart and show only the process the scraper happened to reach."""
from __future__ import annotations

from collections.abc import Mapping

from redis import Redis

from app.state import keys

_SEP = "\x1f"


def count_session(client: Redis, status: str, seconds: float,
                  items: Mapping[str, Mapping[str, int]] | None = None) -> None:
    """One finished session: its status, how long it took and its items by kind and action."""
    pipe = client.pipeline(transaction=False)
    pipe.hincrby(keys.metrics_sessions(), status, 1)
    pipe.hincrbyfloat(keys.metrics_session_seconds(), status, max(seconds, 0.0))
    for kind, actions in (items or {}).items():
        for action, n in actions.items():
            if n:
                pipe.hincrby(keys.metrics_items(), f"{kind}{_SEP}{action}", int(n))
    pipe.execute()


def count_idle_checks(client: Redis, results: Mapping[str, int]) -> None:
    """One idle-check job's mailboxes by result (unchanged, session, busy)."""
    pipe = client.pipeline(transaction=False)
    for result, n in results.items():
        if n:
            pipe.hincrby(keys.metrics_idle_checks(), result, int(n))
    pipe.execute()


def idle_checks(client: Redis) -> dict[str, int]:
    """result → mailboxes checked with that result."""
    return {_text(k): int(v) for k, v in client.hgetall(keys.metrics_idle_checks()).items()}


def set_push_connections(client: Redis, kind: str, owner: str, live: int, ttl_seconds: int) -> None:
    """A push process's live connections of one kind; the gauge lapses if the process dies."""
    client.set(keys.metrics_push_connections(kind, owner.replace(":", "_")), int(live), ex=max(ttl_seconds, 1))


def sessions(client: Redis) -> dict[str, tuple[int, float]]:
    """status → (sessions, seconds spent in them)."""
    counts, seconds = client.hgetall(keys.metrics_sessions()), client.hgetall(keys.metrics_session_seconds())
    return {_text(k): (int(v), float(seconds.get(k, 0))) for k, v in counts.items()}


def items(client: Redis) -> dict[tuple[str, str], int]:
    """(kind, action) → items."""
    out: dict[tuple[str, str], int] = {}
    for field, n in client.hgetall(keys.metrics_items()).items():
        kind, _, action = _text(field).partition(_SEP)
        out[(kind, action)] = int(n)
    return out


def push_connections(client: Redis) -> dict[str, int]:
    """kind → live connections summed over the processes that reported recently."""
    totals: dict[str, int] = {}
    for key in client.scan_iter(match=keys.metrics_push_connections("*", "*"), count=500):
        kind = _text(key).split(":")[-2]
        value = client.get(key)
        if value is not None:
            totals[kind] = totals.get(kind, 0) + int(value)
    return totals


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value
