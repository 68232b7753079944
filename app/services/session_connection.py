"""Which Salesforce connection a mailbox's background session runs as, and the org's integration user.

The owner's own connected connection; else - only where an admin named one - the org's
integration user for server-side sync, audited every time a session borrows it. Never silently
the org's default (an admin's) connection: without either, the owner must sign in to Salesforce.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import Org, SalesforceConnection, User
from app.services import audit
from app.sync.errors import AuthFailure

INTEGRATION_USER_SETTING = "salesforce_integration_user_id"


class IntegrationUserRefused(ValueError):
    """The chosen user cannot serve as the org's integration user (the message says why)."""


@dataclass(frozen=True)
class SessionConnection:
    """The connection a session uses; `integration_user_id` is set when it is borrowed."""

    connection_id: int
    integration_user_id: int | None = None


def integration_user_id(org: Org) -> int | None:
    value = (org.settings or {}).get(INTEGRATION_USER_SETTING)
    return int(value) if value else None


def set_integration_user(session: Session, org: Org, actor: User, user_id: int | None) -> int | None:
    """Name (or clear, with None) the org's integration user; admins only (the API checks), audited."""
    if user_id is not None:
        _check_candidate(session.get(User, user_id), org, user_id)
    before = integration_user_id(org)
    org.settings = {**(org.settings or {}), INTEGRATION_USER_SETTING: user_id}
    if before != user_id:
        audit.record(session, org.id, "org.salesforce_integration_user.changed", actor_id=actor.id,
                     target_type="user", target_id=user_id or "", details={"before": before, "after": user_id})
    return user_id


def session_connection(session: Session, owner: User, mailbox_id: int) -> SessionConnection:
    """The owner's connection, else the integration user's (audited); raises the core's AuthFailure."""
    if _usable(owner.connection):
        return SessionConnection(owner.connection.id)
    why = "their Salesforce connection needs re-authorisation" if owner.connection else \
        "they have no Salesforce connection"
    chosen_id = integration_user_id(owner.org)
    if chosen_id is None:
        raise AuthFailure(f"{owner.email} must sign in to Salesforce: {why} and the org has no integration user "
                          "for server-side sync")
    chosen = session.get(User, chosen_id)
    if chosen is None or chosen.org_id != owner.org_id or not chosen.is_active or not _usable(chosen.connection):
        raise AuthFailure(f"{owner.email} must sign in to Salesforce: {why} and the org's integration user "
                          "has no usable Salesforce connection either")
    connection_id = chosen.connection.id
    audit.record(session, owner.org_id, "salesforce.integration_user.used", target_type="mailbox",
                 target_id=mailbox_id, details={"owner_id": owner.id, "integration_user_id": chosen.id,
                                                "connection_id": connection_id})
    return SessionConnection(connection_id, chosen.id)


def _check_candidate(user: User | None, org: Org, user_id: int) -> None:
    if user is None or user.org_id != org.id:
        raise IntegrationUserRefused(f"user {user_id} is not a user of this org")
    if not user.is_active:
        raise IntegrationUserRefused(f"user {user_id} is disabled in Syncline")
    if not _usable(user.connection):
        raise IntegrationUserRefused(f"user {user_id} has no connected Salesforce connection; "
                                     "they must sign in to Salesforce first")


def _usable(connection: SalesforceConnection | None) -> bool:
    return connection is not None and connection.status == "connected"
