"""Model → response-dict shapes shared by several endpoints (no secrets ever included)."""
from __future__ import annotations

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy import select

from app.models import Mailbox, SyncSessionRecord, User
from app.runtime import db_session, runtime
from app.services.feed_health import feed_health
from app.services.folder_states import folder_states
from app.services.idle_facts import CHECK_JOB_PREFIX
from app.services.linked_items import linked_items
from app.services.mailboxes import has_dav_password
from app.services.push_status import push_status
from app.services.settings import auto_sync_effective, org_settings, user_settings
from app.services.skipped_items import kind_counts
from app.services.users import role_source
from app.state import progress


def user_view(user: User) -> dict:
    return {
        "id": user.id, "org_id": user.org_id, "sf_user_id": user.sf_user_id, "email": user.email,
        "name": user.name, "role": user.role, "role_source": role_source(user),
        "is_active": user.is_active, "auto_sync_enabled": user.auto_sync_enabled,
        "created_at": user.created_at,
        "salesforce_connection": user.connection.status if user.connection else "none",
        "salesforce_connection_reason": user.connection.status_reason if user.connection else None,
    }


def me_view(user: User) -> dict:
    org = user.org
    return {
        **user_view(user),
        "org": {"id": org.id, "sf_org_id": org.sf_org_id, "name": org.name, "instance_url": org.instance_url},
        "auto_sync_effective": auto_sync_effective(user),
        "settings": user_settings(user),
        "settings_locked": not org_settings(org)["allow_user_overrides"],
    }


def mailbox_view(mailbox: Mailbox) -> dict:
    profile = mailbox.server_profile
    return {
        "id": mailbox.id, "user_id": mailbox.user_id, "address": mailbox.address, "username": mailbox.username,
        "dav_username": mailbox.dav_username, "has_dav_password": has_dav_password(runtime(), mailbox),
        "server_profile": {"id": profile.id, "name": profile.name, "kind": profile.kind},
        "status": mailbox.status, "status_reason": mailbox.status_reason, "status_set_by": mailbox.status_set_by,
        "consecutive_failures": mailbox.consecutive_failures,
        "throttled_failures": mailbox.throttled_failures or 0, "has_credentials": bool(mailbox.credentials_enc),
        "last_sync_at": mailbox.last_sync_at, "next_sync_at": mailbox.next_sync_at,
    }


def dashboard_view(mailbox: Mailbox, limit: int) -> dict:
    sessions = list(db_session().scalars(select(SyncSessionRecord).where(SyncSessionRecord.mailbox_id == mailbox.id)
                                         .order_by(SyncSessionRecord.id.desc()).limit(limit)))
    last_counts = next((kind_counts(s.counts) for s in sessions if s.finished_at and s.status != "failed"), None)
    return {
        "mailbox": mailbox_view(mailbox),
        "folders": folder_states(mailbox, last_counts),
        "sessions": [{"id": s.id, "trigger": s.trigger, "status": s.status, "started_at": s.started_at,
                      "finished_at": s.finished_at, "counts": kind_counts(s.counts), "errors": s.errors or [],
                      "conflicts": s.conflicts or [], "failure": s.failure,
                      "checked_only": (s.job_id or "").startswith(CHECK_JOB_PREFIX)} for s in sessions],
        "progress": _live_progress(mailbox.id),
        "linked_items": linked_items(db_session(), mailbox.id),
        "push": push_status(runtime(), mailbox),
        "salesforce_changes": feed_health(db_session(), mailbox.org_id),
    }


def _live_progress(mailbox_id: int) -> dict | None:
    """Live progress lives in Redis; while Redis is down the dashboard still answers from SQL."""
    try:
        return progress.read(runtime().redis.client, mailbox_id)
    except (RedisConnectionError, RedisTimeoutError):
        return None
