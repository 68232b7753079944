"""Append an audit event in the caller's transaction (it commits or rolls back with it)."""
from __future__ import annotations

from flask import g, has_app_context
from sqlalchemy.orm import Session

from app.models import AuditEvent


def record(session: Session, org_id: int, action: str, *, actor_id: int | None = None,
           target_type: str = "", target_id: str | int = "", details: dict | None = None) -> AuditEvent:
    """`details` must never hold secrets: callers pass field names and new values of settings."""
    request_id = getattr(g, "request_id", None) if has_app_context() else None
    event = AuditEvent(org_id=org_id, actor_user_id=actor_id, action=action, target_type=target_type,
                       target_id=str(target_id), details=details or {}, request_id=request_id)
    session.add(event)
    return event
