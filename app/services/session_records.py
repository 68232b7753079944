"""The dashboard's record of sessions, and the mailbox state they move (failures, next run, status).

The database is the truth for scheduling: every finished or failed session sets the mailbox's
`next_sync_at` (its next slot, or its backoff time), and the scheduler tick runs due mailboxes.
"""
from __future__ import annotations

import dataclasses
import logging
from datetime import timedelta

from sqlalchemy import delete, select

from app.logs import redact
from app.models import Mailbox, SyncCursor, SyncSessionRecord, User
from app.models.base import utcnow
from app.runtime import Runtime
from app.services import mailbox_status, skipped_items, sync_metrics
from app.services.folder_states import unavailable_counts
from app.services.scheduling import next_run_after, retry_at
from app.services.settings import org_settings
from app.sync.errors import Reaction, SessionFailure, SessionFate, session_failure
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
        _close_abandoned(s, mailbox)   # may suspend it: sessions that keep dying count as failures
        if mailbox.status == "active":
            record = SyncSessionRecord(org_id=mailbox.org_id, mailbox_id=mailbox.id, trigger=trigger, job_id=job_id)
            s.add(record)
            s.flush()
            user = mailbox.user
            _ = user.org, mailbox.server_profile  # loaded while the session is open
            return record.id, mailbox, user
    raise MailboxNotRunnable("suspended: its sessions keep dying with their worker")


ABANDONED = "the worker running this session stopped (killed or crashed); its work was resumed"


def _close_abandoned(session, mailbox: Mailbox) -> None:
    """We hold the mailbox lock, so any session still marked running died with its worker.

    Each one counts as a failed session (backoff, then suspension at the org's threshold), so a
    session that is killed every time (out of memory, job timeout) cannot rerun every minute."""
    stale = list(session.scalars(select(SyncSessionRecord).where(
        SyncSessionRecord.mailbox_id == mailbox.id, SyncSessionRecord.status == "running")))
    for record in stale:
        record.status, record.finished_at, record.failure = "failed", utcnow(), ABANDONED
    if stale:
        mailbox.consecutive_failures += len(stale)
        _retry(session, mailbox, SessionFailure(Reaction.RETRY_LATER, SessionFate.RETRY, None, ABANDONED), ABANDONED)


def _kind_counts(outcome: SyncOutcome) -> dict:
    """Counts per kind, with why items were skipped (a card outside the contact scope…)."""
    return {kind.value: {**dataclasses.asdict(counts), "skipped_because": dict(outcome.skips_by_kind.get(kind, {}))}
            for kind, counts in outcome.counts.items()}


def _errors(outcome: SyncOutcome, extras: dict) -> list[dict]:
    errors = [{"kind": e.kind.value, "item": e.sync_key, "action": e.action, "code": e.code,
               "reason": e.message, "will_retry": e.retried} for e in outcome.errors]
    return (errors + list(extras.get("errors", [])))[:MAX_ERRORS_KEPT]


def finish(rt: Runtime, record_id: int, mailbox_id: int, outcome: SyncOutcome, extras: dict) -> str:
    errors = _errors(outcome, extras)
    status = "partial" if errors else "succeeded"
    with rt.db.session_scope() as s:
        record, mailbox = s.get(SyncSessionRecord, record_id), s.get(Mailbox, mailbox_id)
        assert record is not None and mailbox is not None, "start() created both under the lease"
        record.status, record.finished_at = status, utcnow()
        record.counts = {**unavailable_counts(outcome.unavailable), **_kind_counts(outcome),
                         **extras.get("counts", {}),
                         skipped_items.KEY: skipped_items.kept(outcome.skipped_items, extras.get("skipped_items", []))}
        record.errors = errors
        record.conflicts = [_conflict(c) for c in outcome.conflicts][:MAX_ERRORS_KEPT]
        mailbox.last_sync_at, mailbox.consecutive_failures, mailbox.throttled_failures = record.finished_at, 0, 0
        mailbox.status_reason = None
        interval = org_settings(mailbox.user.org)["sync_interval_minutes"]
        mailbox.next_sync_at = next_run_after(mailbox.id, interval, record.finished_at)
        started_at, counts = record.started_at, record.counts
    sync_metrics.record_session(rt, status, started_at, counts)
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


def fail(rt: Runtime, record_id: int, mailbox_id: int, exc: BaseException) -> SessionFailure:
    """Record the failure and let the error table decide the mailbox's fate (see app.sync.errors)."""
    decision = session_failure(exc)
    reason = redact(decision.reason)[:1000]
    with rt.db.session_scope() as s:
        record, mailbox = s.get(SyncSessionRecord, record_id), s.get(Mailbox, mailbox_id)
        assert record is not None and mailbox is not None, "start() created both under the lease"
        record.status, record.finished_at, record.failure = "failed", utcnow(), reason
        mailbox.consecutive_failures += 1
        if mailbox.status == "active":  # suspended meanwhile (by an admin?): that decision stands
            _FATES[decision.fate](s, mailbox, decision, redact(str(exc))[:1000] or reason)
        next_run, started_at = str(mailbox.next_sync_at), record.started_at
    sync_metrics.record_session(rt, "failed", started_at, None)
    log.warning("session failed", extra={"ctx": {"error": reason, "fate": decision.fate.value,
                                                 "next_sync_at": next_run}})
    return decision


def _retry(s, mailbox: Mailbox, decision: SessionFailure, message: str) -> None:
    """Back off (or wait what the error asked for); past the org's threshold, suspend. Sessions a
    service told to wait are not counted toward it: an org paused for hours near its API limit
    must not leave its mailboxes suspended until someone resumes them by hand."""
    threshold = org_settings(mailbox.user.org)["suspend_after_failures"]
    failing = mailbox.consecutive_failures - (mailbox.throttled_failures or 0)
    if failing >= threshold:
        mailbox_status.suspend(s, mailbox, f"{failing} consecutive failed sessions; last: {decision.reason}")
    else:
        mailbox.next_sync_at = retry_at(utcnow(), mailbox.consecutive_failures, decision.retry_after)


def _wait(s, mailbox: Mailbox, decision: SessionFailure, message: str) -> None:
    """The service asked to slow down: next session once it said (else the usual backoff),
    counted as throttled so it never suspends the mailbox."""
    mailbox.throttled_failures = (mailbox.throttled_failures or 0) + 1
    mailbox.next_sync_at = retry_at(utcnow(), mailbox.consecutive_failures, decision.retry_after)


def _resync(s, mailbox: Mailbox, decision: SessionFailure, message: str) -> None:
    """A cursor no longer valid escaped the engine: forget every cursor, list everything again soon."""
    s.execute(delete(SyncCursor).where(SyncCursor.mailbox_id == mailbox.id))
    mailbox.next_sync_at = retry_at(utcnow(), 1, decision.retry_after)


def _needs_reauth(s, mailbox: Mailbox, decision: SessionFailure, message: str) -> None:
    mailbox_status.needs_reauth(s, mailbox, f"the mail server or Salesforce refused the credentials ({message})")


def _suspend(s, mailbox: Mailbox, decision: SessionFailure, message: str) -> None:
    mailbox_status.suspend(s, mailbox, f"{message} - retrying cannot help, so sync is suspended until "
                                       "this is fixed and the mailbox resumed")


_FATES = {SessionFate.RETRY: _retry, SessionFate.WAIT: _wait, SessionFate.RESYNC: _resync,
          SessionFate.NEEDS_REAUTH: _needs_reauth, SessionFate.SUSPEND: _suspend}


def wait_for_lease(rt: Runtime, mailbox_id: int, seconds: float) -> None:
    """Another (maybe dead) session holds the lock: the mailbox is due again right after its lease."""
    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, mailbox_id)
        after = utcnow() + timedelta(seconds=max(seconds, 0))
        if mailbox is not None and mailbox.status == "active" and (
                mailbox.next_sync_at is None or mailbox.next_sync_at < after):
            mailbox.next_sync_at = after
