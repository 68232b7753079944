"""App-only access tokens from Entra ID through msal (client credentials), never hand-written OAuth.

The msal token cache is handed in and out as a string so the service layer can keep it encrypted
between sessions (a token lives about an hour; several sessions share it). The credential is the
client secret or a certificate (``certificates.CertificateCredential.for_msal()``).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import msal
import requests

from app.sync.errors import AuthFailure, SyncError, TemporaryFailure

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
# National clouds' Graph hosts are their own token audiences (Microsoft Learn, "National cloud deployments").
NATIONAL_GRAPH_HOSTS = frozenset({"graph.microsoft.us", "dod-graph.microsoft.us", "microsoftgraph.chinacloudapi.cn"})
# Entra ID's answers that another try cannot fix differently: everything else (a 5xx) is temporary.
PASSING_ERRORS = frozenset({"temporarily_unavailable", "server_error"})

Credential = str | dict[str, str]


def scope_for(graph_url: str) -> str:
    """The ``.default`` scope for the Graph base URL: a national cloud's own, else the global one
    (which a faithful stand-in answers too)."""
    host = urlsplit(graph_url).hostname or ""
    return f"https://{host}/.default" if host in NATIONAL_GRAPH_HOSTS else GRAPH_SCOPE


def refusal(result: dict[str, Any] | None, who: str) -> SyncError:
    """Entra ID's error answer as the core's error: AuthFailure (the mailbox waits for new credentials)
    naming the error and its AADSTS sentence, TemporaryFailure for an outage on Entra ID's side."""
    result = result or {}
    first_line = (str(result.get("error_description") or "").splitlines() or [""])[0]
    text = f"Entra ID refused {who}: {result.get('error') or 'no token'}: {first_line}".rstrip(": ")
    return TemporaryFailure(text) if result.get("error") in PASSING_ERRORS else AuthFailure(text)


def confidential_app(authority: str, client_id: str, credential: Credential, http: requests.Session,
                     cache: msal.SerializableTokenCache) -> Any:
    """msal's client for one app registration; endpoint and credential problems as the core's errors."""
    try:
        # instance_discovery=False: the authority host is the admin's choice (sovereign clouds,
        # a faithful stand-in); msal then reads {authority}/v2.0/.well-known/openid-configuration.
        return msal.ConfidentialClientApplication(
            client_id, client_credential=credential, authority=authority, token_cache=cache,
            http_client=http, instance_discovery=False)
    except requests.RequestException as exc:
        raise TemporaryFailure(f"Entra ID unreachable: {exc}") from exc
    except ValueError as exc:
        raise AuthFailure(f"Entra ID does not know tenant or authority {authority}, or the credential is "
                          f"unusable: {exc}") from exc


def loaded_cache(state: str | None) -> msal.SerializableTokenCache:
    cache = msal.SerializableTokenCache()
    if state:
        cache.deserialize(state)
    return cache


class GraphTokens:
    """Access tokens for one app registration in one tenant."""

    def __init__(self, authority_url: str, tenant_id: str, client_id: str, credential: Credential,
                 http: requests.Session, cache: str | None = None, scope: str = GRAPH_SCOPE) -> None:
        self._cache = loaded_cache(cache)
        self._args = (authority_url.rstrip("/") + "/" + tenant_id, client_id, credential, http)
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
            raise refusal(result, "the app registration")
        return str(result["access_token"])

    def cache_state(self) -> str | None:
        """The serialised cache when it changed since it was handed in (None: nothing to persist)."""
        return self._cache.serialize() if self._cache.has_state_changed else None

    def _client(self) -> Any:
        if self._app is None:
            self._app = confidential_app(*self._args[:4], cache=self._cache)
        return self._app
