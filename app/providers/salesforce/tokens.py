"""Where the client gets its access token, and the one-at-a-time refresh of a stored connection.

`ConnectionTokens` reads a `SalesforceConnection` row (tokens decrypted only in memory),
refreshes under a Redis lock, commits a rotated refresh token before the new access token
is used, and marks the connection `needs_reauth` when Salesforce refuses the refresh token.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Protocol

from redis.exceptions import LockError

from app.models.base import utcnow
from app.models.org import SalesforceConnection
from app.providers.salesforce import oauth
from app.providers.salesforce.errors import ReauthorizationRequired, TransientError
from app.providers.salesforce.guard import UntrustedInstanceUrl, check_instance_url
from app.runtime import Runtime
from app.state import keys

log = logging.getLogger(__name__)
LOCK_TIMEOUT_S = 30


class TokenSource(Protocol):
    """What the client needs: where to call, with which token, and how to get a fresh one."""

    instance_url: str
    org_key: str

    def access_token(self) -> str: ...

    def refresh(self, stale_token: str) -> str:
        """Return a usable access token other than `stale_token`; may raise ReauthorizationRequired."""
        ...

    def mark_needs_reauth(self, reason: str) -> None: ...


@dataclass
class StaticTokens:
    """A bare access token (benchmarks, scripts): no refresh, so a 401 means re-authorise."""

    instance_url: str
    token: str
    org_key: str

    def access_token(self) -> str:
        return self.token

    def refresh(self, stale_token: str) -> str:
        raise ReauthorizationRequired("no refresh token for this session", "INVALID_SESSION_ID", 401)

    def mark_needs_reauth(self, reason: str) -> None:
        log.warning("static Salesforce session needs re-authorisation", extra={"ctx": {"reason": reason}})


class ConnectionTokens:
    """Tokens of one stored connection; raises ReauthorizationRequired unless it is `connected`."""

    def __init__(self, rt: Runtime, connection_id: int, lock_timeout_s: float = LOCK_TIMEOUT_S):
        self.rt, self.connection_id, self.lock_timeout_s = rt, connection_id, lock_timeout_s
        with rt.db.session_scope() as session:
            conn = self._connected(session)
            self.org_key = str(conn.org_id)
            self.instance_url = self._guarded(conn.instance_url)
            self._token = rt.secrets.decrypt(conn.access_token_enc)

    def access_token(self) -> str:
        return self._token

    def refresh(self, stale_token: str) -> str:
        """One refresh at a time per connection; a refresh done by someone else meanwhile is reused."""
        lock = self.rt.redis.client.lock(keys.salesforce_refresh_lock(self.connection_id),
                                         timeout=self.lock_timeout_s, blocking_timeout=self.lock_timeout_s)
        if not lock.acquire():
            raise TransientError("another token refresh for this connection is still running", "REFRESH_BUSY")
        try:
            self._token = self._refresh_locked(stale_token)
            return self._token
        finally:
            try:
                lock.release()
            except LockError:
                pass    # the lock expired while we worked; nothing to give back

    def _refresh_locked(self, stale_token: str) -> str:
        with self.rt.db.session_scope() as session:
            conn = self._connected(session)
            current = self.rt.secrets.decrypt(conn.access_token_enc)
            if current != stale_token:
                return current
            refresh_enc = conn.refresh_token_enc
        if not refresh_enc:
            self._reject("the connection has no refresh token; sign in again")
        try:
            token = oauth.refresh_access_token(self.rt.config, self.rt.secrets.decrypt(refresh_enc))
        except oauth.RefreshRejected as exc:
            self._reject(f"Salesforce refused the refresh token ({exc.error}); sign in again")
        except oauth.RefreshUnavailable as exc:
            raise TransientError(f"token refresh failed: {exc}", "REFRESH_UNAVAILABLE") from None
        try:
            instance = self._guarded(token.get("instance_url") or self.instance_url)
        except ReauthorizationRequired:
            self._reject("Salesforce returned an instance URL Syncline does not trust")
        self._store(token, instance)
        return token["access_token"]

    def _store(self, token: dict, instance: str) -> None:
        """Commit the rotated refresh token and the new access token in one transaction, before use."""
        with self.rt.db.session_scope() as session:
            conn = self._connected(session)
            if token.get("rotated"):
                conn.refresh_token_enc = self.rt.secrets.encrypt(token["refresh_token"])
            conn.access_token_enc = self.rt.secrets.encrypt(token["access_token"])
            conn.instance_url, conn.issued_at = instance, utcnow()
        self.instance_url = instance
        log.info("salesforce token refreshed", extra={"ctx": {
            "connection_id": self.connection_id, "rotated": bool(token.get("rotated"))}})

    def mark_needs_reauth(self, reason: str) -> None:
        """Flag the connection for the user and admin; `reason` must not contain token text."""
        with self.rt.db.session_scope() as session:
            conn = session.get(SalesforceConnection, self.connection_id)
            if conn is not None and conn.status == "connected":
                conn.status, conn.status_reason = "needs_reauth", reason[:512]
        log.warning("salesforce connection needs re-authorisation", extra={"ctx": {
            "connection_id": self.connection_id, "reason": reason}})

    def _reject(self, reason: str) -> None:
        self.mark_needs_reauth(reason)
        raise ReauthorizationRequired(reason, "INVALID_GRANT", 400)

    def _connected(self, session) -> SalesforceConnection:
        conn = session.get(SalesforceConnection, self.connection_id)
        if conn is None:
            raise ReauthorizationRequired(f"connection {self.connection_id} does not exist", "NO_CONNECTION")
        if conn.status != "connected":
            raise ReauthorizationRequired(
                f"connection {self.connection_id} is {conn.status}: {conn.status_reason or 'sign in again'}",
                "NEEDS_REAUTH")
        return conn

    def _guarded(self, url: str) -> str:
        try:
            return check_instance_url(url, self.rt.config.salesforce_allowed_hosts)
        except UntrustedInstanceUrl as exc:
            raise ReauthorizationRequired(f"refused instance URL: {exc}", "UNTRUSTED_INSTANCE") from None
