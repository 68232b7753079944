"""Salesforce OAuth 2.0 web-server flow with PKCE (authlib), and the identity look-up.

Only talks HTTP; decisions about orgs and users live in app.services.signin.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import requests
from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from app.config import Config
from app.providers.salesforce.guard import check_instance_url

SCOPES = "api refresh_token id"
log = logging.getLogger(__name__)


class SignInFailed(Exception):
    """Salesforce refused the sign-in; the message is safe to show (no tokens)."""


@dataclass(frozen=True)
class SalesforceIdentity:
    org_id: str
    user_id: str
    email: str
    name: str
    is_admin: bool
    org_name: str = ""                    # Organization.Name; empty when it could not be read
    admin_check_failed: str | None = None  # why the permission look-up failed (the user is then a plain user)


def _client(config: Config, redirect_uri: str) -> OAuth2Session:
    client = OAuth2Session(
        config.salesforce_client_id, config.salesforce_client_secret, scope=SCOPES,
        redirect_uri=redirect_uri, code_challenge_method="S256",
    )
    client.trust_env = False
    client.verify = config.salesforce_ca_bundle or True
    return client


def authorization_url(config: Config, redirect_uri: str, login_hint: str | None = None) -> tuple[str, str, str]:
    """Return (url, state, code_verifier); the caller keeps state → verifier server-side."""
    verifier = generate_token(64)
    extra = {"login_hint": login_hint} if login_hint else {}
    url, state = _client(config, redirect_uri).create_authorization_url(
        f"{config.salesforce_login_url}/services/oauth2/authorize", code_verifier=verifier, **extra)
    return url, state, verifier


def exchange_code(config: Config, redirect_uri: str, code: str, verifier: str) -> dict:
    client = _client(config, redirect_uri)
    try:
        token = client.fetch_token(f"{config.salesforce_login_url}/services/oauth2/token",
                                   grant_type="authorization_code", code=code, code_verifier=verifier)
    except OAuthError as exc:
        raise SignInFailed(f"Salesforce refused the sign-in: {exc.error}"
                           + (f" ({exc.description})" if exc.description else "")) from None
    except requests.RequestException as exc:
        raise SignInFailed(f"Salesforce could not be reached: {type(exc).__name__}") from None
    return dict(token)


def fetch_identity(config: Config, token: dict, session: requests.Session) -> SalesforceIdentity:
    """Who signed in, their org's name, and whether Salesforce lets them manage users or customize the app.

    Only the identity URL is essential: when the org name or the permission look-up fails, sign-in
    goes on (without the name; as a plain user) and the reason is logged and kept on the identity."""
    allowed = config.salesforce_allowed_hosts
    instance = check_instance_url(token["instance_url"], allowed)
    check_instance_url(token["id"], allowed)
    auth = {"Authorization": f"Bearer {token['access_token']}"}
    ident = _get_json(session, token["id"], auth)
    query_url = f"{instance}/services/data/v{config.salesforce_api_version}/query"
    soql = ("SELECT Profile.PermissionsManageUsers, Profile.PermissionsCustomizeApplication "
            f"FROM User WHERE Id = '{_sf_id(ident['user_id'])}'")
    is_admin, admin_check_failed = False, None
    try:
        profile = _first_row(_get_json(session, query_url, auth, params={"q": soql})).get("Profile") or {}
        is_admin = bool(profile.get("PermissionsManageUsers") or profile.get("PermissionsCustomizeApplication"))
    except SignInFailed as exc:
        admin_check_failed = f"the Salesforce permission look-up failed ({exc}); signed in as a plain user"
        log.warning("admin check failed at sign-in", extra={"ctx": {"user": ident["user_id"], "reason": str(exc)}})
    return SalesforceIdentity(
        org_id=ident["organization_id"], user_id=ident["user_id"], email=ident.get("email", ""),
        name=ident.get("display_name") or ident.get("username", ""), is_admin=is_admin,
        org_name=_org_name(session, query_url, auth), admin_check_failed=admin_check_failed,
    )


def _first_row(result: dict) -> dict:
    rows = result.get("records") if isinstance(result, dict) else None
    return rows[0] if isinstance(rows, list) and rows and isinstance(rows[0], dict) else {}


def _org_name(session: requests.Session, query_url: str, auth: dict) -> str:
    """Organization.Name, or "" (logged) when the org does not tell."""
    try:
        name = _first_row(_get_json(session, query_url, auth, params={"q": "SELECT Name FROM Organization"})).get("Name")
    except SignInFailed as exc:
        log.warning("org name not readable at sign-in", extra={"ctx": {"reason": str(exc)}})
        return ""
    return str(name or "")


def _sf_id(value: str) -> str:
    if not value.isalnum() or len(value) not in (15, 18):
        raise SignInFailed("Salesforce returned a malformed user id")
    return value


def _get_json(session: requests.Session, url: str, headers: dict, params: dict | None = None) -> dict:
    try:
        response = session.get(url, headers=headers, params=params, timeout=(5, 30))
    except requests.RequestException as exc:
        raise SignInFailed(f"Salesforce could not be reached: {type(exc).__name__}") from None
    if response.status_code != 200:
        raise SignInFailed(f"Salesforce answered {response.status_code} while reading the identity")
    try:
        return response.json()
    except ValueError:
        raise SignInFailed("Salesforce answered with something other than JSON while reading the identity") from None


class RefreshRejected(Exception):
    """Salesforce refused a refresh token (`error` is its OAuth code, e.g. invalid_grant); permanent."""

    def __init__(self, error: str, description: str = ""):
        super().__init__(f"{error}" + (f" ({description})" if description else ""))
        self.error, self.description = error, description


class RefreshUnavailable(Exception):
    """The token endpoint could not be reached or answered 5xx; worth retrying later."""


def refresh_access_token(config: Config, refresh_token: str) -> dict:
    """grant_type=refresh_token via authlib; `rotated` tells whether Salesforce issued a new refresh token.

    Raises RefreshRejected (invalid_grant…: permanent) or RefreshUnavailable (network/5xx).
    """
    client = OAuth2Session(config.salesforce_client_id, config.salesforce_client_secret)
    client.trust_env = False
    client.verify = config.salesforce_ca_bundle or True
    try:
        token = client.refresh_token(f"{config.salesforce_login_url}/services/oauth2/token",
                                     refresh_token=refresh_token, timeout=(5, 30))
    except OAuthError as exc:
        raise RefreshRejected(str(exc.error), str(exc.description or "")[:200]) from None
    except requests.RequestException as exc:
        raise RefreshUnavailable(f"token endpoint failed: {type(exc).__name__}") from None
    if "access_token" not in token:
        raise RefreshRejected("invalid_response", "no access_token in the token response")
    body = dict(token)
    body["rotated"] = bool(body.get("refresh_token")) and body["refresh_token"] != refresh_token
    return body
