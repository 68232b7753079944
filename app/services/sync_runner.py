"""One sync session of one mailbox: lock, record, run the core, record the outcome.

The core (`app.sync.run_sync`) decides; this shell provides ports, durable stores and the
dashboard record. A failure is recorded and the error table (`app.sync.errors.FATES`)
decides the mailbox's fate: the next session at its backoff time, a full resync, "needs
re-authorisation" or suspension. Nothing relies on RQ retrying the job: the database's
`next_sync_at` and the scheduler tick bring the next session.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from app.logs import bound
from app.models import Mailbox, User
from app.models.base import utcnow
from app.models.sync_stores import SqlCursorStore, SqlIdMapStore
from app.runtime import Runtime
from app.services import auto_save, session_records
from app.services.sync_policy import bound_mappings, policy_for
from app.state import keys, progress
from app.state.locks import Lease
from app.sync.engine import run_sync
from app.sync.errors import SetupRequired, SyncError
from app.sync.idmap import mailbox_stream
from app.sync.items import FolderKind
from app.sync.outcome import SyncOutcome
from app.sync.policy import SyncPolicy, SyncSession
from app.sync.ports import CrmPort, MailboxPort

log = logging.getLogger("syncline.sync")
LEASE_SECONDS = 60  # renewed every 20 s while a session runs; a dead worker frees it within a minute


@dataclass
class SessionPorts:
    """What a session talks to; `extra_steps` run after the mirror (e.g. saving tagged emails);
    `setup_lost` forgets the pre-session field check when Salesforce refused one of Syncline's fields."""

    mailbox: MailboxPort
    crm: CrmPort
    describe: Callable[[str], Mapping | None] = lambda _t: None
    extra_steps: list[Callable[[], dict]] = field(default_factory=list)
    close: Callable[[], None] = lambda: None
    setup_lost: Callable[[], None] = lambda: None


PortsFactory = Callable[[Runtime, Mailbox, User], SessionPorts]


class MailboxNotRunnable(Exception):
    """Suspended, disabled or gone: nothing to do, nothing to retry."""


def run_session(rt: Runtime, mailbox_id: int, trigger: str, ports_factory: PortsFactory,
                job_id: str | None = None) -> str:
    """Returns "busy" (another session holds the lock), "skipped" or the session status."""
    lease = Lease(rt.redis.client, keys.mailbox_lock(mailbox_id), LEASE_SECONDS)
    if not lease.acquire():
        session_records.wait_for_lease(rt, mailbox_id, lease.remaining_seconds())
        return "busy"
    try:
        with lease.kept_alive(), bound(mailbox_id=mailbox_id, trigger=trigger):
            return _run_locked(rt, mailbox_id, trigger, ports_factory, job_id)
    finally:
        lease.release()
        progress.clear(rt.redis.client, mailbox_id)


def _run_locked(rt: Runtime, mailbox_id: int, trigger: str, ports_factory: PortsFactory,
                job_id: str | None) -> str:
    try:
        record_id, mailbox, user = session_records.start(rt, mailbox_id, trigger, job_id)
    except MailboxNotRunnable as exc:
        log.info("session skipped", extra={"ctx": {"reason": str(exc)}})
        return "skipped"
    progress.report(rt.redis.client, mailbox_id, stage="connecting", session_id=record_id,
                    started_at=utcnow().isoformat())
    try:
        outcome, extras = _mirror(rt, mailbox, user, ports_factory)
        return session_records.finish(rt, record_id, mailbox_id, outcome, extras)
    except SyncError as exc:
        session_records.fail(rt, record_id, mailbox_id, exc)
        return "failed"
    except Exception as exc:
        session_records.fail(rt, record_id, mailbox_id, exc)
        raise  # outside the vocabulary (a bug, an outage): the worker logs the traceback; the retry is scheduled


def merged_extras(extras: dict, more: dict) -> dict:
    """Steps' dashboard data together: each step's counts per kind, errors and skipped items are kept."""
    return {**extras, **more, "counts": {**extras.get("counts", {}), **more.get("counts", {})},
            "errors": [*extras.get("errors", []), *more.get("errors", [])],
            "skipped_items": [*extras.get("skipped_items", []), *more.get("skipped_items", [])]}


def _meetings_backfilled(rt: Runtime, user_id: int, policy: SyncPolicy, outcome: SyncOutcome) -> None:
    """The calendar was listed back to the meetings window's start and nothing is held: done, once."""
    calendar = FolderKind.CALENDAR
    if policy.meetings.backfill_from is None or calendar in outcome.unavailable \
            or mailbox_stream(calendar) in outcome.held_streams:
        return
    with rt.db.session_scope() as s:
        auto_save.backfill_done(s, user_id, policy.meetings.since, "save_all_new_meetings")


def _mirror(rt: Runtime, mailbox: Mailbox, user: User, ports_factory: PortsFactory) -> tuple[SyncOutcome, dict]:
    ports = ports_factory(rt, mailbox, user)
    try:
        with rt.db.session_scope() as s:
            user = s.get(User, user.id)
            policy, mappings = policy_for(user), bound_mappings(s, user, ports.describe)
            settings_tz = (user.settings or {}).get("timezone") or "UTC"
            session = SyncSession(sf_org_id=user.org.sf_org_id, mailbox_id=str(mailbox.id),
                                  owner_id=user.sf_user_id, owner_email=user.email, timezone=settings_tz)
        progress.report(rt.redis.client, mailbox.id, stage="mirroring")
        outcome = run_sync(session, ports.mailbox, ports.crm, SqlIdMapStore(rt.db, mailbox.org_id, session.sf_org_id),
                           SqlCursorStore(rt.db), policy, mappings)
        _meetings_backfilled(rt, user.id, policy, outcome)
        extras: dict = {}
        for step in ports.extra_steps:
            progress.report(rt.redis.client, mailbox.id, stage=getattr(step, "__name__", "extra"))
            extras = merged_extras(extras, step())
        return outcome, extras
    except SetupRequired:
        ports.setup_lost()
        raise
    finally:
        ports.close()
