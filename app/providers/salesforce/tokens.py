"""Where the client gets its access token, and the one-at-a-time refresh of a stored connection.

`ConnectionTokens` reads a connection through the TokenStore (tokens decrypted only in
memory), refreshes under the RefreshLock, has the store commit a rotated refresh token before
the new access token is used, and marks the connection `needs_reauth` when Salesforce refuses
the refresh token. It holds no storage itself: both stores come from the caller.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import NoReturn, Protocol

from app.providers.salesforce import oauth
from app.providers.salesforce.errors import ReauthorizationRequired, TransientError
from app.providers.salesforce.guard import UntrustedInstanceUrl, check_instance_url
from app.providers.salesforce.stores import SalesforceHost, StoredConnection

log = logging.getLogger(__name__)
LOCK_TIMEOUT_S = 30


class TokenSource(Protocol):
    """What the client needs: where to call, with which token, and how to get a fresh one."""

    instance_url: str
    org_pk: int

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
    org_pk: int

    def access_token(self) -> str:
        return self.token

    def refresh(self, stale_token: str) -> str:
        raise ReauthorizationRequired("no refresh token for this session", "INVALID_SESSION_ID", 401)

    def mark_needs_reauth(self, reason: str) -> None:
        log.warning("static Salesforce session needs re-authorisation", extra={"ctx": {"reason": reason}})


class ConnectionTokens:
    """Tokens of one stored connection; raises ReauthorizationRequired unless it is `connected`."""

    def __init__(self, host: SalesforceHost, connection_id: int, lock_timeout_s: float = LOCK_TIMEOUT_S):
        self.config, stores = host.config, host.salesforce_stores
        self.store, self.lock = stores.tokens, stores.refresh_lock
        self.connection_id, self.lock_timeout_s = connection_id, lock_timeout_s
        conn = self._connected()
        self.org_pk = conn.org_pk
        self.instance_url = self._guarded(conn.instance_url)
        self._token = conn.access_token

    def access_token(self) -> str:
        return self._token

    def refresh(self, stale_token: str) -> str:
        """One refresh at a time per connection; a refresh done by someone else meanwhile is reused."""
        with self.lock.hold(self.connection_id, self.lock_timeout_s) as acquired:
            if not acquired:
                raise TransientError("another token refresh for this connection is still running", "REFRESH_BUSY")
            self._token = self._refresh_locked(stale_token)
            return self._token

    def _refresh_locked(self, stale_token: str) -> str:
        conn = self._connected()
        if conn.access_token != stale_token:
            self.instance_url = self._guarded(conn.instance_url)
            return conn.access_token
        if not conn.refresh_token:
            self._reject("the connection has no refresh token; sign in again")
        try:
            token = oauth.refresh_access_token(self.config, conn.refresh_token)
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
        """The store commits the rotated refresh token and the new access token together, before use."""
        rotated = token["refresh_token"] if token.get("rotated") else None
        self.store.store_refreshed(self.connection_id, token["access_token"], rotated, instance)
        self.instance_url = instance
        log.info("salesforce token refreshed", extra={"ctx": {
            "connection_id": self.connection_id, "rotated": bool(rotated)}})

    def mark_needs_reauth(self, reason: str) -> None:
        """Flag the connection for the user and admin; `reason` must not contain token text."""
        self.store.mark_needs_reauth(self.connection_id, reason)
        log.warning("salesforce connection needs re-authorisation", extra={"ctx": {
            "connection_id": self.connection_id, "reason": reason}})

    def _reject(self, reason: str) -> NoReturn:
        self.mark_needs_reauth(reason)
        raise ReauthorizationRequired(reason, "INVALID_GRANT", 400)

    def _connected(self) -> StoredConnection:
        conn = self.store.load(self.connection_id)
        if conn is None:
            raise ReauthorizationRequired(f"connection {self.connection_id} does not exist", "NO_CONNECTION")
        if conn.status != "connected":
            raise ReauthorizationRequired(
                f"connection {self.connection_id} is {conn.status}: {conn.status_reason or 'sign in again'}",
                "NEEDS_REAUTH")
        return conn

    def _guarded(self, url: str) -> str:
        try:
            return check_instance_url(url, self.config.salesforce_allowed_hosts)
        except UntrustedInstanceUrl as exc:
            raise ReauthorizationRequired(f"refused instance URL: {exc}", "UNTRUSTED_INSTANCE") from None
