"""Per-org API budget in Redis: the last `Sforce-Limit-Info` seen, the reserve, and rate pauses.

Workers and the scheduler read the same keys (`paused_until`, `usage`) to decide whether an
org's Salesforce work may run; the client checks them before every call.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass

import redis

from app.providers.salesforce.errors import ApiBudgetExhausted, OrgPaused
from app.state import keys

DEFAULT_RESERVE = 0.20
DEFAULT_RATE_PAUSE_S = 15 * 60
USAGE_TTL_S = 26 * 3600            # the allocation is a rolling 24 h window
_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")


@dataclass(frozen=True)
class ApiUsage:
    used: int
    max: int
    at: float

    @property
    def fraction(self) -> float:
        return self.used / self.max if self.max else 0.0


def parse_limit_info(header: str | None) -> tuple[int, int] | None:
    """(used, max) from `Sforce-Limit-Info: api-usage=18/5000[; per-app-api-usage=…]`."""
    match = _USAGE.search(header or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


class ApiBudget:
    """Reads and writes one org's usage and pause keys; cheap enough to consult on every call."""

    def __init__(self, client: redis.Redis, org_key: str, reserve: float = DEFAULT_RESERVE,
                 rate_pause_s: int = DEFAULT_RATE_PAUSE_S, clock: Callable[[], float] = time.time):
        if not 0 <= reserve < 1:
            raise ValueError("reserve must be in [0, 1)")
        self.redis, self.org_key, self.reserve = client, org_key, reserve
        self.rate_pause_s, self.clock = rate_pause_s, clock

    def record(self, used: int, maximum: int) -> None:
        """Store the usage the latest response reported (one round trip)."""
        key = keys.salesforce_api_usage(self.org_key)
        pipe = self.redis.pipeline(transaction=False)
        pipe.hset(key, mapping={"used": used, "max": maximum, "at": self.clock()})
        pipe.expire(key, USAGE_TTL_S)
        pipe.execute()

    def usage(self) -> ApiUsage | None:
        raw = self.redis.hgetall(keys.salesforce_api_usage(self.org_key))
        if not raw:
            return None
        return ApiUsage(int(raw[b"used"]), int(raw[b"max"]), float(raw[b"at"]))

    def paused_until(self) -> float | None:
        """Epoch seconds of the current pause, or None when the org may run."""
        raw = self.redis.get(keys.salesforce_paused_until(self.org_key))
        until = float(raw) if raw else None
        return until if until and until > self.clock() else None

    def pause(self, seconds: float | None = None) -> float:
        """Pause the org's work (REQUEST_LIMIT_EXCEEDED has no Retry-After); returns the end time."""
        duration = self.rate_pause_s if seconds is None else seconds
        until = self.clock() + duration
        self.redis.set(keys.salesforce_paused_until(self.org_key), until, ex=max(1, int(duration) + 1))
        return until

    def resume(self) -> None:
        self.redis.delete(keys.salesforce_paused_until(self.org_key))

    def check(self, essential: bool = False) -> None:
        """Raise OrgPaused during a pause, ApiBudgetExhausted past the reserve (unless essential)."""
        until = self.paused_until()
        if until is not None:
            raise OrgPaused(f"Salesforce work for org {self.org_key} is paused", until)
        usage = self.usage()
        if essential or usage is None or usage.max <= 0:
            return
        if usage.used >= usage.max * (1 - self.reserve):
            raise ApiBudgetExhausted(
                f"org {self.org_key} used {usage.used}/{usage.max} API calls; the last "
                f"{self.reserve:.0%} are kept for essential work", self.clock() + self.rate_pause_s,
                code="API_BUDGET_EXHAUSTED", status=0)
