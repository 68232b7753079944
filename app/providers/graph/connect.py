"""From a profile's settings to a guarded HTTP session and the right token source.

Application mode: msal client credentials with the secret or the certificate. Delegated mode: the
mailbox's own signed-in account (``delegated.DelegatedTokens``). Endpoints pass the host guard and
must be https before any credential is sent; redirects are never followed.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import requests

from app.providers.graph.delegated import DelegatedTokens, Registration
from app.providers.graph.permissions import DELEGATED
from app.providers.graph.tokens import Credential, GraphTokens, scope_for
from app.providers.guarded_transport import guarded_session
from app.providers.vendor_edge import check_https_endpoint
from app.sync.errors import InvalidData

if TYPE_CHECKING:
    from app.providers.graph.mailbox import GraphSettings


def checked_session(settings: GraphSettings) -> requests.Session:
    """Raises InvalidData for a missing registration value or an endpoint the guard refuses."""
    missing = [n for n in ("tenant_id", "client_id") if not getattr(settings, n)]
    if not settings.client_secret and settings.certificate is None:
        missing.append("client_secret or certificate")
    if missing:
        raise InvalidData(f"the Office 365 server profile lacks {', '.join(missing)}")
    for url in (settings.authority_url, settings.graph_url):
        check_https_endpoint(url, settings.host_policy, "Office 365")
    session = guarded_session(settings.host_policy, settings.ca_file or True)
    session.max_redirects = 0
    return session


def credential(settings: GraphSettings) -> Credential:
    """The certificate when one is stored (it outlives secrets), else the client secret."""
    return settings.certificate.for_msal() if settings.certificate is not None else settings.client_secret


def registration(settings: GraphSettings, session: requests.Session) -> Registration:
    return Registration(settings.authority_url.rstrip("/") + "/" + settings.tenant_id, settings.client_id,
                        credential(settings), settings.scope or scope_for(settings.graph_url), session)


def token_source(settings: GraphSettings, session: requests.Session,
                 on_change: Callable[[str], None] | None = None) -> GraphTokens | DelegatedTokens:
    """Delegated: the signed-in account's tokens (``on_change`` stores each rotated cache at once);
    application: the app's own."""
    if settings.auth_mode == DELEGATED:
        return DelegatedTokens(registration(settings, session), settings.token_cache, settings.account_id, on_change)
    return GraphTokens(settings.authority_url, settings.tenant_id, settings.client_id, credential(settings),
                       session, settings.token_cache, settings.scope or scope_for(settings.graph_url))

