"""Which Salesforce connection user-initiated work runs on, and the sidebar's port over it."""
from __future__ import annotations

from app.models import User
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.connect import connect, connect_org
from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.providers.salesforce.crm_translate import SetupHint, salesforce_edge
from app.providers.salesforce.sidebar import SalesforceSidebarPort
from app.runtime import Runtime
from app.services.session_fields import fix_hint


def user_client(rt: Runtime, user: User) -> SalesforceClient:
    """The user's own connection (their sharing rules apply), else the org default; essential work.

    Raises the core's AuthFailure when neither is usable.
    """
    connection = user.connection
    with salesforce_edge():
        if connection is not None and connection.status == "connected":
            return connect(rt, connection.id, essential=True)
        return connect_org(rt, user.org_id, essential=True)


def sidebar_port(rt: Runtime, user: User) -> SalesforceSidebarPort:
    """The `SidebarCrmPort` the sidebar services receive for this user."""
    return SalesforceSidebarPort(user_client(rt, user), SetupHint(user.email, fix_hint(user.org_id, user.org.sf_org_id)))


def user_crm_port(rt: Runtime, user: User) -> SalesforceCrmPort:
    """The engine's `CrmPort` over the user's own connection, for work they ask for (autoresolve's undo)."""
    return SalesforceCrmPort(user_client(rt, user), user.sf_user_id,
                             setup=SetupHint(user.email, fix_hint(user.org_id, user.org.sf_org_id)))
