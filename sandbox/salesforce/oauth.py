"""OAuth 2.0 web-server flow (with PKCE), refresh tokens, revocation and sessions.

Error bodies follow Salesforce: `{"error": "invalid_grant", "error_description":
"expired access/refresh token"}` etc. All methods are thread-safe.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

CODE_TTL_S = 15 * 60
SCOPE = "refresh_token api id"


@dataclass
class Session:
    """What an access token stands for."""

    org_id: str
    user_id: str
    refresh_token: str | None
    issued_at_ms: int


@dataclass
class Grant:
    """A refresh token's grant; rotation replaces it, revocation kills it."""

    org_id: str
    user_id: str
    client_id: str
    scope: str


@dataclass
class AuthCode:
    org_id: str
    user_id: str
    client_id: str
    redirect_uri: str
    challenge: str | None
    scope: str
    expires: float


@dataclass
class Client:
    """A registered connected app (optional: with none registered, any client_id works)."""

    client_id: str
    secret: str | None = None
    redirect_uris: list[str] = field(default_factory=list)


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error, self.description, self.status = error, description, status

    def body(self) -> dict[str, str]:
        return {"error": self.error, "error_description": self.description}


def _grant_error(what: str = "expired access/refresh token") -> OAuthError:
    return OAuthError("invalid_grant", what)


def pkce_challenge(verifier: str) -> str:
    """S256 code challenge for a verifier (base64url without padding)."""
    digest = hashlib.sha256(verifier.encode()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


class OAuthServer:
    """Codes, access tokens and refresh grants for every org of the emulator."""

    def __init__(self, base_url: Callable[[], str]) -> None:
        self.base_url = base_url
        self.rotate_refresh_tokens = False
        self.clients: dict[str, Client] = {}
        self._codes: dict[str, AuthCode] = {}
        self._sessions: dict[str, Session] = {}
        self._grants: dict[str, Grant] = {}
        self._lock = threading.Lock()
        self._secret = secrets.token_bytes(32)

    # ---- tokens -------------------------------------------------------------------
    def issue(self, org_id: str, user_id: str, client_id: str = "syncline-sandbox",
              scope: str = SCOPE, refresh: str | None = None) -> dict[str, Any]:
        """Mint an access token (and a refresh token unless one is being reused)."""
        issued = int(time.time() * 1000)
        access = f"{org_id[:15]}!" + secrets.token_urlsafe(72).replace("-", ".")
        new_refresh = refresh is None
        refresh = refresh or "5Aep861" + secrets.token_urlsafe(60).replace("-", ".")
        with self._lock:
            self._sessions[access] = Session(org_id, user_id, refresh, issued)
            self._grants.setdefault(refresh, Grant(org_id, user_id, client_id, scope))
        base = self.base_url()
        ident = f"{base}/id/{org_id}/{user_id}"
        client = self.clients.get(client_id)
        key = client.secret.encode() if client and client.secret else self._secret
        signature = base64.b64encode(
            hmac.new(key, f"{ident}{issued}".encode(), hashlib.sha256).digest()).decode()
        body = {"access_token": access, "signature": signature, "scope": scope,
                "instance_url": base, "id": ident, "token_type": "Bearer",
                "issued_at": str(issued)}
        if new_refresh:
            body["refresh_token"] = refresh
        return body

    def session(self, access_token: str) -> Session | None:
        with self._lock:
            return self._sessions.get(access_token)

    def expire_sessions(self) -> None:
        """Every access token stops working (as when an admin ends all sessions)."""
        with self._lock:
            self._sessions.clear()

    def revoke(self, token: str) -> bool:
        """Revoke an access token, or a refresh token with all its access tokens."""
        with self._lock:
            if self._sessions.pop(token, None) is not None:
                return True
            if self._grants.pop(token, None) is None:
                return False
            for access in [a for a, s in self._sessions.items() if s.refresh_token == token]:
                del self._sessions[access]
            return True

    # ---- web-server flow ----------------------------------------------------------
    def authorize(self, params: dict[str, str], org_id: str, user_id: str) -> str:
        """Auto-approve and return the redirect URL carrying `code` and `state`."""
        redirect_uri = params.get("redirect_uri", "")
        client_id = params.get("client_id", "")
        if not redirect_uri or not client_id:
            raise OAuthError("invalid_request", "missing required parameter")
        self._check_client(client_id, redirect_uri)
        if params.get("response_type") != "code":
            return self._redirect(redirect_uri, params, error="unsupported_response_type",
                                  error_description="response type not supported")
        challenge = params.get("code_challenge")
        if challenge and params.get("code_challenge_method", "S256") != "S256":
            return self._redirect(redirect_uri, params, error="invalid_request",
                                  error_description="invalid code_challenge_method")
        code = "aPrx" + secrets.token_urlsafe(48)
        with self._lock:
            self._codes[code] = AuthCode(org_id, user_id, client_id, redirect_uri, challenge,
                                         params.get("scope") or SCOPE, time.time() + CODE_TTL_S)
        return self._redirect(redirect_uri, params, code=code)

    def _check_client(self, client_id: str, redirect_uri: str) -> None:
        if not self.clients:
            return
        client = self.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if client.redirect_uris and redirect_uri not in client.redirect_uris:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")

    @staticmethod
    def _redirect(uri: str, params: dict[str, str], **extra: str) -> str:
        query = dict(extra)
        if params.get("state") is not None:
            query["state"] = params["state"]
        return uri + ("&" if "?" in uri else "?") + urlencode(query)

    def token(self, form: dict[str, str]) -> dict[str, Any]:
        """POST /services/oauth2/token for authorization_code and refresh_token grants."""
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._exchange_code(form)
        if grant_type == "refresh_token":
            return self._refresh(form)
        raise OAuthError("unsupported_grant_type", "grant type not supported")

    def _exchange_code(self, form: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            code = self._codes.pop(form.get("code", ""), None)
        if code is None or code.expires < time.time():
            raise _grant_error("invalid authorization code")
        if form.get("redirect_uri") != code.redirect_uri:
            raise OAuthError("redirect_uri_mismatch", "redirect_uri must match configuration")
        if form.get("client_id") and form["client_id"] != code.client_id:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        verifier = form.get("code_verifier")
        if code.challenge and (not verifier or pkce_challenge(verifier) != code.challenge):
            raise _grant_error("invalid code verifier")
        client = self.clients.get(code.client_id)
        if client and client.secret and not code.challenge and \
                form.get("client_secret") != client.secret:
            raise OAuthError("invalid_client", "invalid client credentials")
        return self.issue(code.org_id, code.user_id, code.client_id, code.scope)

    def _refresh(self, form: dict[str, str]) -> dict[str, Any]:
        token = form.get("refresh_token", "")
        with self._lock:
            grant = self._grants.get(token)
            if grant is not None and self.rotate_refresh_tokens:
                del self._grants[token]
        if grant is None:
            raise _grant_error()
        if form.get("client_id") and form["client_id"] != grant.client_id:
            raise OAuthError("invalid_client_id", "client identifier invalid")
        if self.rotate_refresh_tokens:
            return self.issue(grant.org_id, grant.user_id, grant.client_id, grant.scope)
        return self.issue(grant.org_id, grant.user_id, grant.client_id, grant.scope, token)

    # ---- persistence ----------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {"grants": {t: vars(g) for t, g in self._grants.items()},
                    "sessions": {t: vars(s) for t, s in self._sessions.items()},
                    "rotate": self.rotate_refresh_tokens}

    def load(self, data: dict[str, Any]) -> None:
        with self._lock:
            self._grants = {t: Grant(**g) for t, g in data.get("grants", {}).items()}
            self._sessions = {t: Session(**s) for t, s in data.get("sessions", {}).items()}
            self.rotate_refresh_tokens = bool(data.get("rotate", False))
