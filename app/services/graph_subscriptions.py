"""Keeping each active Office 365 mailbox subscribed to Graph change notifications.

A scheduler job (`maintain`) creates what is missing (every kind the mailbox syncs, see
`graph_push_plan`; a kind Graph refuses the app, 403, is skipped with its reason and retried next pass), renews what expires within a day (Outlook
subscriptions live under 7 days) and deletes, at Graph, the subscriptions of mailboxes that were
suspended or removed. Lifecycle notifications call `refresh` (renew = reauthorise, or recreate).
A delegated profile's subscriptions belong to each mailbox's signed-in user: they are made, renewed
and deleted with that user's token (`graph_push_clients`), and a completed sign-in calls
`subscribe_mailbox` so push is live at once.
Notifications reach `SYNCLINE_PUBLIC_URL` + NOTIFY_PATH (recorded per subscription, or read once
from Graph's copy for one made before that was recorded: one made under an earlier public URL is
made anew at the next pass, since a renewal keeps its address); their clientState is a random secret
per subscription, kept here only as a hash and checked by `verified`.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select

from app.models import Mailbox, ServerProfile
from app.models.base import utcnow
from app.models.graph_subscription import GraphSubscription
from app.providers.graph.push_resources import push_targets, stored_target
from app.providers.graph.subscriptions import GraphSubscriptions, PushTarget
from app.runtime import Runtime
from app.services.graph_push_clients import (
    LOCK_WAIT_SECONDS,
    MailboxBusy,
    client_for,
    is_delegated,
    mailbox_client,
    profile_client,
    user_can_subscribe,
)
from app.services.graph_push_plan import PushPlan, push_plan
from app.services.push_address import moved, public_root
from app.sync.errors import AuthFailure, FolderUnavailable, NotFound, PermissionDenied, SyncError
from app.sync.items import FolderKind

log = logging.getLogger("syncline.push")

# The folder kinds push watches (each only where the mailbox syncs it; resources: providers/graph/push_resources).
PUSHED_KINDS: tuple[FolderKind, ...] = (FolderKind.CALENDAR, FolderKind.CONTACTS, FolderKind.TASKS, FolderKind.MAIL)
NOTIFY_PATH = "/api/v1/graph/notifications"
LIFECYCLE_PATH = "/api/v1/graph/lifecycle"
RENEW_AHEAD = timedelta(days=1)
RENEW_ALL = timedelta(days=3650)     # after a sign-in: renew (reauthorise) every subscription the mailbox has


def client_state_hash(client_state: str) -> str:
    return hashlib.sha256(client_state.encode()).hexdigest()


@dataclass(frozen=True)
class Verified:
    """A notification whose subscription is ours and whose clientState matches."""

    subscription_pk: int
    mailbox_id: int | None


class Forged(Exception):
    """The notification names one of our subscriptions but not its clientState."""


def verified(rt: Runtime, subscription_id: str, client_state: str) -> Verified | None:
    """None for a subscription we do not know (ignored); Forged for a wrong clientState."""
    with rt.db.session_scope() as s:
        row = s.scalar(select(GraphSubscription).where(GraphSubscription.subscription_id == subscription_id))
        if row is None:
            return None
        if not hmac.compare_digest(row.client_state_hash, client_state_hash(client_state)):
            raise Forged(f"clientState does not match subscription {subscription_id}")
        active = row.mailbox_id is not None and s.scalar(
            select(Mailbox.status).where(Mailbox.id == row.mailbox_id)) == "active"
        return Verified(row.id, row.mailbox_id if active else None)


def push_reachable(rt: Runtime) -> bool:
    """Graph only calls https webhooks: with an http SYNCLINE_PUBLIC_URL nothing is subscribed
    (every attempt would fail validation) and the schedule alone brings changes."""
    return rt.config.public_url.startswith("https://")


@dataclass
class Counts:
    created: int = 0
    renewed: int = 0
    deleted: int = 0
    forgotten: int = 0      # rows of a removed delegated mailbox: no user token left to delete them at Graph
    failed: int = 0
    skipped: list[str] = field(default_factory=list)    # "mailbox 3 tasks: <why Graph refused>"


def maintain(rt: Runtime, now: datetime | None = None) -> Counts:
    """One pass over every Graph server profile; failures are logged and retried next pass.
    A delegated profile's mailboxes are each kept with their own user's client (graph_push_clients)."""
    now, counts = now or utcnow(), Counts()
    with rt.db.session_scope() as s:
        profile_ids = s.scalars(select(ServerProfile.id).where(ServerProfile.kind == "graph")).all()
    for profile_id in profile_ids:
        if not is_delegated(rt, profile_id):
            _maintain_with(rt, profile_client(rt, profile_id), profile_id, None, now, counts)
            continue
        for mailbox_id in _signed_in_mailboxes(rt, profile_id, counts):
            _maintain_with(rt, mailbox_client(rt, mailbox_id), profile_id, mailbox_id, now, counts)
    return counts


def subscribe_mailbox(rt: Runtime, mailbox_id: int, now: datetime | None = None) -> Counts:
    """A completed sign-in: the mailbox's missing subscriptions made at once, and those it has renewed
    (which reauthorises them with the fresh token), so push is live without waiting for the schedule."""
    now, counts = now or utcnow(), Counts()
    box = _active_box(rt, mailbox_id)
    if box is not None:
        client = mailbox_client(rt, mailbox_id, LOCK_WAIT_SECONDS) if is_delegated(rt, box.profile_id) else \
            profile_client(rt, box.profile_id)
        _maintain_with(rt, client, box.profile_id, mailbox_id, now, counts, renew_ahead=RENEW_ALL)
    return counts


def refresh(rt: Runtime, subscription_pk: int, recreate: bool, now: datetime | None = None) -> str:
    """A lifecycle notification's answer: renew (reauthorises), or recreate a removed subscription.
    Returns what was done ("renewed", "recreated", "dropped": the mailbox is no longer active,
    "waiting": its user must sign in again, which renews it, "deferred": a session held the mailbox
    too long, so the next maintenance pass does it)."""
    now = now or utcnow()
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, subscription_pk)
        if row is None:
            return "dropped"
        profile_id, mailbox_id = row.server_profile_id, row.mailbox_id
        target = stored_target(FolderKind(row.kind), row.resource)
    if is_delegated(rt, profile_id) and (mailbox_id is None or not user_can_subscribe(rt, mailbox_id)):
        if mailbox_id is None:
            _forget(rt, subscription_pk)
        return "dropped" if mailbox_id is None else "waiting"
    try:
        with client_for(rt, profile_id, mailbox_id) as graph:
            return _refreshed(rt, graph, subscription_pk, mailbox_id, target, recreate, now)
    except MailboxBusy:
        _due_at_next_pass(rt, subscription_pk, now)
        return "deferred"
    except AuthFailure:
        if not is_delegated(rt, profile_id):
            raise
        return "waiting"        # the user's sign-in was refused: the mailbox waits for a new one


def _due_at_next_pass(rt: Runtime, pk: int, now: datetime) -> None:
    """A lifecycle answer that could not wait for a running session: the next maintenance pass (every
    few minutes) renews the subscription, or recreates it when Graph no longer knows it, instead of
    leaving it to the daily renewal. Only the stored expiry moves, into the renewal horizon."""
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, pk)
        if row is not None:
            row.expires_at = min(row.expires_at, now + RENEW_AHEAD / 2)


def _refreshed(rt: Runtime, graph: GraphSubscriptions, pk: int, mailbox_id: int | None, target: PushTarget,
               recreate: bool, now: datetime) -> str:
    box = _active_box(rt, mailbox_id)
    if box is None or target.kind not in box.plan.kinds:
        _delete(rt, graph, pk)
        return "dropped"
    if not recreate and _renew(rt, graph, pk, now):
        return "renewed"
    _forget(rt, pk)
    _subscribe(rt, graph, box, target, now)
    return "recreated"


def _maintain_with(rt: Runtime, client: AbstractContextManager[GraphSubscriptions], profile_id: int,
                   mailbox_id: int | None, now: datetime, counts: Counts, renew_ahead: timedelta = RENEW_AHEAD) -> None:
    try:
        with client as graph:
            _maintain_scope(rt, graph, profile_id, mailbox_id, now, counts, renew_ahead)
    except SyncError as exc:
        counts.failed += 1
        log.warning("graph subscriptions", extra={"ctx": {"profile": profile_id, "mailbox_id": mailbox_id,
                                                          "error": str(exc)}})


def _signed_in_mailboxes(rt: Runtime, profile_id: int, counts: Counts) -> list[int]:
    """A delegated profile's mailboxes with subscriptions to keep, make or delete, each signed in.
    Rows of a removed mailbox are forgotten: without its user's token Graph cannot be told, and the
    subscription lapses at its expiry (its notifications are ignored meanwhile)."""
    with rt.db.session_scope() as s:
        rows = s.execute(select(GraphSubscription.id, GraphSubscription.mailbox_id)
                         .where(GraphSubscription.server_profile_id == profile_id)).all()
        active = s.scalars(select(Mailbox.id).where(Mailbox.server_profile_id == profile_id,
                                                    Mailbox.status == "active")).all()
    for pk, _ in (r for r in rows if r.mailbox_id is None):
        _forget(rt, pk)
        counts.forgotten += 1
    wanted = sorted({r.mailbox_id for r in rows if r.mailbox_id is not None} | set(active))
    return [mailbox_id for mailbox_id in wanted if user_can_subscribe(rt, mailbox_id)]


@dataclass(frozen=True)
class _Box:
    id: int
    profile_id: int
    user: str
    plan: PushPlan


def _box(m: Mailbox) -> _Box:
    return _Box(m.id, m.server_profile_id, m.username or m.address, push_plan(m.user))


def _maintain_scope(rt: Runtime, graph: GraphSubscriptions, profile_id: int, mailbox_id: int | None,
                    now: datetime, counts: Counts, renew_ahead: timedelta) -> None:
    """The profile's subscriptions (or one mailbox's: ``mailbox_id``) kept, dropped and made."""
    only_box = [Mailbox.id == mailbox_id] if mailbox_id is not None else []
    only_rows = [GraphSubscription.mailbox_id == mailbox_id] if mailbox_id is not None else []
    with rt.db.session_scope() as s:
        boxes = {m.id: _box(m) for m in s.scalars(
            select(Mailbox).where(Mailbox.server_profile_id == profile_id, Mailbox.status == "active", *only_box))}
        rows = [(r.id, r.mailbox_id, r.kind, r.expires_at, r.push_root) for r in s.scalars(
            select(GraphSubscription).where(GraphSubscription.server_profile_id == profile_id, *only_rows))]
    have = {(mailbox_id, kind) for _, mailbox_id, kind, _, _ in rows}
    for pk, box_id, kind, expires_at, root in rows:
        counts.failed += not _attempt(lambda: _keep_or_drop(rt, graph, pk, boxes.get(box_id or 0), kind,
                                                            expires_at, now, counts, renew_ahead, root))
    for box in boxes.values() if push_reachable(rt) else ():
        for kind in PUSHED_KINDS:
            if kind in box.plan.kinds and (box.id, kind.value) not in have:
                _subscribe_kind(rt, graph, box, kind, now, counts)


def _subscribe_kind(rt: Runtime, graph: GraphSubscriptions, box: _Box, kind: FolderKind, now: datetime,
                    counts: Counts) -> None:
    """Every subscription ``kind`` needs (one per contact folder), or none: a kind half subscribed
    would look done to the next pass. A refusal (403) skips the kind with Graph's reason."""
    made: list[int] = []
    try:
        for target in push_targets(graph.http, box.user, kind, contacts=box.plan.contacts,
                                   mail_folder=box.plan.mail_folder):
            made.append(_subscribe(rt, graph, box, target, now))
    except SyncError as exc:
        for pk in made:
            _attempt(lambda: _delete(rt, graph, pk))
        if isinstance(exc, AuthFailure):
            raise                       # the token itself was refused: nothing more can be done this pass
        if isinstance(exc, PermissionDenied | FolderUnavailable):
            counts.skipped.append(f"mailbox {box.id} {kind.value}: {exc}")
            log.info("graph push skipped", extra={"ctx": {"mailbox_id": box.id, "kind": kind.value, "reason": str(exc)}})
        else:
            counts.failed += 1
            log.warning("graph subscription step failed", extra={"ctx": {"mailbox_id": box.id, "error": str(exc)}})
        return
    counts.created += len(made)


def _keep_or_drop(rt: Runtime, graph: GraphSubscriptions, pk: int, box: _Box | None, kind: str,
                  expires_at: datetime, now: datetime, counts: Counts, renew_ahead: timedelta,
                  root: str | None) -> None:
    """Drop what the mailbox no longer wants; renew what is near its expiry (made anew when Graph
    lost it); make anew now what notifies an old public URL (a renewal would keep that URL)."""
    if box is None or kind not in {k.value for k in box.plan.kinds & set(PUSHED_KINDS)}:
        _delete(rt, graph, pk)
        counts.deleted += 1
        return
    recreate = _stale(rt, graph, pk, root)
    if recreate or expires_at - now < renew_ahead:
        if recreate or not _renew(rt, graph, pk, now):
            _replace(rt, graph, pk, box, kind, now, moved_away=recreate)
        counts.renewed += 1


def _stale(rt: Runtime, graph: GraphSubscriptions, pk: int, root: str | None) -> bool:
    """Whether the subscription notifies another address than SYNCLINE_PUBLIC_URL now, or is gone.
    A row made before migration 0014 recorded no address: Graph's copy is read once for its
    notificationUrl and the address kept; an answer without one is taken (and kept) as current,
    so the row is read at Graph once, not at every pass."""
    if root is not None:
        return moved(rt, root)
    known = _at_graph(rt, pk)
    if known is None:
        return False
    subscription_id, target = known
    try:
        url = graph.read(subscription_id, target).notification_url
    except NotFound:
        return True                     # Graph lost it: made anew now, not at its renewal
    learned = url.removesuffix(NOTIFY_PATH) if url else public_root(rt)
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, pk)
        if row is not None:
            row.push_root = learned
    return moved(rt, learned)


def _replace(rt: Runtime, graph: GraphSubscriptions, pk: int, box: _Box, kind: str, now: datetime,
             moved_away: bool) -> None:
    """The row's subscription made anew: Graph lost it (its renewal answered 404), or it notifies an
    old public URL (``moved_away``: deleted at Graph first, best effort; one Graph cannot delete now
    lapses at its expiry, notifying only the old address)."""
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, pk)
        if row is None:
            return
        target, subscription_id = stored_target(FolderKind(kind), row.resource), row.subscription_id
    if moved_away:
        _attempt(lambda: graph.delete(subscription_id))
    _forget(rt, pk)
    _subscribe(rt, graph, box, target, now)


def _attempt(step: Callable[[], None]) -> bool:
    """Run one subscription step; a Graph failure is logged (the next pass retries it). A refused
    token (AuthFailure) ends the pass for this client: every further step would be refused too."""
    try:
        step()
        return True
    except AuthFailure:
        raise
    except SyncError as exc:
        log.warning("graph subscription step failed", extra={"ctx": {"error": str(exc)}})
        return False


def _subscribe(rt: Runtime, graph: GraphSubscriptions, box: _Box, target: PushTarget, now: datetime) -> int:
    """Subscribe at Graph and keep the row; returns its primary key."""
    client_state = secrets.token_urlsafe(32)
    root = public_root(rt)
    made = graph.create(target, root + NOTIFY_PATH, root + LIFECYCLE_PATH, client_state, now)
    with rt.db.session_scope() as s:
        row = GraphSubscription(mailbox_id=box.id, server_profile_id=box.profile_id, kind=target.kind.value,
                                subscription_id=made.subscription_id, resource=target.resource,
                                client_state_hash=client_state_hash(client_state), expires_at=made.expires_at,
                                push_root=root)
        s.add(row)
        s.flush()
        return row.id


def _at_graph(rt: Runtime, pk: int) -> tuple[str, PushTarget] | None:
    """The row's Graph subscription id and what it watches; None when the row is gone."""
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, pk)
        return None if row is None else (row.subscription_id, stored_target(FolderKind(row.kind), row.resource))


def _renew(rt: Runtime, graph: GraphSubscriptions, pk: int, now: datetime) -> bool:
    """False when Graph no longer knows the subscription (the caller recreates it)."""
    known = _at_graph(rt, pk)
    if known is None:
        return False
    subscription_id, target = known
    try:
        renewed = graph.renew(subscription_id, target, now)
    except NotFound:
        return False
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, pk)
        if row is not None:
            row.expires_at = renewed.expires_at
    return True


def _delete(rt: Runtime, graph: GraphSubscriptions, pk: int) -> None:
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, pk)
        subscription_id = row.subscription_id if row is not None else None
    if subscription_id is not None:
        graph.delete(subscription_id)
        _forget(rt, pk)


def _forget(rt: Runtime, pk: int) -> None:
    with rt.db.session_scope() as s:
        row = s.get(GraphSubscription, pk)
        if row is not None:
            s.delete(row)


def _active_box(rt: Runtime, mailbox_id: int | None) -> _Box | None:
    with rt.db.session_scope() as s:
        m = s.get(Mailbox, mailbox_id) if mailbox_id is not None else None
        return _box(m) if m is not None and m.status == "active" else None
