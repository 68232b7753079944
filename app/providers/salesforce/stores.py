"""What the Salesforce adapter needs from storage, as small interfaces the adapter owns.

The adapter holds no storage (issue 10): tokens, the refresh lock, the API budget and the
describe cache reach it through these protocols. The composition root (`app.runtime`) hands it
the implementations: Redis in `app.state.salesforce_cache`, SQL in `app.models.salesforce_tokens`.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from app.config import Config


@dataclass(frozen=True)
class StoredConnection:
    """One user's stored Salesforce connection, tokens decrypted (in memory only)."""

    connection_id: int
    org_pk: int
    instance_url: str
    access_token: str
    refresh_token: str | None
    status: str
    status_reason: str | None = None


class TokenStore(Protocol):
    """The durable home of a connection's encrypted tokens and status."""

    def load(self, connection_id: int) -> StoredConnection | None: ...

    def store_refreshed(self, connection_id: int, access_token: str, refresh_token: str | None,
                        instance_url: str) -> None:
        """Commit the new access token and a rotated refresh token (if any) in one transaction."""
        ...

    def mark_needs_reauth(self, connection_id: int, reason: str) -> None:
        """Flag a `connected` connection `needs_reauth` with a reason (never token text)."""
        ...

    def org_default_connection(self, org_pk: int) -> int | None: ...


class RefreshLock(Protocol):
    """One token refresh at a time per connection, across processes."""

    def hold(self, connection_id: int, timeout_s: float) -> AbstractContextManager[bool]:
        """Wait up to `timeout_s` for the lock; yields whether it was acquired."""
        ...


@dataclass(frozen=True)
class ApiUsage:
    used: int
    max: int
    at: float           # epoch seconds when Salesforce reported it

    @property
    def fraction(self) -> float:
        return self.used / self.max if self.max else 0.0


class BudgetStore(Protocol):
    """An org's last known API usage, its rate-limit pause, and who re-reads /limits next."""

    def record_usage(self, org_pk: int, usage: ApiUsage, ttl_s: int) -> None: ...

    def usage(self, org_pk: int) -> ApiUsage | None: ...

    def paused_until(self, org_pk: int) -> float | None:
        """The stored pause end (epoch seconds), possibly already past; None when unset."""
        ...

    def pause(self, org_pk: int, until: float, ttl_s: int) -> None: ...

    def resume(self, org_pk: int) -> None: ...

    def claim_limits_recheck(self, org_pk: int, seconds: float) -> bool:
        """True for exactly one caller per `seconds` window: that caller re-reads /limits."""
        ...


class DescribeCache(Protocol):
    """Trimmed describe JSON per org and sObject, with a time to live."""

    def get(self, org_pk: int, sobject: str) -> str | None: ...

    def put(self, org_pk: int, sobject: str, payload: str, ttl_s: int) -> None: ...

    def forget(self, org_pk: int, sobject: str) -> None: ...


@dataclass(frozen=True)
class SalesforceStores:
    """Every store the adapter uses, built once by the composition root."""

    tokens: TokenStore
    refresh_lock: RefreshLock
    budget: BudgetStore
    describes: DescribeCache


class SalesforceHost(Protocol):
    """What `connect()` needs from its caller (the Runtime satisfies it): settings and stores."""

    @property
    def config(self) -> Config: ...

    @property
    def salesforce_stores(self) -> SalesforceStores: ...
