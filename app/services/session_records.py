"""The dashboard's record of sessions, and the mailbox state they move (failures, suspension)."""
from __future__ import annotations

import dataclasses
import logging

from sqlalchemy import select

from app.logs import redact
from app.models import Mailbox, SyncSessionRecord, User
from app.models.base import utcnow
from app.runtime import Runtime
from app.services import audit
from app.services.scheduling import next_run_after
from app.services.settings import org_settings
from app.sync.outcome import SyncOutcome

log = logging.getLogger("syncline.sync")
MAX_ERRORS_KEPT = 200


def start(rt: Runtime, mailbox_id: int, trigger: str, job_id: str | None) -> tuple[int, Mailbox, User]:
    from app.services.sync_runner import MailboxNotRunnable

    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, mailbox_id)
        if mailbox is None:
            raise MailboxNotRunnable(f"mailbox {mailbox_id} no longer exists")
        if mailbox.status != "active":
            raise MailboxNotRunnable(f"mailbox is {mailbox.status}")
        _close_abandoned(s, mailbox.id)
        record = SyncSessionRecord(org_id=mailbox.org_id, mailbox_id=mailbox.id, trigger=trigger, job_id=job_id)
        s.add(record)
        s.flush()
        user = mailbox.user
        _ = user.org, mailbox.server_profile  # loaded while the session is open
        return record.id, mailbox, user


def _close_abandoned(session, mailbox_id: int) -> None:
    """We hold the mailbox lock, so any session still marked running died with its worker."""
    for stale in session.scalars(select(SyncSessionRecord).where(
            SyncSessionRecord.mailbox_id == mailbox_id, SyncSessionRecord.status == "running")):
        stale.status, stale.finished_at = "failed", utcnow()
        stale.failure = "the worker running this session stopped (killed or crashed); its work was resumed"


def _kind_counts(outcome: SyncOutcome) -> dict:
    return {kind.value: dataclasses.asdict(counts) for kind, counts in outcome.counts.items()}


def _errors(outcome: SyncOutcome, extras: dict) -> list[dict]:
    errors = [{"kind": e.kind.value, "item": e.sync_key, "action": e.action, "code": e.code,
               "reason": e.message, "will_retry": e.retried} for e in outcome.errors]
    return (errors + list(extras.get("errors", [])))[:MAX_ERRORS_KEPT]


def finish(rt: Runtime, record_id: int, mailbox_id: int, outcome: SyncOutcome, extras: dict) -> str:
    errors = _errors(outcome, extras)
    status = "partial" if errors else "succeeded"
    with rt.db.session_scope() as s:
        record, mailbox = s.get(SyncSessionRecord, record_id), s.get(Mailbox, mailbox_id)
        record.status, record.finished_at = status, utcnow()
        record.counts = {**_kind_counts(outcome), **extras.get("counts", {})}
        record.errors = errors
        record.conflicts = [_conflict(c) for c in outcome.conflicts][:MAX_ERRORS_KEPT]
        mailbox.last_sync_at, mailbox.consecutive_failures = record.finished_at, 0
        mailbox.status_reason = None
        interval = org_settings(mailbox.user.org)["sync_interval_minutes"]
        mailbox.next_sync_at = next_run_after(mailbox.id, interval, record.finished_at)
    log.info("session finished", extra={"ctx": {"status": status, "errors": len(errors)}})
    return status


def _conflict(conflict) -> dict:
    return {k: _jsonable(v) for k, v in dataclasses.asdict(conflict).items()}


def _jsonable(value):
    """Conflict values are whatever the mapped fields hold: enums, datetimes, dates, tuples…"""
    if hasattr(value, "value"):
        return value.value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def fail(rt: Runtime, record_id: int, mailbox_id: int, exc: BaseException, suspend_now: bool) -> None:
    """Record the failure; suspend after the org's threshold of consecutive failures."""
    reason = redact(f"{type(exc).__name__}: {exc}")[:1000]
    with rt.db.session_scope() as s:
        record, mailbox = s.get(SyncSessionRecord, record_id), s.get(Mailbox, mailbox_id)
        record.status, record.finished_at, record.failure = "failed", utcnow(), reason
        mailbox.consecutive_failures += 1
        threshold = org_settings(mailbox.user.org)["suspend_after_failures"]
        if suspend_now or mailbox.consecutive_failures >= threshold:
            why = ("the mail server or Salesforce refused the credentials; sign in again" if suspend_now
                   else f"{mailbox.consecutive_failures} consecutive failed sessions; last: {reason}")
            suspend(s, mailbox, why, actor_id=None)
    log.warning("session failed", extra={"ctx": {"error": reason}})


def suspend(session, mailbox: Mailbox, reason: str, actor_id: int | None) -> None:
    mailbox.status, mailbox.status_reason = "suspended", reason[:1024]
    audit.record(session, mailbox.org_id, "mailbox.suspended", actor_id=actor_id, target_type="mailbox",
                 target_id=mailbox.id, details={"reason": reason[:1024]})
