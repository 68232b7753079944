"""Office 365 through Microsoft Graph behind the core's ``MailboxPort`` (calendar in this slice).

Endpoints are the admin's (authority host, Graph base URL, CA bundle) and pass the host guard
before any token is sent; redirects are never followed. Tasks, contacts and mail raise
FolderUnavailable ("not yet supported on Office 365") so a session syncs the calendar alone.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from app.providers.graph.calendar import GraphCalendar
from app.providers.graph.certificates import CertificateCredential
from app.providers.graph.connect import checked_session, token_source
from app.providers.graph.delegated import DelegatedTokens
from app.providers.graph.http import GraphHttp
from app.providers.graph.permissions import APPLICATION
from app.providers.graph.tokens import GraphTokens
from app.providers.host_guard import HostPolicy
from app.sync.errors import FolderUnavailable
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
    token_cache: str | None = None       # application: the profile's msal cache; delegated: the mailbox's
    host_policy: HostPolicy = HostPolicy()
    timeout: float = 30.0
    certificate: CertificateCredential | None = None   # used instead of client_secret when set
    auth_mode: str = APPLICATION         # or "delegated": each mailbox signs in (permissions.AUTH_MODES)
    account_id: str = ""                 # delegated: the signed-in account in token_cache


class GraphMailbox:
    """One user's Office 365 mailbox; ``tokens.cache_state()`` hands the msal cache back for storage."""

    def __init__(self, calendar: GraphCalendar, tokens: GraphTokens | DelegatedTokens, http: GraphHttp) -> None:
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


def build_graph_mailbox(settings: GraphSettings, user: str, window: tuple[datetime, datetime],
                        on_token_cache: Callable[[str], None] | None = None) -> GraphMailbox:
    """A MailboxPort for ``user`` (UPN or object id); nothing connects until first use.

    Raises InvalidData for a missing app registration value or an endpoint that is not https or
    that the host guard refuses. ``on_token_cache`` (delegated mode) stores a refreshed msal cache."""
    session = checked_session(settings)
    tokens = token_source(settings, session, on_token_cache)
    http = GraphHttp(settings.graph_url, session, tokens.access_token, settings.timeout)
    return GraphMailbox(GraphCalendar(http, user, window), tokens, http)
