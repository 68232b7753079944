"""Which push watchers are alive, so that several (one per host) share the mailboxes and orgs
instead of each watching all of them.

Each watcher renews its own entry on every reconcile; an entry not renewed within its TTL (a
watcher that died) drops out, and its share passes to the others at their next reconcile.
Expiries are Redis's own clock, so hosts whose clocks disagree still agree on who is alive.
"""
from __future__ import annotations

from redis import Redis

from app.state import keys


def renew(client: Redis, group: str, member: str, ttl_seconds: float) -> list[str]:
    """Keep ``member`` alive for ``ttl_seconds`` more; returns the group's live members, sorted."""
    seconds, micros = client.time()
    now = seconds + micros / 1e6
    key = keys.push_members(group)
    pipe = client.pipeline(transaction=True)
    pipe.zadd(key, {member: now + ttl_seconds})
    pipe.zremrangebyscore(key, "-inf", now)
    pipe.zrange(key, 0, -1)
    pipe.expire(key, max(1, int(ttl_seconds * 2)))
    members = pipe.execute()[2]
    return sorted(m.decode() if isinstance(m, bytes) else str(m) for m in members)


def leave(client: Redis, group: str, member: str) -> None:
    """A watcher stopping gracefully: its share passes to the others at their next reconcile."""
    client.zrem(keys.push_members(group), member)
