"""The batched idle check: one job asks many due mailboxes at once whether anything changed.

An idle session costs its fixed SQL and connection set-up whatever the mailbox holds; thousands
of mailboxes per worker need the common case cheaper. The scheduler tick hands due IMAP and
CalDAV/CardDAV mailboxes to a check job (``sync_queue.enqueue_checks``); the job reads the
database facts of the whole batch in a few queries, asks each remaining mailbox's servers in a
bounded thread pool (``CHECK_THREADS`` at once, ``PER_HOST`` per server): DAV collections for
their sync token, mail folders for their STATUS. It runs a full session only where one of them
moved or ``app.sync.idle_check`` asks for one. An unchanged mailbox gets its next slot and a
dashboard record saying "checked, nothing changed" (``checked_only``).
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import update

from app.models import Mailbox, SyncSessionRecord
from app.models.base import utcnow
from app.providers.imap_dav import build_mailbox
from app.providers.imap_dav.change_probe import current_tokens
from app.runtime import Runtime
from app.services.email_rules import load_save_rules
from app.services.idle_facts import CHECK_JOB_PREFIX, CheckFacts, load_facts
from app.services.mail_hosts import mail_host_policy
from app.services.mailboxes import stored_credentials
from app.services.ports_factory import mailbox_options
from app.services.scheduling import next_run_after
from app.services.settings import org_settings
from app.services.sync_metrics import record_idle_check
from app.services.sync_queue import enqueue_session, pending_job
from app.state import keys
from app.sync.errors import SyncError
from app.sync.idle_check import changed_collections, full_session_reason

log = logging.getLogger("syncline.sync")
CHECK_THREADS = 16        # mailboxes asked at once by one check job
PER_HOST = 8              # of which at most this many on one server

@dataclass(frozen=True)
class CheckReport:
    unchanged: int
    sessions: int
    busy: int


def check_mailboxes(rt: Runtime, mailbox_ids: list[int], job_id: str, now: datetime | None = None) -> CheckReport:
    """Check the batch; never skips a mailbox silently: each gets a check record or a session
    (unless one is already queued or running: that session sets its next slot)."""
    try:
        return _check(rt, mailbox_ids, job_id, now or utcnow())
    finally:
        if mailbox_ids:
            rt.redis.client.delete(*[keys.idle_check_mark(i) for i in mailbox_ids])


def _check(rt: Runtime, mailbox_ids: list[int], job_id: str, now: datetime) -> CheckReport:
    with rt.db.session_scope() as s:
        facts = load_facts(s, mailbox_ids)
    busy = {i for i in facts if pending_job(rt, i) is not None}
    full = [i for i in mailbox_ids if i not in facts]      # suspended, gone or no longer checkable: its session says
    asked: dict[int, CheckFacts] = {}
    for mailbox_id, fact in facts.items():
        if mailbox_id in busy:
            continue                                        # its session sets the next slot
        if fact.plan is None or full_session_reason(fact.facts, now) is not None:
            full.append(mailbox_id)
        else:
            asked[mailbox_id] = fact
    moved = _probe_all(rt, asked)
    full += moved
    unchanged = [facts[i] for i in asked if i not in moved]
    _record_unchanged(rt, unchanged, job_id, now)
    for mailbox_id in full:
        enqueue_session(rt, mailbox_id, "scheduled", facts[mailbox_id].sf_org_id if mailbox_id in facts else "")
    record_idle_check(rt, len(unchanged), len(full), len(busy))
    log.info("idle check", extra={"ctx": {"unchanged": len(unchanged), "sessions": len(full), "busy": len(busy)}})
    return CheckReport(len(unchanged), len(full), len(busy))


def _probe_all(rt: Runtime, facts: Mapping[int, CheckFacts]) -> list[int]:
    """Mailboxes whose folders moved (or could not be asked: their session will say why)."""
    limits = {host: threading.BoundedSemaphore(PER_HOST) for host in {f.host for f in facts.values()}}

    def moved(mailbox_id: int) -> bool:
        fact = facts[mailbox_id]
        with limits[fact.host]:
            try:
                return folders_moved(rt, fact)
            except SyncError as exc:
                log.info("idle check could not ask the server", extra={"ctx": {"mailbox_id": mailbox_id,
                                                                                "error": str(exc)[:200]}})
                return True

    with ThreadPoolExecutor(max_workers=CHECK_THREADS, thread_name_prefix="idle-check") as pool:
        answers = dict(zip(facts, pool.map(moved, facts), strict=True))
    return [i for i, changed in answers.items() if changed]


def folders_moved(rt: Runtime, fact: CheckFacts) -> bool:
    """Ask the servers, with the mailbox's login, host guard and TLS settings as its session uses:
    a DAV collection's sync token, then (IMAP accounts) each mail folder's STATUS."""
    assert fact.plan is not None, "only mailboxes with a plan are asked"
    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, fact.mailbox_id)
        assert mailbox is not None, "load_facts found it a moment ago"
        secrets = stored_credentials(rt, mailbox)
        endpoints = dict(mailbox.server_profile.endpoints or {})
        login = mailbox.username or mailbox.address
        password = str(secrets.get("password") or "")
        dav_login = (mailbox.dav_username or login, str(secrets.get("dav_password") or password))
        settings = org_settings(mailbox.user.org)
        rules = load_save_rules(s, mailbox.user_id, settings) if fact.mail_cursor else None
    options = replace(mailbox_options(endpoints, settings, rules), host_policy=mail_host_policy(rt.config))
    if fact.plan.tokens:
        now = current_tokens(fact.plan, dav_login, options.allow_plaintext, options.ca_file, options.host_policy)
        if changed_collections(fact.plan.tokens, now):
            return True
    if fact.mail_cursor is None:
        return False
    port = build_mailbox(endpoints, login, password, options, dav_login)
    try:
        assert port.mail is not None, "a mail cursor is kept only for profiles with imap_host"
        return not port.mail.unchanged_since(fact.mail_cursor)
    finally:
        port.close()


def _record_unchanged(rt: Runtime, unchanged: list[CheckFacts], job_id: str, now: datetime) -> None:
    """One transaction: each mailbox's "checked, nothing changed" record and its next slot."""
    if not unchanged:
        return
    finished = utcnow()     # the next slot comes after the check, as after a session (never already past)
    with rt.db.session_scope() as s:
        for fact in unchanged:
            s.add(SyncSessionRecord(org_id=fact.org_id, mailbox_id=fact.mailbox_id, trigger="scheduled",
                                    status="succeeded", job_id=(CHECK_JOB_PREFIX + job_id)[:64], started_at=now,
                                    finished_at=finished, counts=_check_counts(fact.last_counts)))
            s.execute(update(Mailbox).where(Mailbox.id == fact.mailbox_id, Mailbox.status == "active",
                                            Mailbox.consecutive_failures == 0)
                      .values(next_sync_at=next_run_after(fact.mailbox_id, fact.interval_minutes, finished),
                              last_sync_at=finished))


def _check_counts(last: Mapping[str, dict]) -> dict[str, dict]:
    """The last full session's kinds, none changed; a kind the server does not offer stays so."""
    return {kind: ({"unavailable": value["unavailable"]} if value.get("unavailable") else {})
            for kind, value in last.items() if isinstance(value, dict)}
