"""One Salesforce change loop per org: poll every synced object once for the whole org, route
each change to the mailboxes it concerns as durable work, and queue those mailboxes' sessions.

Polls of one org never overlap (a Redis lease): the fanned-out rows of one poll are committed
in the same transaction as the feed's new window, so a crash re-polls the same window and a
mailbox cursor (the id of the last row read) never skips a row of an earlier poll. The very
first poll of an object only opens its window (mailboxes read their owner's records in full
on their first session); a window past the 15-day deletion horizon restarts the feed with a
new epoch, which makes every mailbox of the org read its owner's records in full once.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from rq import Queue
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mailbox, Org, OrgFeedState, SalesforceConnection
from app.models.base import utcnow
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.connect import connect_org
from app.providers.salesforce.crm_translate import salesforce_edge
from app.providers.salesforce.org_feed import (
    RELATION_OBJECT,
    ObjectPoll,
    ObjectWindow,
    OrgChange,
    event_invitees,
    fold_relations,
    poll_org,
)
from app.runtime import Runtime
from app.services import push_triggers
from app.services.change_routing import route_changes
from app.services.mappings import effective
from app.services.salesforce_usage_metrics import record_poll
from app.services.settings import org_settings
from app.services.sync_policy import CALENDAR_TABLES
from app.services.sync_queue import enqueue_session, pending_job
from app.state import keys, queues
from app.state.locks import Lease
from app.sync.errors import CursorExpired

log = logging.getLogger("syncline.sync")
POLL_JOB = "workers.jobs.poll_org_changes_job"
LEASE_SECONDS = 60
TABLES = ("task_as_task", "contact_as_contact")


@dataclass
class PollReport:
    """What one org poll did (the job's result and log line)."""

    status: str = "polled"                        # polled | busy | opened | restarted
    read: int = 0
    changes: int = 0
    routed: int = 0
    mailboxes: list[int] = field(default_factory=list)


def synced_objects(org: Org, s: Session) -> list[str]:
    """The objects the org's mapping tables mirror (calendar as Event or Task, tasks, contacts),
    and EventRelation beside Event (invitees added or removed later)."""
    names = (CALENDAR_TABLES[org_settings(org)["calendar_sync_as"]], *TABLES)
    objects = {effective(s, org.id, name)[0].object_type for name in names}
    return sorted(objects | ({RELATION_OBJECT} if "Event" in objects else set()))


def poll_org_changes(rt: Runtime, org_pk: int, now: datetime | None = None) -> PollReport:
    """One poll of one org; "busy" when another poll of it holds the lease."""
    lease = Lease(rt.redis.client, keys.org_poll_lock(org_pk), LEASE_SECONDS)
    if not lease.acquire():
        return PollReport("busy")
    try:
        with lease.kept_alive():
            return _poll_locked(rt, org_pk, now or utcnow())
    finally:
        lease.release()


def _poll_locked(rt: Runtime, org_pk: int, now: datetime) -> PollReport:
    with rt.db.session_scope() as s:
        org = s.get(Org, org_pk)
        if org is None:
            return PollReport("skipped")
        objects = synced_objects(org, s)
        states = {st.sobject: st for st in s.scalars(select(OrgFeedState).where(OrgFeedState.org_id == org_pk))}
        windows = [ObjectWindow(o, states[o].polled_at, dict(states[o].seen or {})) for o in objects if o in states]
        sf_org_id = org.sf_org_id
    report = PollReport("polled" if windows else "opened")
    polls: list[ObjectPoll] = []
    changes: list[OrgChange] = []
    invitees: dict[str, set[str]] = {}
    if windows:
        with salesforce_edge():
            client = connect_org(rt, org_pk)
        try:
            polls, changes, invitees = _read(client, windows, now)
        except CursorExpired:
            report.status = "restarted"
        finally:
            record_poll(rt, org_pk, client.calls)
    with rt.db.session_scope() as s:
        rows = route_changes(s, org_pk, changes, invitees)
        s.add_all(rows)
        _store_windows(s, org_pk, objects, polls, now, restart=report.status == "restarted")
        report.read, report.changes, report.routed = sum(p.read for p in polls), len(changes), len(rows)
        report.mailboxes = sorted({r.mailbox_id for r in rows})
    _enqueue_sessions(rt, report.mailboxes, sf_org_id)
    log.info("org poll", extra={"ctx": {"org": sf_org_id, "status": report.status, "changes": report.changes,
                                        "routed": report.routed, "mailboxes": len(report.mailboxes)}})
    return report


def _read(client: SalesforceClient, windows: list[ObjectWindow],
          now: datetime) -> tuple[list[ObjectPoll], list[OrgChange], dict[str, set[str]]]:
    """The org's changes to route, and per changed Event the User invitees it has now or just
    lost (reading the invitees is one more query, only when Events changed)."""
    with salesforce_edge():
        polls = poll_org(client, windows, now)
        changes, touched = fold_relations(polls)
        invitees = event_invitees(client, [c.record_id for c in changes if c.sobject == "Event" and not c.deleted])
    for event_id, users in touched.items():
        invitees.setdefault(event_id, set()).update(users)
    return polls, changes, invitees


def _store_windows(s: Session, org_pk: int, objects: list[str], polls: list[ObjectPoll], now: datetime,
                   restart: bool) -> None:
    """Every object's window now starts at this poll; a restart also bumps the epoch."""
    seen = {p.sobject: p.seen for p in polls}
    states = {st.sobject: st for st in s.scalars(select(OrgFeedState).where(OrgFeedState.org_id == org_pk))}
    for sobject in objects:
        state = states.get(sobject)
        if state is None:
            s.add(OrgFeedState(org_id=org_pk, sobject=sobject, polled_at=now, seen={}, epoch=1))
            continue
        state.polled_at, state.seen = now, seen.get(sobject, {})
        if restart:
            state.epoch += 1


def _enqueue_sessions(rt: Runtime, mailbox_ids: list[int], sf_org_id: str) -> None:
    """A session for each active mailbox that received work. One already waiting will read it;
    one already running may have read its rows before these: one more session follows it the
    moment it ends (the push follow-up: never two at once, and not a minute's tick later). Should
    that follow-up be lost with a dying worker, the unread rows still make the mailbox's next
    check run a full session."""
    if not mailbox_ids:
        return
    with rt.db.session_scope() as s:
        active = list(s.scalars(select(Mailbox.id).where(Mailbox.id.in_(mailbox_ids), Mailbox.status == "active")))
    for mailbox_id in active:
        job = pending_job(rt, mailbox_id)
        if job is None:
            enqueue_session(rt, mailbox_id, "push", sf_org_id)
        elif job.get_status(refresh=False) == JobStatus.STARTED:
            push_triggers.notify(rt, mailbox_id)


def connected_orgs(rt: Runtime) -> list[int]:
    """Orgs with a connected org-wide (default) Salesforce connection: the ones that can be polled."""
    with rt.db.session_scope() as s:
        return list(s.scalars(select(SalesforceConnection.org_id).where(
            SalesforceConnection.is_org_default.is_(True), SalesforceConnection.status == "connected")
            .distinct().order_by(SalesforceConnection.org_id)))


def enqueue_org_polls(rt: Runtime) -> int:
    """Scheduler tick: one poll job per connected org, unless that org's job is still waiting."""
    return sum(enqueue_org_poll(rt, org_pk) == QUEUED for org_pk in connected_orgs(rt))


QUEUED, WAITING, RUNNING = "queued", "waiting", "running"


def enqueue_org_poll(rt: Runtime, org_pk: int) -> str:
    """Queue the org's poll job: QUEUED, or WAITING when one is already queued (it will read
    every change made so far), or RUNNING when one runs now (it may have read its window before
    the latest change: the caller asks again once it is over)."""
    job_id = keys.org_poll_job_id(org_pk)
    try:
        status = Job.fetch(job_id, connection=rt.redis.client).get_status(refresh=False)
        if status == JobStatus.QUEUED:
            return WAITING
        if status == JobStatus.STARTED:
            return RUNNING
    except NoSuchJobError:
        pass
    Queue(queues.SYNC, connection=rt.redis.client).enqueue(
        POLL_JOB, org_pk, job_id=job_id, job_timeout=LEASE_SECONDS * 10, result_ttl=600, failure_ttl=86400,
        meta={"log_context": {"org_pk": org_pk}})
    return QUEUED


__all__ = ["OrgChange", "PollReport", "enqueue_org_poll", "enqueue_org_polls", "poll_org_changes", "synced_objects"]
