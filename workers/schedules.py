"""Schedules as data: what the cron scheduler enqueues, and how often."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.state import queues
from workers import jobs


@dataclass(frozen=True)
class Schedule:
    name: str
    func: Callable
    queue: str
    interval_seconds: int


SCHEDULES: tuple[Schedule, ...] = (
    Schedule("heartbeat", jobs.heartbeat, queues.DEFAULT, 60),
    Schedule("enqueue-due-sessions", jobs.enqueue_due_sessions, queues.DEFAULT, 60),
    Schedule("graph-subscriptions", jobs.maintain_graph_subscriptions, queues.DEFAULT, 600),
    Schedule("google-watches", jobs.maintain_google_watches, queues.DEFAULT, 600),
    Schedule("enqueue-org-polls", jobs.enqueue_org_polls_job, queues.DEFAULT, 60),
)
