"""The Salesforce client the sidebar's user-initiated work runs on, and links to records."""
from __future__ import annotations

from app.models import User
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.connect import connect, connect_org
from app.runtime import Runtime

KEY_PREFIXES = {"003": "Contact", "00Q": "Lead", "001": "Account", "006": "Opportunity", "500": "Case",
                "005": "User"}


def client_for(rt: Runtime, user: User) -> SalesforceClient:
    """The user's own connection (their sharing rules apply), else the org default; essential work.

    Raises ReauthorizationRequired when neither is usable.
    """
    connection = user.connection
    if connection is not None and connection.status == "connected":
        return connect(rt, connection.id, essential=True)
    return connect_org(rt, user.org_id, essential=True)


def record_url(client: SalesforceClient, record_id: str) -> str:
    """The Lightning-independent classic link `https://<instance>/<id>` (redirects to the record)."""
    return f"{client.instance_url.rstrip('/')}/{record_id}"


def type_of(record_id: str) -> str | None:
    """The standard object a record id belongs to, from its key prefix (None when unknown)."""
    return KEY_PREFIXES.get((record_id or "")[:3])
