"""Time shortened: the product's durations, scaled so that a 30-minute sync interval becomes
a few seconds and a whole fault matrix runs in minutes.

The sync interval is a real org setting (`sync_interval_minutes`, stored as a fraction of a
minute). The other durations are module constants of the product, so the worker and the
scheduler the bench starts (`python -m bench.fault_matrix.timescale worker|scheduler`)
scale them in their own process before running the product's own loop. Each is scaled by
the same factor (interval / 30 min) with a floor, and `patch_product` says which it found.
"""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, replace
from functools import partial

ENV = "SYNCLINE_BENCH_INTERVAL_S"
PRODUCT_INTERVAL_S = 30 * 60


@dataclass(frozen=True)
class TimeScale:
    """`interval_s` is the bench's sync interval; everything else follows from it."""

    interval_s: float

    @property
    def factor(self) -> float:
        return self.interval_s / PRODUCT_INTERVAL_S

    def scaled(self, seconds: float, floor: float) -> float:
        return max(floor, seconds * self.factor)

    @property
    def tick_s(self) -> int:
        """The scheduler's 60 s tick (enqueue due mailboxes), scaled."""
        return int(self.scaled(60, 1))

    @property
    def sync_interval_minutes(self) -> float:
        return self.interval_s / 60

    def env(self) -> dict[str, str]:
        return {ENV: str(self.interval_s)}

    @classmethod
    def from_env(cls) -> TimeScale:
        return cls(float(os.environ[ENV]))


def patch_product(scale: TimeScale) -> list[str]:
    """Scale the session lease, the failed-session backoff, dead-worker grace and the rate-limit
    pause and /limits re-read; returns `name=value` for each one found (a renamed constant is
    skipped, not guessed)."""
    from app.providers.salesforce import budget, connect
    from app.services import scheduling, sync_queue, sync_runner

    patched = []
    for module, name, floor in ((sync_runner, "LEASE_SECONDS", 3), (sync_queue, "STARTUP_GRACE_SECONDS", 3),
                                (scheduling, "RETRY_BASE_SECONDS", 1), (scheduling, "RETRY_CAP_SECONDS", 2)):
        if hasattr(module, name):
            setattr(module, name, int(scale.scaled(getattr(module, name), floor)))
            patched.append(f"{name.lower()}={getattr(module, name)}")
    if hasattr(connect, "ApiBudget") and hasattr(budget, "DEFAULT_RATE_PAUSE_S"):
        pause = int(scale.scaled(budget.DEFAULT_RATE_PAUSE_S, 2))
        recheck = scale.scaled(getattr(budget, "LIMITS_RECHECK_S", 300), 2)
        connect.ApiBudget = partial(budget.ApiBudget, rate_pause_s=pause, recheck_s=recheck)  # type: ignore[misc]
        patched.append(f"rate_limit_pause_s={pause}")
        patched.append(f"limits_recheck_s={recheck:g}")
    return patched


def scaled_schedules(scale: TimeScale) -> tuple:
    """The product's schedules (whatever they are) with their intervals scaled."""
    from workers.schedules import SCHEDULES

    return tuple(replace(s, interval_seconds=int(scale.scaled(s.interval_seconds, 1))) for s in SCHEDULES)


def run(role: str) -> None:
    """The product's worker or cron scheduler, in time shortened by the environment's scale."""
    from app import create_app
    from workers.scheduler import run_scheduler
    from workers.worker import run_worker

    scale = TimeScale.from_env()
    print(f"time scale: interval {scale.interval_s}s, {', '.join(patch_product(scale))}", flush=True)  # read by the bench
    rt = create_app().extensions["syncline"]
    if role == "worker":
        run_worker(rt)
    else:
        run_scheduler(rt.redis.client, scaled_schedules(scale))


if __name__ == "__main__":
    run(sys.argv[1] if len(sys.argv) > 1 else "worker")
