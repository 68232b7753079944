"""What a batch of Graph change or lifecycle notifications makes Syncline do.

Each notification is checked against the subscription it names: unknown subscriptions are
ignored (Graph may still deliver for one we deleted), a wrong clientState is forged and never
acted on. A change asks `push_triggers` for one session per mailbox, however many notifications
name it. Lifecycle events (Microsoft Learn, "Reduce missing subscriptions and change
notifications"): ``reauthorizationRequired`` → renew (which reauthorises), ``subscriptionRemoved``
→ recreate, both in a worker job so Graph gets its answer at once; ``missed`` → a delta session now.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rq import Queue

from app.runtime import Runtime
from app.services import push_triggers
from app.services.graph_subscriptions import Forged, Verified, verified
from app.state import queues

REFRESH_JOB = "workers.jobs.refresh_graph_subscription"
REAUTHORIZE, REMOVED, MISSED = "reauthorizationRequired", "subscriptionRemoved", "missed"


@dataclass
class Handled:
    """Per mailbox what the push did; how many were forged or named no subscription of ours."""

    sessions: dict[int, str] = field(default_factory=dict)
    refreshes: int = 0
    forged: int = 0
    ignored: int = 0


def handle(rt: Runtime, notifications: Sequence[Mapping[str, Any]]) -> Handled:
    """Act on change and lifecycle notifications alike (a lifecycle one carries ``lifecycleEvent``)."""
    handled, wanted = Handled(), set()
    for note in notifications:
        try:
            found = verified(rt, str(note.get("subscriptionId") or ""), str(note.get("clientState") or ""))
        except Forged:
            handled.forged += 1
            continue
        if found is None or found.mailbox_id is None:
            handled.ignored += 1
            continue
        event = str(note.get("lifecycleEvent") or "")
        if event in (REAUTHORIZE, REMOVED):
            _refresh_later(rt, found, recreate=event == REMOVED)
            handled.refreshes += 1
        else:   # a change, or ``missed``: delta finds whatever it was
            wanted.add(found.mailbox_id)
    for mailbox_id in sorted(wanted):
        handled.sessions[mailbox_id] = push_triggers.changed(rt, mailbox_id)
    return handled


def _refresh_later(rt: Runtime, found: Verified, recreate: bool) -> None:
    Queue(queues.DEFAULT, connection=rt.redis.client).enqueue(
        REFRESH_JOB, found.subscription_pk, recreate, result_ttl=600, failure_ttl=86400)
