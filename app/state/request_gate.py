"""A provider's per-mailbox ``RequestGate`` on Redis, so every worker process shares one mailbox's limits
(Graph: 4 slots and 10,000 requests / 10 min; Google: quota units or requests per minute per user).

Concurrency: a sorted set of slot holders scored by when each slot expires; a process killed
while it holds slots never keeps them past ``slot_ttl`` (longer than any request may take).
Budget: units (requests, or Gmail's quota units) counted per ``bucket`` in one hash; a call is
refused when the last ``window`` plus the current bucket already hold the budget, so no sliding
window of that length ever exceeds it.
Both checks are one Lua script each (atomic across processes).
"""
from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Callable

from redis import Redis

from app.state import keys
from app.sync.errors import Throttled

BUCKET_SECONDS = 60.0
SLOT_WAIT_SECONDS = 30.0        # a slot held longer than this by others: give the session back

_ACQUIRE = """
redis.call('zremrangebyscore', KEYS[1], '-inf', ARGV[1])
local wanted = tonumber(ARGV[5])
if redis.call('zcard', KEYS[1]) + wanted > tonumber(ARGV[3]) then return 0 end
for i = 1, wanted do redis.call('zadd', KEYS[1], ARGV[2], ARGV[4] .. ':' .. i) end
redis.call('pexpire', KEYS[1], ARGV[6])
return 1
"""
_RELEASE = """
for i = 1, tonumber(ARGV[2]) do redis.call('zrem', KEYS[1], ARGV[1] .. ':' .. i) end
return 1
"""
_SPEND = """
local now, span = tonumber(ARGV[1]), tonumber(ARGV[4])
local flat = redis.call('hgetall', KEYS[1])
local total, kept = 0, {}
for i = 1, #flat, 2 do
  local bucket = tonumber(flat[i])
  if bucket < now - span then redis.call('hdel', KEYS[1], flat[i])
  else total = total + tonumber(flat[i + 1]); kept[#kept + 1] = bucket; kept[#kept + 1] = tonumber(flat[i + 1]) end
end
if total + tonumber(ARGV[2]) > tonumber(ARGV[3]) then return {0, kept} end
redis.call('hincrby', KEYS[1], ARGV[1], ARGV[2])
redis.call('pexpire', KEYS[1], ARGV[5])
return {1, kept}
"""


def mailbox_gate_id(client_id: str, user: str) -> str:
    """Vendors count per app and mailbox; the key carries a digest, not the address."""
    return hashlib.sha256(f"{client_id}\n{user.strip().lower()}".encode()).hexdigest()[:32]


class RedisRequestGate:
    """One mailbox's concurrency slots and budget at one vendor, shared through Redis.

    ``service`` ("Graph", "Gmail"…) names the keys and the messages; ``unit`` what the budget counts."""

    def __init__(self, client: Redis, mailbox_id: str, *, max_concurrent: int, budget: int, window: float,
                 bucket: float = BUCKET_SECONDS, slot_ttl: float = 70.0, slot_wait: float = SLOT_WAIT_SECONDS,
                 clock: Callable[[], float] = time.time, sleep: Callable[[float], None] = time.sleep,
                 service: str = "Graph", unit: str = "requests") -> None:
        self.client, self.service, self.unit = client, service, unit
        self.slots_key = keys.gate_slots(service.lower().replace(" ", "-"), mailbox_id)
        self.budget_key = keys.gate_budget(service.lower().replace(" ", "-"), mailbox_id)
        self.max_concurrent, self.budget, self.bucket = max_concurrent, budget, bucket
        self.span = max(1, round(window / bucket))
        self.slot_ttl, self.slot_wait, self.clock, self.sleep = slot_ttl, slot_wait, clock, sleep

    def spend(self, requests: int) -> None:
        now = self.clock()
        current = int(now // self.bucket)
        ttl_ms = int((self.span + 1) * self.bucket * 1000)
        allowed, kept = self.client.eval(_SPEND, 1, self.budget_key, current, requests, self.budget, self.span, ttl_ms)
        if not allowed:
            counts = sorted(zip(kept[::2], kept[1::2], strict=True))
            wait = self._until_room(counts, requests, now)
            raise Throttled(f"this mailbox's {self.service} budget ({self.budget} {self.unit} per "
                                   f"{int(self.span * self.bucket)} s) is spent; resuming in {wait:.0f} s",
                                   retry_after=wait)

    def acquire(self, slots: int) -> str:
        wanted = max(1, min(slots, self.max_concurrent))
        holder = f"{secrets.token_hex(8)}.{wanted}"
        deadline, pause = self.clock() + self.slot_wait, 0.02
        while True:
            now = self.clock()
            if self.client.eval(_ACQUIRE, 1, self.slots_key, int(now * 1000), int((now + self.slot_ttl) * 1000),
                                self.max_concurrent, holder, wanted, int(self.slot_ttl * 1000)):
                return holder
            if now >= deadline:
                raise Throttled(f"{self.max_concurrent} {self.service} requests to this mailbox kept running for "
                                       f"{self.slot_wait:.0f} s", retry_after=self.slot_wait)
            self.sleep(pause)
            pause = min(pause * 2, 0.5)

    def release(self, holder: str) -> None:
        if holder:
            self.client.eval(_RELEASE, 1, self.slots_key, holder, int(holder.rsplit(".", 1)[1]))

    def _until_room(self, counts: list[tuple[int, int]], requests: int, now: float) -> float:
        """Seconds until enough of the oldest buckets leave the window for ``requests`` more."""
        need = sum(c for _, c in counts) + requests - self.budget
        freed = 0
        for bucket, count in counts:
            freed += count
            if freed >= need:
                return max(1.0, (bucket + self.span + 1) * self.bucket - now)
        return self.span * self.bucket
