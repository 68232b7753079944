"""RQ job functions: each one is thin and delegates to app.services."""
from __future__ import annotations

import dataclasses
import logging
import time

from rq import get_current_job

from app.models.base import utcnow
from app.services import google_watches, graph_subscriptions, push_triggers
from app.services.idle_check import check_mailboxes
from app.services.org_change_loop import enqueue_org_polls, poll_org_changes
from app.services.ports_factory import default_ports
from app.services.sync_queue import enqueue_due
from app.services.sync_runner import run_session
from app.state import keys
from workers.context import worker_runtime

log = logging.getLogger("syncline.jobs")


def heartbeat() -> float:
    """Proves the scheduler → queue → worker chain works; readiness can show its age."""
    now = time.time()
    worker_runtime().redis.client.set(keys.heartbeat(), now)
    log.info("heartbeat", extra={"ctx": {"job": "heartbeat"}})
    return now


def enqueue_due_sessions() -> int:
    """Every minute: put each mailbox whose slot has come on the sync queue."""
    return enqueue_due(worker_runtime(), utcnow())


def sync_mailbox(mailbox_id: int, trigger: str = "scheduled") -> str:
    """One session. A failure is not retried by RQ: the session sets the mailbox's next run."""
    job = get_current_job()
    return run_session(worker_runtime(), mailbox_id, trigger, default_ports, job.id if job else None)


def check_idle_mailboxes(mailbox_ids: list[int]) -> dict:
    """A batch of due CalDAV/CardDAV mailboxes: full sessions only where something changed."""
    job = get_current_job()
    return dataclasses.asdict(check_mailboxes(worker_runtime(), list(mailbox_ids), job.id if job else "direct"))


def push_followup(mailbox_id: int, trigger: str = push_triggers.TRIGGER) -> str:
    """A push (or a forced sync) arrived while a session ran: once it is over, queue the next one.
    (``trigger`` defaults for follow-ups queued before it was passed.)"""
    return push_triggers.followup(worker_runtime(), mailbox_id, trigger)


def maintain_graph_subscriptions() -> dict:
    """Create, renew and delete Graph change-notification subscriptions."""
    return dataclasses.asdict(graph_subscriptions.maintain(worker_runtime()))


def refresh_graph_subscription(subscription_pk: int, recreate: bool) -> str:
    """A lifecycle notification: renew (reauthorise) or recreate one subscription."""
    return graph_subscriptions.refresh(worker_runtime(), subscription_pk, recreate)


def subscribe_signed_in_mailbox(mailbox_id: int) -> dict:
    """A mailbox just signed in with Microsoft: its change-notification subscriptions, made now."""
    return dataclasses.asdict(graph_subscriptions.subscribe_mailbox(worker_runtime(), mailbox_id))


def maintain_google_watches() -> dict:
    """Open, replace and stop Google Calendar channels and Gmail watches."""
    return dataclasses.asdict(google_watches.maintain(worker_runtime()))


def enqueue_org_polls_job() -> int:
    """Every minute: one Salesforce change poll per connected org (not one per mailbox)."""
    return enqueue_org_polls(worker_runtime())


def poll_org_changes_job(org_pk: int) -> dict:
    """One org's poll: its changes routed to the mailboxes they concern, their sessions queued."""
    report = poll_org_changes(worker_runtime(), org_pk)
    return {"status": report.status, "changes": report.changes, "routed": report.routed}
