"""What the dashboard says about push for one mailbox: is a watcher on it now, when it last saw a
change, and how long that change waited (or has waited so far) for a session to sync it.
"""
from __future__ import annotations

from datetime import UTC, datetime

from redis.exceptions import RedisError
from sqlalchemy import select

from app.models import DavPushSubscription, GoogleWatch, GraphSubscription, Mailbox
from app.runtime import Runtime
from app.state import push_freshness
from app.state.push_freshness import PushFreshness


def push_status(rt: Runtime, mailbox: Mailbox) -> dict:
    try:
        seen = push_freshness.read(rt.redis.client, mailbox.id)
    except RedisError:      # Redis down: the dashboard still answers, push shown as not live
        seen = PushFreshness(False, None, None)
    now = datetime.now(UTC)
    if not seen.live:
        mode = _vendor_channel(rt, mailbox.id, now)
        if mode is not None:
            seen = PushFreshness(True, mode, seen.last_change_at)
    return describe(seen, mailbox.last_sync_at, now)


def _vendor_channel(rt: Runtime, mailbox_id: int, now: datetime) -> str | None:
    """"graph", "google" or "webdav-push" while the vendor (or DAV server) holds an unexpired
    subscription, watch or registration for the mailbox (it pushes to us; no watcher process of
    ours is involved)."""
    with rt.db.session_scope() as s:
        for mode, model in (("graph", GraphSubscription), ("google", GoogleWatch),
                            ("webdav-push", DavPushSubscription)):
            if s.scalar(select(model.id).where(model.mailbox_id == mailbox_id, model.expires_at > now).limit(1)):
                return mode
    return None


def describe(seen: PushFreshness, last_sync_at: datetime | None, now: datetime) -> dict:
    """``lag_seconds``: from the last change seen to the end of the session that followed it; while
    no session has ended since, the time waited so far (``synced`` false). None before any change."""
    changed, synced_at = seen.last_change_at, _aware(last_sync_at)
    synced = changed is not None and synced_at is not None and synced_at >= changed
    lag = None
    if changed is not None:
        lag = round(max(0.0, ((synced_at if synced and synced_at else now) - changed).total_seconds()), 3)
    return {"live": seen.live, "mode": seen.mode, "last_change_at": changed, "last_sync_at": synced_at,
            "synced": synced, "lag_seconds": lag}


def _aware(moment: datetime | None) -> datetime | None:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
