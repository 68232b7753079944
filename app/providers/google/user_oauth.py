"""Per-user Google sign-in (OAuth 2.0 for web server applications) for orgs without domain-wide delegation.

The authorize URL is built by hand from Google's documented parameters ("Using OAuth 2.0 for Web
Server Applications", step 1: ``client_id``, ``redirect_uri``, ``response_type=code``, ``scope``,
``access_type=offline``, ``state``, ``include_granted_scopes``, ``login_hint``, ``prompt``) plus the
PKCE S256 challenge (RFC 7636; google_auth_oauthlib is not a dependency). The code is redeemed on
the guarded session (step 5); who signed in comes from the ``id_token``'s ``email`` claim, read
without checking its signature because it came straight from the token endpoint over TLS (OpenID
Connect Core 1.0, 3.1.3.7). Sessions then use google-auth's user ``Credentials`` with the refresh
token; a refresh token the endpoint rotates is handed to ``on_rotate`` before the new access token
is used. A refused refresh (``invalid_grant``: revoked or expired) is the core's AuthFailure
(transport.refresh_failure), so the mailbox waits for a new sign-in.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from google.auth.transport import Request
from google.oauth2 import credentials as user_credentials

from app.sync.errors import TemporaryFailure

AUTHORIZE_URL = "https://accounts.google.com/o/oauth2/v2/auth"
IDENTITY_SCOPES = ("openid", "email")       # the id_token's email: only the mailbox's own account may sign in


@dataclass(frozen=True)
class OAuthClient:
    """The org's OAuth client (a "Web application" credential in Google Cloud) and where Google answers."""

    client_id: str
    client_secret: str
    authorize_url: str = AUTHORIZE_URL


@dataclass(frozen=True)
class UserGrant:
    """One mailbox's signed-in grant: sessions refresh access tokens from it."""

    client: OAuthClient
    refresh_token: str
    on_rotate: Callable[[str], None] | None = None


@dataclass(frozen=True)
class SignedIn:
    email: str
    refresh_token: str | None       # None: Google kept the earlier grant (no consent asked this time)
    scopes: tuple[str, ...]


class SignInRefused(Exception):
    """The authorisation answer cannot be redeemed; the message is a sentence for the person."""


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge), RFC 7636 sections 4.1-4.2."""
    verifier = secrets.token_urlsafe(64)
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return verifier, base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def authorize_url(client: OAuthClient, redirect_uri: str, scopes: Sequence[str], state: str, challenge: str,
                  login_hint: str, first_time: bool) -> str:
    """Where to send the owner's browser. ``prompt=consent`` when no refresh token is kept: Google
    returns one only with a consent."""
    params = {"client_id": client.client_id, "redirect_uri": redirect_uri, "response_type": "code",
              "scope": " ".join(dict.fromkeys([*IDENTITY_SCOPES, *scopes])), "access_type": "offline",
              "include_granted_scopes": "true", "state": state, "login_hint": login_hint,
              "code_challenge": challenge, "code_challenge_method": "S256"}
    if first_time:
        params["prompt"] = "consent"
    separator = "&" if "?" in client.authorize_url else "?"
    return client.authorize_url + separator + urlencode(params)


def redeem_code(http: requests.Session, token_uri: str, client: OAuthClient, code: str, verifier: str,
                redirect_uri: str, timeout: float = 30.0) -> SignedIn:
    """Exchange the authorization code (step 5); raises SignInRefused with Google's reason."""
    form = {"grant_type": "authorization_code", "code": code, "client_id": client.client_id,
            "client_secret": client.client_secret, "redirect_uri": redirect_uri, "code_verifier": verifier}
    try:
        answer = http.post(token_uri, data=form, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise TemporaryFailure(f"Google token endpoint unreachable ({type(exc).__name__})") from exc
    body = _json(answer)
    if answer.status_code >= 500:
        raise TemporaryFailure(f"Google token endpoint failed: {answer.status_code}")
    if answer.status_code != 200 or "access_token" not in body:
        reason = ": ".join(str(body[k]) for k in ("error", "error_description") if body.get(k))
        raise SignInRefused(f"Google refused the sign-in ({reason or answer.status_code})")
    email = str(_claims(str(body.get("id_token") or "")).get("email") or "")
    if not email:
        raise SignInRefused("Google answered without the account's email (no id_token with the email scope)")
    return SignedIn(email, body.get("refresh_token") or None, tuple(str(body.get("scope") or "").split()))


class KeptCredentials(user_credentials.Credentials):
    """google-auth's user credentials that hand a rotated refresh token to ``on_rotate`` as soon as it
    arrives, so it is stored before the access token that came with it is used."""

    def __init__(self, grant: UserGrant, token_uri: str) -> None:
        super().__init__(None, refresh_token=grant.refresh_token, token_uri=token_uri,
                         client_id=grant.client.client_id, client_secret=grant.client.client_secret)
        self._on_rotate = grant.on_rotate

    def refresh(self, request: Request) -> None:
        before = self.refresh_token
        super().refresh(request)
        if self.refresh_token and self.refresh_token != before and self._on_rotate is not None:
            self._on_rotate(self.refresh_token)


def _json(answer: requests.Response) -> dict[str, Any]:
    try:
        body = answer.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _claims(id_token: str) -> dict[str, Any]:
    parts = id_token.split(".")
    if len(parts) != 3:
        return {}
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}
