"""How fresh a mailbox is kept by push: whether a watcher is on it now, and when it last saw a change.

Transient by design: "live" expires with the watcher's heartbeat, so a watcher that dies shows
"not live" within one TTL without anyone cleaning up; the last change seen is kept a week.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from redis import Redis

from app.state import keys

FRESHNESS_TTL_SECONDS = 7 * 86400


@dataclass(frozen=True)
class PushFreshness:
    live: bool
    mode: str | None
    last_change_at: datetime | None


def mark_all(client: Redis, modes: Mapping[int, str | None], ttl_seconds: int) -> None:
    """One heartbeat for many mailboxes in one round trip: a mode marks it live, None not live."""
    pipe = client.pipeline(transaction=False)
    for mailbox_id, mode in modes.items():
        if mode is None:
            pipe.delete(keys.push_live(mailbox_id))
        else:
            pipe.set(keys.push_live(mailbox_id), mode, ex=max(1, ttl_seconds))
    pipe.execute()


def mark_down(client: Redis, mailbox_id: int) -> None:
    client.delete(keys.push_live(mailbox_id))


def record_change(client: Redis, mailbox_id: int, at: datetime) -> None:
    key = keys.push_freshness(mailbox_id)
    client.hset(key, "last_change_at", at.astimezone(UTC).isoformat())
    client.expire(key, FRESHNESS_TTL_SECONDS)


def read(client: Redis, mailbox_id: int) -> PushFreshness:
    pipe = client.pipeline(transaction=False)
    pipe.get(keys.push_live(mailbox_id))
    pipe.hget(keys.push_freshness(mailbox_id), "last_change_at")
    mode, changed = pipe.execute()
    return PushFreshness(mode is not None, mode.decode() if mode else None,
                         datetime.fromisoformat(changed.decode()) if changed else None)
