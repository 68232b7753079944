"""Keeping each active Google Workspace mailbox watched, so a change reaches Salesforce without
waiting for the schedule (which stays the backstop: push is a hint, delta is the truth).

A scheduler job (`maintain`) per gmail profile: a Calendar ``events.watch`` channel per mailbox whose
calendar syncs (address ``SYNCLINE_PUBLIC_URL`` + CALENDAR_PATH; a random token per channel, kept
only as a hash) replaced by a new one a day before it expires, or at once when it notifies an old
``SYNCLINE_PUBLIC_URL``; with the profile's
``gmail_push_topic``, a Gmail ``users.watch`` on it for the labels the rules need, called again
daily (Google: at least every 7 days) or when those labels change. Watches of mailboxes that are
gone, suspended or no longer syncing the kind are stopped at Google and forgotten.
"""
from __future__ import annotations

import logging
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import GoogleWatch, Mailbox, ServerProfile
from app.models.base import utcnow
from app.providers.google import GmailOptions, build_google_mailbox
from app.providers.google.watches import GoogleWatches
from app.runtime import Runtime
from app.services.email_rules import gmail_options, load_save_rules
from app.services.google_accounts import session_settings
from app.services.google_profiles import google_settings
from app.services.graph_subscriptions import client_state_hash
from app.services.push_address import moved, public_root
from app.services.settings import org_settings
from app.services.sync_policy import policy_for
from app.sync.errors import NotFound, SyncError
from app.sync.items import FolderKind
from app.sync.policy import SyncOption

log = logging.getLogger("syncline.push")

CALENDAR_PATH = "/api/v1/google/calendar-notifications"
GMAIL_PATH = "/api/v1/google/gmail-notifications"
CALENDAR, GMAIL = "calendar", "gmail"
CHANNEL_TTL = timedelta(days=7)
RENEW_AHEAD = timedelta(days=1)          # a channel is replaced a day before it expires
GMAIL_REWATCH = timedelta(days=1)        # users.watch is called again daily
TOPIC, PUSH_SENDER = "gmail_push_topic", "gmail_push_service_account"


@dataclass
class Counts:
    created: int = 0
    renewed: int = 0
    stopped: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Wanted:
    """What one active mailbox should be watched for."""

    mailbox_id: int
    profile_id: int
    address: str
    calendar: bool
    gmail_topic: str
    label_names: tuple[str, ...]     # "salesforce" stands for the org's label (its id is looked up)
    label: str


def maintain(rt: Runtime, now: datetime | None = None) -> Counts:
    """One pass over every gmail profile; a failed step is logged and retried next pass."""
    now, counts = now or utcnow(), Counts()
    with rt.db.session_scope() as s:
        wanted = {m.id: _wanted(s, m) for m in s.scalars(select(Mailbox).join(ServerProfile).where(
            ServerProfile.kind == "gmail", Mailbox.status == "active"))}
        rows = [(r.id, r.mailbox_id, r.kind, r.expires_at, r.label_ids, r.updated_at, r.push_root)
                for r in s.scalars(select(GoogleWatch))]
    have = set()
    for pk, mailbox_id, kind, expires_at, labels, updated_at, root in rows:
        box = wanted.get(mailbox_id or 0)
        if box is not None and (box.calendar if kind == CALENDAR else bool(box.gmail_topic)):
            have.add((mailbox_id, kind))
            if moved(rt, root):       # the channel notifies an old SYNCLINE_PUBLIC_URL: replaced now
                expires_at = now
            _step(counts, lambda: _keep(rt, pk, box, kind, expires_at, labels, updated_at, now, counts))
        else:
            _step(counts, lambda: _stop(rt, pk, counts))
    for box in wanted.values() if rt.config.public_url.startswith("https://") else ():
        if box.calendar and (box.mailbox_id, CALENDAR) not in have:
            _step(counts, lambda: _watch_calendar(rt, box, counts))
        if box.gmail_topic and (box.mailbox_id, GMAIL) not in have:
            _step(counts, lambda: _watch_gmail(rt, box, None, counts))
    return counts


def _wanted(s: Session, m: Mailbox) -> _Wanted:
    endpoints, user = dict(m.server_profile.endpoints or {}), m.user
    rules = gmail_options(load_save_rules(s, user.id, org_settings(user.org)))
    calendar = policy_for(user).options.get(FolderKind.CALENDAR, SyncOption.OFF) is not SyncOption.OFF
    return _Wanted(m.id, m.server_profile_id, m.username or m.address, calendar,
                   str(endpoints.get(TOPIC) or ""), tuple(rules.sources()), rules.label)


def _step(counts: Counts, step) -> None:
    try:
        step()
    except SyncError as exc:
        counts.failed += 1
        counts.errors.append(str(exc))
        log.warning("google watch step failed", extra={"ctx": {"error": str(exc)}})


def _keep(rt: Runtime, pk: int, box: _Wanted, kind: str, expires_at: datetime, labels: str,
          updated_at: datetime, now: datetime, counts: Counts) -> None:
    if kind == CALENDAR and expires_at - now < RENEW_AHEAD:
        _watch_calendar(rt, box, counts)      # the new channel first: no gap without push
        _stop(rt, pk, counts)
        counts.renewed += 1
    elif kind == GMAIL and (now - updated_at >= GMAIL_REWATCH or expires_at - now < RENEW_AHEAD
                            or labels != _label_key(box.label_names)):
        _watch_gmail(rt, box, pk, counts)


def _watch_calendar(rt: Runtime, box: _Wanted, counts: Counts) -> None:
    token, channel_id = secrets.token_urlsafe(32), str(uuid.uuid4())
    address = public_root(rt) + CALENDAR_PATH
    with _watches(rt, box.profile_id, box.mailbox_id, box.address, box.label) as google:
        made = google.watch_calendar(channel_id, token, address, int(CHANNEL_TTL.total_seconds()))
    with rt.db.session_scope() as s:
        s.add(GoogleWatch(mailbox_id=box.mailbox_id, server_profile_id=box.profile_id, address=box.address,
                          kind=CALENDAR, channel_id=made.channel_id, resource_id=made.resource_id,
                          token_hash=client_state_hash(token), label_ids="", expires_at=made.expires_at,
                          push_root=public_root(rt)))
    counts.created += 1


def _watch_gmail(rt: Runtime, box: _Wanted, pk: int | None, counts: Counts) -> None:
    """users.watch (again, for ``pk``): the topic, the Salesforce label's id and SENT/INBOX as rules need."""
    with _watches(rt, box.profile_id, box.mailbox_id, box.address, box.label) as google:
        ids = [google.salesforce_label() if name == "salesforce" else name for name in box.label_names]
        made = google.watch_gmail(box.gmail_topic, ids)
    with rt.db.session_scope() as s:
        row = s.get(GoogleWatch, pk) if pk is not None else None
        if row is None:
            row = GoogleWatch(mailbox_id=box.mailbox_id, server_profile_id=box.profile_id, address=box.address,
                              kind=GMAIL, channel_id=f"gmail-{uuid.uuid4()}", token_hash="")
            s.add(row)
            counts.created += 1
        else:
            counts.renewed += 1
        row.resource_id, row.label_ids = box.gmail_topic, _label_key(box.label_names)
        row.history_id, row.expires_at, row.updated_at = made.history_id, made.expires_at, utcnow()


def _stop(rt: Runtime, pk: int, counts: Counts) -> None:
    """Stop one watch at Google and forget it; one Google refuses to stop expires on its own."""
    with rt.db.session_scope() as s:
        row = s.get(GoogleWatch, pk)
        if row is None:
            return
        kind, channel_id, resource_id = row.kind, row.channel_id, row.resource_id
        profile_id, mailbox_id, address = row.server_profile_id, row.mailbox_id, row.address
    try:
        with _watches(rt, profile_id, mailbox_id, address, "Salesforce") as google:
            google.stop_channel(channel_id, resource_id) if kind == CALENDAR else google.stop_gmail()
    except SyncError as exc:
        log.info("google watch not stopped; it expires by itself", extra={"ctx": {"watch": pk, "error": str(exc)}})
    with rt.db.session_scope() as s:
        row = s.get(GoogleWatch, pk)
        if row is not None:
            s.delete(row)
    counts.stopped += 1


def _label_key(names: tuple[str, ...]) -> str:
    return ",".join(names)


@contextmanager
def _watches(rt: Runtime, profile_id: int, mailbox_id: int | None, address: str, label: str) -> Iterator[GoogleWatches]:
    """The user's Google services: the mailbox's own grant while it exists, else the profile's key."""
    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, mailbox_id) if mailbox_id is not None else None
        profile = s.get(ServerProfile, profile_id)
        if profile is None:
            raise NotFound(f"server profile {profile_id} is gone")
        settings = session_settings(rt, mailbox) if mailbox is not None else google_settings(rt, profile)
    now = utcnow()
    port = build_google_mailbox(settings, address, (now, now), mail=GmailOptions(label=label))
    try:
        yield GoogleWatches(port)
    finally:
        port.close()
