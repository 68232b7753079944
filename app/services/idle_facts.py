"""What the database says about a batch of due mailboxes, read in a handful of set queries.

The batched idle check (``idle_check``) decides from these facts which mailboxes need a full
session and which can be asked cheaply whether anything changed. Reading them per mailbox would
cost ~10 statements each; here the whole batch costs a fixed few.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from app.models import (
    IdMapRow,
    Mailbox,
    MailboxChange,
    MappingTableRecord,
    OrgFeedState,
    SyncCursor,
    SyncSessionRecord,
    User,
)
from app.models.sidebar_requests import ComposeSave, MeetingSave, ThreadAutosave
from app.providers.imap_dav.change_probe import ENDPOINT_OF_STREAM, ProbePlan, probe_plan
from app.services.fanned_out_crm import routed_cursor
from app.services.settings import org_settings
from app.services.sync_policy import policy_for
from app.sync.idle_check import IdleFacts
from app.sync.items import FolderKind
from app.sync.policy import SyncOption
from app.sync.window_reach import reach_stream

CHECK_JOB_PREFIX = "check:"   # the job_id of a dashboard record written by a check, not a session
MAIL_STREAM = "mailbox:mail"
REACH_SUFFIX = reach_stream("")


@dataclass(frozen=True)
class CheckFacts:
    """One mailbox: the decision's facts, what to probe, and what its dashboard record needs."""

    mailbox_id: int
    org_id: int
    sf_org_id: str
    interval_minutes: int
    facts: IdleFacts
    plan: ProbePlan | None                  # the DAV collections to ask (None: cannot be checked)
    last_counts: Mapping[str, dict]
    mail_cursor: str | None = None          # the IMAP folders' cursor, when the profile has imap_host
    host: str = ""                          # the server the check asks first (per-host caps)


def checkable(mailbox: Mailbox) -> bool:
    """A standards (IMAP + CalDAV/CardDAV) account: every folder it syncs can be probed cheaply.
    (Graph and Google mailboxes run full sessions: their own delta is already the check.)"""
    return mailbox.server_profile.kind == "imap"


def worth_checking(mailbox: Mailbox) -> bool:
    """For the scheduler tick: a checkable mailbox that has synced and is not failing (any other
    gets its session straight away: a check would only send it there)."""
    return checkable(mailbox) and mailbox.last_sync_at is not None and not mailbox.consecutive_failures


def load_facts(s: Session, mailbox_ids: Iterable[int]) -> dict[int, CheckFacts]:
    """Facts of the active, checkable mailboxes among ``mailbox_ids`` (others are left out)."""
    ids = sorted(set(mailbox_ids))
    mailboxes = [m for m in s.scalars(select(Mailbox).where(Mailbox.id.in_(ids)).options(
        selectinload(Mailbox.server_profile), selectinload(Mailbox.user).selectinload(User.org)))
        if m.status == "active" and checkable(m)]
    ids = [m.id for m in mailboxes]
    cursors = _cursors(s, ids)
    last_full = _last_full_sessions(s, ids)
    unfinished = _unfinished(s, mailboxes)
    unread = _salesforce_unread(s, mailboxes, cursors)
    tables = _tables_changed_at(s, {m.org_id for m in mailboxes})
    requests = _mail_requests_at(s, {m.user_id for m in mailboxes})
    found = {}
    for m in mailboxes:
        endpoints = m.server_profile.endpoints or {}
        mine = cursors.get(m.id, {})
        plan = probe_plan(endpoints, {k: v for k, v in mine.items() if k in ENDPOINT_OF_STREAM})
        mail_cursor = mine.get(MAIL_STREAM) if endpoints.get("imap_host") else None
        if endpoints.get("imap_host") and not mail_cursor:
            plan = None                                   # mail never listed: a session does it
        if _unlisted_dav_folder(m, endpoints, mine):
            plan = None                                   # e.g. moved to a profile with another DAV server
        finished_at, counts = last_full.get(m.id, (None, {}))
        edited = max(t for t in (m.user.updated_at, m.user.org.updated_at, tables.get(m.org_id),
                                 requests.get(m.user_id)) if t is not None)
        facts = IdleFacts(finished_at, m.consecutive_failures, m.id in unfinished, m.id in unread,
                          plan.tokens if plan else None, edited)
        host = str(endpoints.get("imap_host") or "") or (plan.host() if plan else "")
        found[m.id] = CheckFacts(m.id, m.org_id, m.user.org.sf_org_id,
                                 org_settings(m.user.org)["sync_interval_minutes"], facts, plan, counts,
                                 mail_cursor, host)
    return found


def _unlisted_dav_folder(mailbox: Mailbox, endpoints: Mapping[str, object], cursors: Mapping[str, object]) -> bool:
    """A DAV folder the mailbox syncs and its server serves, with no cursor: never listed, or its
    cursor dropped when the mailbox moved to a profile with another server (``move_to_profile``).
    Only a session lists it; a check of the other folders would say "nothing changed" for good."""
    policy = policy_for(mailbox.user)
    return any(endpoints.get(endpoint) and not cursors.get(stream)
               and policy.option(FolderKind(stream.split(":", 1)[1])) is not SyncOption.OFF
               for stream, endpoint in ENDPOINT_OF_STREAM.items())


def _cursors(s: Session, ids: list[int]) -> dict[int, dict[str, str | None]]:
    found: dict[int, dict[str, str | None]] = defaultdict(dict)
    for mailbox_id, stream, cursor in s.execute(select(SyncCursor.mailbox_id, SyncCursor.stream, SyncCursor.cursor)
                                                .where(SyncCursor.mailbox_id.in_(ids))):
        found[mailbox_id][stream] = cursor
    return found


def _last_full_sessions(s: Session, ids: list[int]) -> dict[int, tuple[datetime, dict]]:
    """Each mailbox's newest finished full session (not a check): when, and its counts."""
    newest = (select(func.max(SyncSessionRecord.id)).where(
        SyncSessionRecord.mailbox_id.in_(ids), SyncSessionRecord.status.in_(("succeeded", "partial")),
        or_(SyncSessionRecord.job_id.is_(None), ~SyncSessionRecord.job_id.startswith(CHECK_JOB_PREFIX)))
        .group_by(SyncSessionRecord.mailbox_id))
    rows = s.execute(select(SyncSessionRecord.mailbox_id, SyncSessionRecord.finished_at, SyncSessionRecord.counts)
                     .where(SyncSessionRecord.id.in_(newest)))
    return {mailbox_id: (finished, counts or {}) for mailbox_id, finished, counts in rows}


def _tables_changed_at(s: Session, org_ids: set[int]) -> dict[int, datetime]:
    """Each org's newest mapping-table edit (the org's or a user's own table)."""
    return dict(s.execute(select(MappingTableRecord.org_id, func.max(MappingTableRecord.updated_at))
                          .where(MappingTableRecord.org_id.in_(org_ids)).group_by(MappingTableRecord.org_id)).all())


def _mail_requests_at(s: Session, user_ids: set[int]) -> dict[int, datetime]:
    """Each user's newest sidebar mail request (a compose save, an auto-saved thread): it widens what
    the mail step looks for, so a session must look even if no folder moved."""
    newest: dict[int, datetime] = {}
    for model in (ComposeSave, ThreadAutosave):
        for user_id, at in s.execute(select(model.user_id, func.max(model.created_at))
                                     .where(model.user_id.in_(user_ids)).group_by(model.user_id)):
            newest[user_id] = max(at, newest.get(user_id, at))
    return newest


def _unfinished(s: Session, mailboxes: list[Mailbox]) -> set[int]:
    """Mailboxes with an item held mid-write, one whose failure will be retried, or a sidebar
    "save this meeting" still waiting for its record."""
    ids = [m.id for m in mailboxes]
    held = set(s.scalars(select(IdMapRow.mailbox_id).where(IdMapRow.mailbox_id.in_(ids),
                                                            IdMapRow.pending.is_not(None)).distinct()))
    fewest = dict(s.execute(select(IdMapRow.mailbox_id, func.min(IdMapRow.attempts)).where(
        IdMapRow.mailbox_id.in_(ids), IdMapRow.last_error.is_not(None), IdMapRow.deleted.is_(False))
        .group_by(IdMapRow.mailbox_id)).all())
    waiting_users = set(s.scalars(select(MeetingSave.user_id).where(
        MeetingSave.user_id.in_({m.user_id for m in mailboxes}), MeetingSave.status == "pending").distinct()))
    return held | {m.id for m in mailboxes
                   if (m.id in fewest and fewest[m.id] < policy_for(m.user).max_attempts)
                   or m.user_id in waiting_users}


def _salesforce_unread(s: Session, mailboxes: list[Mailbox], cursors: Mapping[int, Mapping[str, str | None]]
                       ) -> set[int]:
    """Mailboxes whose Salesforce side a session must read: routed rows past their cursor, a feed
    restarted (new epoch), or a cursor still on the owner's own query (that query is the check)."""
    ids = [m.id for m in mailboxes]
    newest = {(mb, sobject): last for mb, sobject, last in s.execute(
        select(MailboxChange.mailbox_id, MailboxChange.sobject, func.max(MailboxChange.id))
        .where(MailboxChange.mailbox_id.in_(ids)).group_by(MailboxChange.mailbox_id, MailboxChange.sobject))}
    epochs = {(org, sobject): epoch for org, sobject, epoch in s.execute(
        select(OrgFeedState.org_id, OrgFeedState.sobject, OrgFeedState.epoch)
        .where(OrgFeedState.org_id.in_({m.org_id for m in mailboxes})))}
    unread = set()
    for m in mailboxes:
        for stream, cursor in cursors.get(m.id, {}).items():
            if not stream.startswith("crm:") or stream.endswith(REACH_SUFFIX):
                continue        # how far the window was read, not a change cursor
            routed = routed_cursor(cursor)
            if (routed is None or epochs.get((m.org_id, routed[0])) != routed[1]
                    or newest.get((m.id, routed[0]), 0) > routed[2]):
                unread.add(m.id)
    return unread
