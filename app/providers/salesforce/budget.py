"""Per-org API budget: the last `Sforce-Limit-Info` seen, the reserve, and honest rate pauses.

Workers, the scheduler and the admin API read the same store (`paused_until`, `usage`) to
decide and show whether an org's Salesforce work may run; the client checks before every call.
Cached usage over the reserve is not trusted for a day: it is re-read cheaply from `/limits`
at most every `recheck_s`, so background work resumes as soon as Salesforce shows room.
"""
from __future__ import annotations

import re
import time
from collections.abc import Callable

from app.providers.salesforce.errors import ApiBudgetExhausted, OrgPaused
from app.providers.salesforce.stores import ApiUsage, BudgetStore

DEFAULT_RESERVE = 0.20
DEFAULT_RATE_PAUSE_S = 5 * 60      # REQUEST_LIMIT_EXCEEDED has no Retry-After: wait, then re-read /limits
LIMITS_RECHECK_S = 5 * 60          # at most one /limits re-read per org per window while over the reserve
USAGE_TTL_S = 26 * 3600            # the allocation is a rolling 24 h window
_USAGE = re.compile(r"(?:^|[;,\s])api-usage=(\d+)/(\d+)")

LimitsReader = Callable[[], tuple[int, int] | None]

__all__ = ["ApiBudget", "ApiUsage", "LimitsReader", "parse_limit_info", "parse_limits"]


def parse_limit_info(header: str | None) -> tuple[int, int] | None:
    """(used, max) from `Sforce-Limit-Info: api-usage=18/5000[; per-app-api-usage=…]`."""
    match = _USAGE.search(header or "")
    return (int(match.group(1)), int(match.group(2))) if match else None


def parse_limits(body: object) -> tuple[int, int] | None:
    """(used, max) from the Limits resource: `{"DailyApiRequests": {"Max": 15000, "Remaining": 14998}}`."""
    daily = body.get("DailyApiRequests") if isinstance(body, dict) else None
    try:
        maximum, remaining = int(daily["Max"]), int(daily["Remaining"])     # type: ignore[index]
    except (KeyError, TypeError, ValueError):
        return None
    return max(0, maximum - remaining), maximum


class ApiBudget:
    """One org's usage and pauses over a BudgetStore; cheap enough to consult on every call."""

    def __init__(self, store: BudgetStore, org_pk: int, reserve: float = DEFAULT_RESERVE,
                 rate_pause_s: int = DEFAULT_RATE_PAUSE_S, clock: Callable[[], float] = time.time,
                 recheck_s: float = LIMITS_RECHECK_S):
        if not 0 <= reserve < 1:
            raise ValueError("reserve must be in [0, 1)")
        self.store, self.org_pk, self.reserve = store, org_pk, reserve
        self.rate_pause_s, self.clock, self.recheck_s = rate_pause_s, clock, recheck_s

    def record(self, used: int, maximum: int) -> None:
        """Store the usage Salesforce just reported (a response header or /limits)."""
        self.store.record_usage(self.org_pk, ApiUsage(used, maximum, self.clock()), USAGE_TTL_S)

    def usage(self) -> ApiUsage | None:
        return self.store.usage(self.org_pk)

    def paused_until(self) -> float | None:
        """When background work may run again (epoch seconds), or None when it may run now:
        a rate-limit pause, else - while cached usage is over the reserve - its next /limits re-read."""
        until = self.rate_limited_until()
        if until is not None:
            return until
        usage = self.usage()
        if usage is None or not self._over_reserve(usage):
            return None
        return max(usage.at + self.recheck_s, self.clock())

    def rate_limited_until(self) -> float | None:
        """End of a REQUEST_LIMIT_EXCEEDED pause (blocks essential work too), or None."""
        until = self.store.paused_until(self.org_pk)
        return until if until and until > self.clock() else None

    def pause(self, seconds: float | None = None) -> float:
        """Pause the org's work (REQUEST_LIMIT_EXCEEDED has no Retry-After); returns the end time."""
        duration = self.rate_pause_s if seconds is None else seconds
        until = self.clock() + duration
        self.store.pause(self.org_pk, until, int(duration) + 1)
        return until

    def resume(self) -> None:
        self.store.resume(self.org_pk)

    def check(self, essential: bool = False, reread: LimitsReader | None = None) -> None:
        """Raise OrgPaused during a pause, ApiBudgetExhausted past the reserve (unless essential).

        Over the reserve, `reread` (a /limits call) refreshes the cached usage at most once per
        `recheck_s` per org; the error's `paused_until` is when the next re-read is due.
        """
        until = self.rate_limited_until()
        if until is not None:
            raise OrgPaused(f"Salesforce work for org {self.org_pk} is paused (API request limit)", until)
        usage = self.usage()
        if essential or usage is None or not self._over_reserve(usage):
            return
        usage = self._reread(usage, reread)
        if self._over_reserve(usage):
            raise ApiBudgetExhausted(
                f"org {self.org_pk} used {usage.used}/{usage.max} API calls; the last "
                f"{self.reserve:.0%} are kept for essential work", self._next_recheck(usage),
                code="API_BUDGET_EXHAUSTED", status=0)

    def _reread(self, usage: ApiUsage, reread: LimitsReader | None) -> ApiUsage:
        """Fresh usage from /limits when the cached figure is older than `recheck_s` and this
        process won the org's re-check claim; otherwise the cached figure."""
        if reread is None or self.clock() < usage.at + self.recheck_s:
            return usage
        if not self.store.claim_limits_recheck(self.org_pk, self.recheck_s):
            return usage
        fresh = reread()
        if fresh is None:
            return usage
        self.record(*fresh)
        return ApiUsage(*fresh, self.clock())

    def _over_reserve(self, usage: ApiUsage) -> bool:
        return usage.max > 0 and usage.used >= usage.max * (1 - self.reserve)

    def _next_recheck(self, usage: ApiUsage) -> float:
        """When a refused caller should come back: the next re-read, never "now" (no hammering)."""
        due = usage.at + self.recheck_s
        now = self.clock()
        return due if due > now else now + self.recheck_s
