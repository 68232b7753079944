"""Delegated (per-user) Graph access: authorization code + PKCE sign-in and silent refresh, via msal.

For orgs that refuse application permissions. msal's ``initiate_auth_code_flow`` builds the
authorize URL (state, nonce, PKCE S256 challenge); the flow dict is kept server-side by the caller
and ``acquire_token_by_auth_code_flow`` checks the state and redeems the code. The scope is Graph's
``.default`` (every delegated permission the registration holds; msal adds ``offline_access``, so a
refresh token comes back). Sessions then use ``acquire_token_silent`` with the signed-in account:
its refresh token, rotated on each use, is handed to ``on_change`` at once so it is stored before
the new access token is used. A refused refresh (``invalid_grant``: AADSTS50173 revoked, 70008 /
700082 expired) is an AuthFailure, so the mailbox waits for a new sign-in.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import requests

from app.providers.graph.tokens import Credential, confidential_app, loaded_cache, refusal
from app.sync.errors import AuthFailure, TemporaryFailure


@dataclass(frozen=True)
class Registration:
    """Where and as whom msal talks to Entra ID for delegated sign-in."""

    authority: str            # {authority host}/{tenant}
    client_id: str
    credential: Credential
    scope: str
    http: requests.Session


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in: the msal cache to keep (encrypted), its account and who signed in."""

    cache: str
    account_id: str
    username: str


class SignInRefused(Exception):
    """The authorisation answer cannot be redeemed; the message is a sentence for the person."""


def begin_sign_in(reg: Registration, redirect_uri: str, login_hint: str | None = None) -> dict[str, Any]:
    """msal's auth code flow (``auth_uri`` to send the browser to, ``state``); keep the whole dict.

    ``form_post``: the browser POSTs the code to the callback, so it never sits in a URL, a history
    or an access log (RFC 9700 section 4.3.1; msal's advice)."""
    app = confidential_app(reg.authority, reg.client_id, reg.credential, reg.http, loaded_cache(None))
    try:
        flow = app.initiate_auth_code_flow([reg.scope], redirect_uri=redirect_uri, login_hint=login_hint,
                                           response_mode="form_post")
    except requests.RequestException as exc:
        raise TemporaryFailure(f"Entra ID unreachable: {exc}") from exc
    return dict(flow)


def finish_sign_in(reg: Registration, flow: Mapping[str, Any], answer: Mapping[str, str]) -> SignedIn:
    """Redeem the code the authorize endpoint returned; raises SignInRefused with Entra ID's reason."""
    cache = loaded_cache(None)
    app = confidential_app(reg.authority, reg.client_id, reg.credential, reg.http, cache)
    try:
        result = app.acquire_token_by_auth_code_flow(dict(flow), dict(answer), scopes=[reg.scope])
    except ValueError as exc:       # msal: state mismatch, nonce mismatch, a reused flow
        raise SignInRefused(f"the sign-in answer does not belong to this sign-in ({exc})") from exc
    except requests.RequestException as exc:
        raise TemporaryFailure(f"Entra ID unreachable: {exc}") from exc
    if "access_token" not in result:
        raise SignInRefused(str(refusal(result, "the sign-in")))
    claims = result.get("id_token_claims") or {}
    accounts = app.get_accounts()
    if not accounts:
        raise SignInRefused("Entra ID answered without an account (no id_token / client_info)")
    username = str(claims.get("preferred_username") or accounts[0].get("username") or "")
    return SignedIn(cache.serialize(), str(accounts[0]["home_account_id"]), username)


class DelegatedTokens:
    """Access tokens of one signed-in user, refreshed silently from the persisted msal cache."""

    def __init__(self, reg: Registration, cache: str | None, account_id: str,
                 on_change: Callable[[str], None] | None = None) -> None:
        self._reg, self._account_id, self._on_change = reg, account_id, on_change
        self._cache = loaded_cache(cache)
        self._app: Any = None

    def access_token(self, fresh: bool = False) -> str:
        """A valid token (cached while it lasts; ``fresh``: Graph refused the cached one, so refresh)."""
        if self._app is None:
            self._app = confidential_app(self._reg.authority, self._reg.client_id, self._reg.credential,
                                         self._reg.http, self._cache)
        account = next((a for a in self._app.get_accounts() if a.get("home_account_id") == self._account_id), None)
        if account is None:
            raise AuthFailure("the mailbox has not signed in with Microsoft (no account in its token cache)")
        try:
            result = self._app.acquire_token_silent_with_error([self._reg.scope], account, force_refresh=fresh)
        except requests.RequestException as exc:
            raise TemporaryFailure(f"Entra ID unreachable: {exc}") from exc
        if not result or "access_token" not in result:
            raise refusal(result, "the mailbox's sign-in")
        if self._cache.has_state_changed and self._on_change is not None:
            self._on_change(self._cache.serialize())       # the rotated refresh token first
        return str(result["access_token"])

    def cache_state(self) -> str | None:
        return self._cache.serialize() if self._cache.has_state_changed else None
