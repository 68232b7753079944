"""App-only access tokens from Entra ID through msal (client credentials), never hand-written OAuth.

The msal token cache is handed in and out as a string so the service layer can keep it encrypted
between sessions (a token lives about an hour; several sessions share it).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import msal
import requests

from app.sync.errors import AuthFailure, TemporaryFailure

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# National clouds' Graph hosts are their own token audiences (Microsoft Learn, "National cloud deployments").
NATIONAL_GRAPH_HOSTS = frozenset({"graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"})


def scope_for(graph_url: str) -> str:
    """The ``.default`` scope for the Graph base URL: a national cloud's own, else the global one
    (which a faithful stand-in answers too)."""
    host = urlsplit(graph_url).hostname or ""
    return f"https://{host}/.default" if host in NATIONAL_GRAPH_HOSTS else GRAPH_SCOPE


class GraphTokens:
    """Access tokens for one app registration in one tenant."""

    def __init__(self, authority_url: str, tenant_id: str, client_id: str, client_secret: str,
                 http: requests.Session, cache: str | None = None, scope: str = GRAPH_SCOPE) -> None:
        self._cache = msal.SerializableTokenCache()
        if cache:
            self._cache.deserialize(cache)
        self._args = (authority_url.rstrip("/") + "/" + tenant_id, client_id, client_secret, http)
        self._scope = scope
        self._app: Any = None

    def access_token(self, fresh: bool = False) -> str:
        """A valid token (from the cache while it lasts; ``fresh``: a new one, Graph refused the cached
        one); AuthFailure when Entra ID refuses the app."""
        try:
            if fresh:
                self._client().remove_tokens_for_client()
            result = self._client().acquire_token_for_client(scopes=[self._scope])
        except requests.RequestException as exc:
            raise TemporaryFailure(f"Entra ID unreachable: {exc}") from exc
        if "access_token" not in result:
            first_line = (str(result.get("error_description") or "").splitlines() or [""])[0]
            raise AuthFailure(f"Entra ID refused the app registration: {result.get('error')}: {first_line}")
        return str(result["access_token"])

    def cache_state(self) -> str | None:
        """The serialised cache when it changed since it was handed in (None: nothing to persist)."""
        return self._cache.serialize() if self._cache.has_state_changed else None

    def _client(self) -> Any:
        if self._app is None:
            authority, client_id, secret, http = self._args
            try:
                # instance_discovery=False: the authority host is the admin's choice (sovereign clouds,
                # a faithful stand-in); msal then reads {authority}/v2.0/.well-known/openid-configuration.
                self._app = msal.ConfidentialClientApplication(
                    client_id, client_credential=secret, authority=authority, token_cache=self._cache,
                    http_client=http, instance_discovery=False)
            except requests.RequestException as exc:
                raise TemporaryFailure(f"Entra ID unreachable: {exc}") from exc
            except ValueError as exc:
                raise AuthFailure(f"Entra ID does not know tenant or authority {authority}: {exc}") from exc
        return self._app
