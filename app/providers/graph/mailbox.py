"""Office 365 through Microsoft Graph behind the core's ``MailboxPort`` (calendar in this slice).

Endpoints are the admin's (authority host, Graph base URL, CA bundle) and pass the host guard
before any token is sent; redirects are never followed. Tasks, contacts and mail raise
FolderUnavailable ("not yet supported on Office 365") so a session syncs the calendar alone.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.providers.calendar_only import CalendarOnlyMailbox
from app.providers.graph.calendar import GraphCalendar
from app.providers.graph.http import GraphHttp
from app.providers.graph.tokens import GraphTokens, scope_for
from app.providers.guarded_transport import guarded_session
from app.providers.host_guard import HostPolicy
from app.providers.vendor_edge import check_https_endpoint
from app.sync.errors import InvalidData

AUTHORITY_URL = "https://login.microsoftonline.com"
GRAPH_URL = "https://graph.microsoft.com/v1.0"


@dataclass(frozen=True)
class GraphSettings:
    """One app registration (client credentials) and where Entra ID and Graph answer."""

    tenant_id: str
    client_id: str
    client_secret: str
    authority_url: str = AUTHORITY_URL
    graph_url: str = GRAPH_URL
    ca_file: str | None = None
    scope: str = ""                      # empty: derived from graph_url (see tokens.scope_for)
    token_cache: str | None = None
    host_policy: HostPolicy = HostPolicy()
    timeout: float = 30.0


class GraphMailbox(CalendarOnlyMailbox):
    """One user's Office 365 mailbox; ``tokens.cache_state()`` hands the msal cache back for storage."""

    service = "Office 365 (Graph)"

    def __init__(self, calendar: GraphCalendar, tokens: GraphTokens, http: GraphHttp) -> None:
        self.calendar, self.tokens, self.http = calendar, tokens, http

    def close(self) -> None:
        self.http.session.close()


def build_graph_mailbox(settings: GraphSettings, user: str, window: tuple[datetime, datetime]) -> GraphMailbox:
    """A MailboxPort for ``user`` (UPN or object id); nothing connects until first use.

    Raises InvalidData for a missing app registration value or an endpoint that is not https or
    that the host guard refuses."""
    missing = [n for n in ("tenant_id", "client_id", "client_secret") if not getattr(settings, n)]
    if missing:
        raise InvalidData(f"the Office 365 server profile lacks {', '.join(missing)}")
    for url in (settings.authority_url, settings.graph_url):
        check_https_endpoint(url, settings.host_policy, "Office 365")
    session = guarded_session(settings.host_policy, settings.ca_file or True)
    session.max_redirects = 0
    tokens = GraphTokens(settings.authority_url, settings.tenant_id, settings.client_id, settings.client_secret,
                         session, settings.token_cache, settings.scope or scope_for(settings.graph_url))
    http = GraphHttp(settings.graph_url, session, tokens.access_token, settings.timeout)
    return GraphMailbox(GraphCalendar(http, user, window), tokens, http)
