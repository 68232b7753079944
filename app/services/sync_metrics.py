"""Prometheus metrics of the sync itself, read at scrape time from Redis and the database.

- `syncline_sync_sessions_total{status}` / `syncline_sync_session_seconds_total{status}`: finished
  sessions and the time spent in them, counted by whichever worker ran them.
- `syncline_sync_items_total{kind,action}`: items created, updated, deleted, skipped, failed.
- `syncline_sync_idle_checks_total{result}`: mailboxes the batched idle check found unchanged,
  handed to a full session, or left to the session already queued or running for them (busy).
- `syncline_sync_queue_depth{queue}`: jobs waiting in each RQ queue.
- `syncline_sync_mailboxes{status}`, `syncline_sync_overdue_mailboxes` and
  `syncline_sync_lag_seconds`: how late the most overdue active mailbox is past its due time.
- `syncline_push_connections{kind}`: live push channels (Graph subscriptions, Google watches, and the
  connections push processes report: `imap` IDLE/NOOP connections and `dav` polled mailboxes
  of every `syncline push-watcher`).
"""
from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector
from rq import Queue
from sqlalchemy import func, select

from app.models import GoogleWatch, GraphSubscription, Mailbox
from app.models.base import utcnow
from app.runtime import Runtime
from app.state import queues, shared_metrics


def record_idle_check(rt: Runtime, unchanged: int, sessions: int, busy: int) -> None:
    """Count one idle-check job's answers; best effort, like ``record_session``."""
    try:
        shared_metrics.count_idle_checks(rt.redis.client, {"unchanged": unchanged, "session": sessions,
                                                           "busy": busy})
    except Exception:   # noqa: BLE001 - metrics are best effort
        pass


def record_session(rt: Runtime, status: str, started_at: datetime | None, counts: dict | None) -> None:
    """Count a finished session; never lets a metrics outage fail the session it measures."""
    seconds = (utcnow() - started_at).total_seconds() if started_at else 0.0
    items = {kind: {a: n for a, n in actions.items() if isinstance(n, int) and not isinstance(n, bool)}
             for kind, actions in (counts or {}).items() if isinstance(actions, dict)}
    try:
        shared_metrics.count_session(rt.redis.client, status, seconds, items)
    except Exception:   # noqa: BLE001 - metrics are best effort; the session record is the truth
        pass


class SyncMetricsCollector(Collector):
    def __init__(self, rt: Runtime) -> None:
        self.rt = rt

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        client = self.rt.redis.client
        sessions = CounterMetricFamily("syncline_sync_sessions", "Finished sync sessions by status",
                                       labels=["status"])
        seconds = CounterMetricFamily("syncline_sync_session_seconds", "Seconds spent in sync sessions",
                                      labels=["status"])
        for status, (n, spent) in sorted(shared_metrics.sessions(client).items()):
            sessions.add_metric([status], n)
            seconds.add_metric([status], spent)
        items = CounterMetricFamily("syncline_sync_items", "Items synced by kind and action",
                                    labels=["kind", "action"])
        for (kind, action), n in sorted(shared_metrics.items(client).items()):
            items.add_metric([kind, action], n)
        checks = CounterMetricFamily("syncline_sync_idle_checks", "Mailboxes checked by the batched idle check",
                                     labels=["result"])
        for result, n in sorted(shared_metrics.idle_checks(client).items()):
            checks.add_metric([result], n)
        depth = GaugeMetricFamily("syncline_sync_queue_depth", "Jobs waiting per queue", labels=["queue"])
        for name in queues.ALL:
            depth.add_metric([name], Queue(name, connection=client).count)
        yield from (sessions, seconds, items, checks, depth)
        yield from self._mailboxes()
        yield self._push()

    def _mailboxes(self) -> Iterator[GaugeMetricFamily]:
        now = utcnow()
        by_status = GaugeMetricFamily("syncline_sync_mailboxes", "Mailboxes by status", labels=["status"])
        with self.rt.db.session_scope() as s:
            for status, n in s.execute(select(Mailbox.status, func.count()).group_by(Mailbox.status)):
                by_status.add_metric([status], n)
            due = select(Mailbox.next_sync_at).where(Mailbox.status == "active", Mailbox.next_sync_at < now)
            overdue = s.scalar(select(func.count()).select_from(due.subquery())) or 0
            oldest = s.scalar(select(func.min(Mailbox.next_sync_at)).where(
                Mailbox.status == "active", Mailbox.next_sync_at < now))
        yield by_status
        yield GaugeMetricFamily("syncline_sync_overdue_mailboxes", "Active mailboxes past their due time",
                                value=overdue)
        lag = (now - oldest).total_seconds() if oldest else 0.0
        yield GaugeMetricFamily("syncline_sync_lag_seconds", "How late the most overdue active mailbox is",
                                value=lag)

    def _push(self) -> GaugeMetricFamily:
        live = GaugeMetricFamily("syncline_push_connections", "Live push channels by kind", labels=["kind"])
        totals = shared_metrics.push_connections(self.rt.redis.client)
        with self.rt.db.session_scope() as s:
            totals["graph"] = totals.get("graph", 0) + (s.scalar(select(func.count()).select_from(
                GraphSubscription).where(GraphSubscription.mailbox_id.is_not(None),
                                         GraphSubscription.expires_at > utcnow())) or 0)
            totals["google"] = totals.get("google", 0) + (s.scalar(select(func.count()).select_from(
                GoogleWatch).where(GoogleWatch.mailbox_id.is_not(None), GoogleWatch.expires_at > utcnow())) or 0)
        for kind, n in sorted(totals.items()):
            live.add_metric([kind], n)
        return live


def register_sync_metrics(rt: Runtime) -> None:
    rt.metrics.registry.register(SyncMetricsCollector(rt))
