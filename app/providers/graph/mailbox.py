"""Office 365 through Microsoft Graph behind the core's ``MailboxPort`` (calendar in this slice).

Endpoints are the admin's (authority host, Graph base URL, CA bundle) and pass the host guard
before any token is sent; redirects are never followed. Tasks, contacts and mail raise
FolderUnavailable ("not yet supported on Office 365") so a session syncs the calendar alone.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from app.providers.graph.calendar import GraphCalendar
from app.providers.graph.http import GraphHttp
from app.providers.graph.tokens import GraphTokens, scope_for
from app.providers.guarded_transport import guarded_session
from app.providers.host_guard import ForbiddenHost, HostPolicy, check_url
from app.sync.errors import FolderUnavailable, InvalidData
from app.sync.items import FolderKind, MailboxItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

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


class GraphMailbox:
    """One user's Office 365 mailbox; ``tokens.cache_state()`` hands the msal cache back for storage."""

    def __init__(self, calendar: GraphCalendar, tokens: GraphTokens, http: GraphHttp) -> None:
        self.calendar, self.tokens, self.http = calendar, tokens, http

    def changes_since(self, kind: FolderKind, cursor: str | None) -> MailboxChanges:
        return self._calendar(kind).changes_since(cursor)

    def get_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[MailboxItem]:
        return self._calendar(kind).get_items(item_ids)

    def create_items(self, kind: FolderKind, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return self._calendar(kind).create_items(items)

    def update_items(self, kind: FolderKind, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        return self._calendar(kind).update_items(patches)

    def delete_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[WriteResult]:
        return self._calendar(kind).delete_items(item_ids)

    def find_by_sync_keys(self, kind: FolderKind, keys: Sequence[str]) -> dict[str, MailboxItem]:
        return self._calendar(kind).find_by_sync_keys(keys)

    def close(self) -> None:
        self.http.session.close()

    def _calendar(self, kind: FolderKind) -> GraphCalendar:
        if kind is not FolderKind.CALENDAR:
            raise FolderUnavailable(f"{kind.value} is not yet supported on Office 365 (Graph): only the calendar syncs")
        return self.calendar


def build_graph_mailbox(settings: GraphSettings, user: str, window: tuple[datetime, datetime]) -> GraphMailbox:
    """A MailboxPort for ``user`` (UPN or object id); nothing connects until first use.

    Raises InvalidData for a missing app registration value or an endpoint that is not https or
    that the host guard refuses."""
    http, tokens = connect_graph(settings)
    return GraphMailbox(GraphCalendar(http, user, window), tokens, http)


def connect_graph(settings: GraphSettings) -> tuple[GraphHttp, GraphTokens]:
    """The app registration's guarded Graph client and its tokens (same checks as above)."""
    missing = [n for n in ("tenant_id", "client_id", "client_secret") if not getattr(settings, n)]
    if missing:
        raise InvalidData(f"the Office 365 server profile lacks {', '.join(missing)}")
    for url in (settings.authority_url, settings.graph_url):
        _check_endpoint(url, settings.host_policy)
    session = guarded_session(settings.host_policy, settings.ca_file or True)
    session.max_redirects = 0
    tokens = GraphTokens(settings.authority_url, settings.tenant_id, settings.client_id, settings.client_secret,
                         session, settings.token_cache, settings.scope or scope_for(settings.graph_url))
    return GraphHttp(settings.graph_url, session, tokens.access_token, settings.timeout), tokens


def _check_endpoint(url: str, policy: HostPolicy) -> None:
    if urlsplit(url).scheme != "https":
        raise InvalidData(f"{url} is refused: Office 365 endpoints must be https")
    try:
        check_url(url, policy)
    except ForbiddenHost as exc:
        raise InvalidData(f"{url} is refused by the host guard: {exc}") from exc
