"""Office 365 through Microsoft Graph behind the core's ``MailboxPort``: one folder object per kind.

Endpoints are the admin's (authority host, Graph base URL, CA bundle) and pass the host guard
before any token is sent; redirects are never followed. A kind without a folder object raises
FolderUnavailable ("not yet supported on Office 365") so a session syncs the others.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

import requests

from app.providers.folder_mailbox import Folder, FolderMailbox
from app.providers.graph.calendar import GraphCalendar
from app.providers.graph.certificates import CertificateCredential
from app.providers.graph.connect import checked_session, token_source
from app.providers.graph.contact_folders import ContactScope
from app.providers.graph.contacts import GraphContacts
from app.providers.graph.delegated import DelegatedTokens
from app.providers.graph.gate import RequestGate
from app.providers.graph.http import GraphHttp
from app.providers.graph.mail import GraphMail, GraphMailOptions
from app.providers.graph.permissions import APPLICATION
from app.providers.graph.todo import GraphTasks
from app.providers.graph.tokens import GraphTokens
from app.providers.host_guard import HostPolicy
from app.sync.items import FolderKind

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


class GraphMailbox(FolderMailbox):
    """One user's Office 365 mailbox; ``tokens.cache_state()`` hands the msal cache back for storage."""

    service = "Office 365 (Graph)"

    def __init__(self, folders: Mapping[FolderKind, Folder], tokens: GraphTokens | DelegatedTokens,
                 http: GraphHttp) -> None:
        super().__init__(folders)
        self.tokens, self.http = tokens, http

    def close(self) -> None:
        self.http.session.close()


def build_graph_mailbox(settings: GraphSettings, user: str, window: tuple[datetime, datetime], *,
                        owner_zone: str = "UTC", contacts: ContactScope = ContactScope(),
                        mail: GraphMailOptions | None = None, gate: RequestGate | None = None,
                        on_token_cache: Callable[[str], None] | None = None) -> GraphMailbox:
    """A MailboxPort for ``user`` (UPN or object id), its contacts in ``contacts`` scope; nothing
    connects until first use. Mail is served when ``mail`` says what the user's saving rules need
    listed. Task due days are read and written in ``owner_zone``. ``gate``: the mailbox's shared
    budget and concurrency (none: unlimited). ``on_token_cache`` (delegated mode) stores a
    refreshed msal cache.

    Raises InvalidData for a missing app registration value or an endpoint that is not https or
    that the host guard refuses."""
    http, tokens = connect_graph(settings, gate, on_token_cache)
    folders: dict[FolderKind, Folder] = {FolderKind.CALENDAR: GraphCalendar(http, user, window),
                                              FolderKind.CONTACTS: GraphContacts(http, user, contacts),
                                              FolderKind.TASKS: GraphTasks(http, user, owner_zone)}
    if mail is not None:
        folders[FolderKind.MAIL] = GraphMail(http, user, mail)
    return GraphMailbox(folders, tokens, http)


def connect_graph(settings: GraphSettings, gate: RequestGate | None = None,
                  on_token_cache: Callable[[str], None] | None = None
                  ) -> tuple[GraphHttp, GraphTokens | DelegatedTokens]:
    """The guarded Graph client and its token source (same checks as above)."""
    session: requests.Session = checked_session(settings)
    tokens = token_source(settings, session, on_token_cache)
    return GraphHttp(settings.graph_url, session, tokens.access_token, settings.timeout, gate), tokens
