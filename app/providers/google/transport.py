"""google-api-python-client's HTTP layer over the product's guarded ``requests`` session.

googleapiclient speaks to any object with httplib2's ``request(uri, method, body, headers, ...)``
returning ``(httplib2.Response, bytes)``. Rather than httplib2 itself (its own sockets, its own CA
handling, proxies from the environment) or google-auth-httplib2, this shim sends every call through
``guarded_session``: each connection - API calls AND the OAuth token exchange, which google-auth
makes through ``google.auth.transport.requests.Request`` on the same session - is checked by the
host guard at connect time, uses the operator's CA bundle, and never follows a redirect.
Credentials are applied per request (google-auth refreshes them when expired); a 401 refreshes once
and retries. They are kept as ``_credentials``, not ``credentials``: googleapiclient's batch code
refreshes any ``http.credentials`` it finds over a fresh, unguarded httplib2 connection; here a batch
carries the token on its outer request only, which Google applies to every part (batch guide). Refusals of the grant become the core's AuthFailure, transport failures TemporaryFailure.
Every request is first charged to its user's quota (quota.py), a batch as each of its parts.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import httplib2
import requests
from google.auth import exceptions as auth_exceptions
from google.auth.credentials import Credentials
from google.auth.transport.requests import Request as AuthRequest

from app.providers.google.quota import GoogleQuota
from app.sync.errors import AuthFailure, TemporaryFailure

# OAuth error codes that mean the delegation or the key is no longer accepted (RFC 6749 §5.2,
# Google's "Using OAuth 2.0 for Server to Server Applications": invalid_grant, unauthorized_client).
REFUSED_GRANTS = ("invalid_grant", "unauthorized_client", "invalid_client", "access_denied")


class GuardedGoogleHttp:
    """An httplib2.Http stand-in; ``calls`` counts API requests sent (token exchanges excluded), ``quota``
    the user's units (shared budgets, or counted only)."""

    def __init__(self, session: requests.Session, credentials: Credentials, timeout: float = 30.0,
                 quota: GoogleQuota | None = None) -> None:
        self.session, self._credentials, self.timeout = session, credentials, timeout
        self.auth_request = AuthRequest(session)
        self.quota = quota or GoogleQuota()
        self.calls = 0

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Mapping[str, str] | None = None,
                redirections: int = 0, connection_type: Any = None) -> tuple[httplib2.Response, bytes]:
        self.quota.charge(method, uri, body)
        answer = self._send(uri, method, body, headers, refresh=False)
        if answer.status_code == 401:   # the token was revoked or expired early: one fresh token, one retry
            answer = self._send(uri, method, body, headers, refresh=True)
        info = {k.lower(): v for k, v in answer.headers.items()}
        info["status"] = str(answer.status_code)
        return httplib2.Response(info), answer.content

    def close(self) -> None:
        self.session.close()

    def _send(self, uri: str, method: str, body: Any, headers: Mapping[str, str] | None,
              refresh: bool) -> requests.Response:
        sent = dict(headers or {})
        try:
            if refresh:
                self._credentials.refresh(self.auth_request)
            self._credentials.before_request(self.auth_request, method, uri, sent)
        except auth_exceptions.RefreshError as exc:
            raise refresh_failure(exc) from exc
        except auth_exceptions.TransportError as exc:
            raise TemporaryFailure(f"Google token endpoint unreachable ({type(exc).__name__})") from exc
        self.calls += 1
        try:
            return self.session.request(method, uri, data=body, headers=sent, timeout=self.timeout,
                                        allow_redirects=False)
        except requests.RequestException as exc:
            raise TemporaryFailure(f"Google API unreachable ({type(exc).__name__})") from exc


def refresh_failure(exc: auth_exceptions.RefreshError) -> AuthFailure | TemporaryFailure:
    """A refused grant needs an admin (needs re-authorisation); anything else is retried later."""
    text = str(exc.args[0]) if exc.args else str(exc)
    if any(text.startswith(code) for code in REFUSED_GRANTS):
        return AuthFailure(f"Google refused the grant (service account or user sign-in): {text}")
    return TemporaryFailure(f"Google token endpoint failed: {text}")
