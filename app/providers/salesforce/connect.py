"""Build a `SalesforceClient` for a stored connection (or an org's default connection).

`host` is anything with `config` and `salesforce_stores` (the Runtime): the adapter reaches
storage only through those store interfaces. The instance URL passes the SSRF guard before
any token is sent; a connection that is not `connected` raises ReauthorizationRequired
without touching the network.
"""
from __future__ import annotations

from app.providers.salesforce.budget import ApiBudget
from app.providers.salesforce.client import RetryPolicy, SalesforceClient
from app.providers.salesforce.errors import ReauthorizationRequired
from app.providers.salesforce.stores import SalesforceHost
from app.providers.salesforce.tokens import ConnectionTokens


def api_budget(host: SalesforceHost, org_pk: int) -> ApiBudget:
    """The org's budget with the configured reserve (default 20%)."""
    return ApiBudget(host.salesforce_stores.budget, org_pk, host.config.salesforce_api_reserve)


def connect(host: SalesforceHost, connection_id: int, essential: bool = False,
            retry: RetryPolicy = RetryPolicy()) -> SalesforceClient:
    """A client for one connection; `essential` work (user-initiated) may dip into the reserve."""
    tokens = ConnectionTokens(host, connection_id)
    return SalesforceClient(host.config, tokens, api_budget(host, tokens.org_pk), retry=retry, essential=essential,
                            describes=host.salesforce_stores.describes)


def connect_org(host: SalesforceHost, org_pk: int, essential: bool = False,
                retry: RetryPolicy = RetryPolicy()) -> SalesforceClient:
    """The org-wide client (its `is_org_default` connection), used for the once-per-org poll."""
    connection_id = host.salesforce_stores.tokens.org_default_connection(org_pk)
    if connection_id is None:
        raise ReauthorizationRequired(f"org {org_pk} has no default Salesforce connection", "NO_CONNECTION")
    return connect(host, connection_id, essential=essential, retry=retry)
