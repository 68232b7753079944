"""Build a `SalesforceClient` for a stored connection (or an org's default connection).

The instance URL passes the SSRF guard before any token is sent; a connection that is not
`connected` raises ReauthorizationRequired without touching the network.
"""
from __future__ import annotations

from sqlalchemy import select

from app.models.org import SalesforceConnection
from app.providers.salesforce.budget import ApiBudget
from app.providers.salesforce.client import RetryPolicy, SalesforceClient
from app.providers.salesforce.errors import ReauthorizationRequired
from app.providers.salesforce.tokens import ConnectionTokens
from app.runtime import Runtime


def api_budget(rt: Runtime, org_key: str) -> ApiBudget:
    """The org's budget with the configured reserve (default 20%)."""
    return ApiBudget(rt.redis.client, org_key, rt.config.salesforce_api_reserve)


def connect(rt: Runtime, connection_id: int, essential: bool = False,
            retry: RetryPolicy = RetryPolicy()) -> SalesforceClient:
    """A client for one connection; `essential` work (user-initiated) may dip into the reserve."""
    tokens = ConnectionTokens(rt, connection_id)
    return SalesforceClient(rt.config, tokens, api_budget(rt, tokens.org_key), retry=retry, essential=essential)


def connect_org(rt: Runtime, org_id: int, essential: bool = False,
                retry: RetryPolicy = RetryPolicy()) -> SalesforceClient:
    """The org-wide client (its `is_org_default` connection), used for the once-per-org poll."""
    with rt.db.session_scope() as session:
        connection_id = session.scalar(select(SalesforceConnection.id).where(
            SalesforceConnection.org_id == org_id, SalesforceConnection.is_org_default.is_(True)))
    if connection_id is None:
        raise ReauthorizationRequired(f"org {org_id} has no default Salesforce connection", "NO_CONNECTION")
    return connect(rt, connection_id, essential=essential, retry=retry)
