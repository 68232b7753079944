"""SQL implementation of the Salesforce adapter's TokenStore: a connection's tokens, encrypted at rest.

Each call is its own short transaction; tokens are decrypted only into the returned value,
and a rotated refresh token is committed together with the new access token.
"""
from __future__ import annotations

import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models.base import utcnow
from app.models.org import SalesforceConnection
from app.providers.salesforce.stores import StoredConnection
from app.security.secret_box import SecretBox

log = logging.getLogger("syncline.salesforce")


def take_org_default(session: Session, conn: SalesforceConnection) -> None:
    """``conn`` becomes the one connection its org's org-wide work (the change poll, Change Data
    Capture) runs as."""
    for other in session.scalars(select(SalesforceConnection).where(
            SalesforceConnection.org_id == conn.org_id, SalesforceConnection.is_org_default.is_(True))):
        other.is_org_default = False
    conn.is_org_default = True


def hand_over_org_default(session: Session, conn: SalesforceConnection) -> SalesforceConnection | None:
    """The org's default connection stopped working: hand the org-wide work to another connected
    admin's connection (Salesforce admins first, then the most recently signed in), so changes keep
    reaching every mailbox. None when there is no one to hand it to (it waits for a sign-in)."""
    if not conn.is_org_default:
        return None
    candidates = [c for c in session.scalars(select(SalesforceConnection).where(
        SalesforceConnection.org_id == conn.org_id, SalesforceConnection.id != conn.id,
        SalesforceConnection.status == "connected")) if c.user is not None and c.user.is_admin]
    if not candidates:
        log.warning("org-wide Salesforce connection lost; no other admin is connected",
                    extra={"ctx": {"org_pk": conn.org_id, "connection": conn.id}})
        return None
    successor = max(candidates, key=lambda c: (bool(c.user.sf_admin), c.issued_at))
    take_org_default(session, successor)
    log.info("org-wide Salesforce work handed to another admin's connection",
             extra={"ctx": {"org_pk": conn.org_id, "from": conn.id, "to": successor.id}})
    return successor


class SqlTokenStore:
    """Reads and updates `salesforce_connections` rows for the Salesforce adapter."""

    def __init__(self, db: Database, secrets: SecretBox):
        self.db, self.secrets = db, secrets

    def load(self, connection_id: int) -> StoredConnection | None:
        with self.db.session_scope() as session:
            conn = session.get(SalesforceConnection, connection_id)
            if conn is None:
                return None
            refresh = self.secrets.decrypt(conn.refresh_token_enc) if conn.refresh_token_enc else None
            return StoredConnection(conn.id, conn.org_id, conn.instance_url,
                                    self.secrets.decrypt(conn.access_token_enc), refresh,
                                    conn.status, conn.status_reason)

    def store_refreshed(self, connection_id: int, access_token: str, refresh_token: str | None,
                        instance_url: str) -> None:
        with self.db.session_scope() as session:
            conn = session.get(SalesforceConnection, connection_id)
            if conn is None:
                return
            if refresh_token:
                conn.refresh_token_enc = self.secrets.encrypt(refresh_token)
            conn.access_token_enc = self.secrets.encrypt(access_token)
            conn.instance_url, conn.issued_at = instance_url, utcnow()

    def mark_needs_reauth(self, connection_id: int, reason: str) -> None:
        with self.db.session_scope() as session:
            conn = session.get(SalesforceConnection, connection_id)
            if conn is not None and conn.status == "connected":
                conn.status, conn.status_reason = "needs_reauth", reason[:512]
                hand_over_org_default(session, conn)

    def org_default_connection(self, org_pk: int) -> int | None:
        with self.db.session_scope() as session:
            return session.scalar(select(SalesforceConnection.id).where(
                SalesforceConnection.org_id == org_pk, SalesforceConnection.is_org_default.is_(True)))
