"""RQ 3's cron scheduler, fed from workers.schedules; SIGTERM stops it cleanly, and a Redis
outage waits for Redis instead of ending the process (the next tick catches up due mailboxes)."""
from __future__ import annotations

from redis import Redis
from rq.cron import CronScheduler

from workers.reconnect import run_reconnecting
from workers.schedules import SCHEDULES, Schedule


def build_scheduler(connection: Redis, schedules: tuple[Schedule, ...] = SCHEDULES) -> CronScheduler:
    scheduler = CronScheduler(connection=connection, name="syncline-scheduler")
    for item in schedules:
        scheduler.register(item.func, queue_name=item.queue, interval=item.interval_seconds, name=item.name)
    return scheduler


def run_scheduler(connection: Redis, schedules: tuple[Schedule, ...] = SCHEDULES) -> None:
    run_reconnecting(lambda: build_scheduler(connection, schedules).start(), connection, "scheduler")
