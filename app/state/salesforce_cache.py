"""Redis implementations of the Salesforce adapter's stores: API budget, refresh lock, describe cache.

All of it is transient or rebuildable (usage is re-read from Salesforce, describes expire), so
Redis is its home; the key formats live in `app.state.keys`.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import redis
from redis.exceptions import LockError

from app.providers.salesforce.stores import ApiUsage
from app.state import keys


class RedisBudgetStore:
    """Per-org usage hash, pause key and /limits re-check claim."""

    def __init__(self, client: redis.Redis):
        self.redis = client

    def record_usage(self, org_pk: int, usage: ApiUsage, ttl_s: int) -> None:
        key = keys.salesforce_api_usage(org_pk)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(key, mapping={"used": usage.used, "max": usage.max, "at": usage.at})
        pipe.expire(key, ttl_s)
        pipe.execute()

    def usage(self, org_pk: int) -> ApiUsage | None:
        raw = self.redis.hgetall(keys.salesforce_api_usage(org_pk))
        if not raw:
            return None
        return ApiUsage(int(raw[b"used"]), int(raw[b"max"]), float(raw[b"at"]))

    def paused_until(self, org_pk: int) -> float | None:
        raw = self.redis.get(keys.salesforce_paused_until(org_pk))
        return float(raw) if raw else None

    def pause(self, org_pk: int, until: float, ttl_s: int) -> None:
        self.redis.set(keys.salesforce_paused_until(org_pk), until, ex=max(1, ttl_s))

    def resume(self, org_pk: int) -> None:
        self.redis.delete(keys.salesforce_paused_until(org_pk))

    def claim_limits_recheck(self, org_pk: int, seconds: float) -> bool:
        """SET NX with a TTL: one re-read per window, however many workers ask."""
        return bool(self.redis.set(keys.salesforce_limits_recheck(org_pk), time.time(),
                                   nx=True, px=max(1, int(seconds * 1000))))


class RedisRefreshLock:
    """A Redis lock per connection; expires by itself if its holder dies."""

    def __init__(self, client: redis.Redis):
        self.redis = client

    @contextmanager
    def hold(self, connection_id: int, timeout_s: float) -> Iterator[bool]:
        lock = self.redis.lock(keys.salesforce_refresh_lock(connection_id), timeout=timeout_s,
                               blocking_timeout=timeout_s)
        acquired = bool(lock.acquire())
        try:
            yield acquired
        finally:
            if acquired:
                try:
                    lock.release()
                except LockError:
                    pass    # the lock expired while we worked; nothing to give back


class RedisDescribeCache:
    """Trimmed describe JSON per org and sObject, expiring after its TTL."""

    def __init__(self, client: redis.Redis):
        self.redis = client

    def get(self, org_pk: int, sobject: str) -> str | None:
        raw = self.redis.get(keys.salesforce_describe(org_pk, sobject))
        return raw.decode() if isinstance(raw, bytes) else raw

    def put(self, org_pk: int, sobject: str, payload: str, ttl_s: int) -> None:
        self.redis.set(keys.salesforce_describe(org_pk, sobject), payload, ex=ttl_s)

    def forget(self, org_pk: int, sobject: str) -> None:
        self.redis.delete(keys.salesforce_describe(org_pk, sobject))
