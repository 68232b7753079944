"""OAuth web-server flow with PKCE, refresh (with rotation), revocation and identity."""
from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlparse

import requests

from sandbox.salesforce import SalesforceEmulator, pkce_challenge

from .conftest import Tenant, trusted_session

REDIRECT = "https://app.syncline.test/oauth/callback"


def _authorize(emu: SalesforceEmulator, http: requests.Session, verifier: str,
               hint: str) -> dict[str, list[str]]:
    resp = http.get(f"{emu.base_url}/services/oauth2/authorize", allow_redirects=False, params={
        "response_type": "code", "client_id": "syncline", "redirect_uri": REDIRECT,
        "state": "xyz", "code_challenge": pkce_challenge(verifier),
        "code_challenge_method": "S256", "login_hint": hint})
    assert resp.status_code == 302
    location = resp.headers["Location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlparse(location).query)


def _token(emu: SalesforceEmulator, http: requests.Session, **form: str) -> requests.Response:
    return http.post(f"{emu.base_url}/services/oauth2/token", data=form)


def test_code_flow_with_pkce_issues_salesforce_token_response(tenant: Tenant) -> None:
    emu, http = tenant.emu, trusted_session(tenant.emu.ca_path or "")
    verifier = secrets.token_urlsafe(48)
    user = tenant.emu.records(tenant.org, "User")[0]
    query = _authorize(emu, http, verifier, user["Username"])
    assert query["state"] == ["xyz"]
    resp = _token(emu, http, grant_type="authorization_code", code=query["code"][0],
                  client_id="syncline", redirect_uri=REDIRECT, code_verifier=verifier)
    body = resp.json()
    assert resp.status_code == 200
    assert set(body) >= {"access_token", "refresh_token", "instance_url", "id", "token_type",
                         "issued_at", "signature", "scope"}
    assert body["token_type"] == "Bearer" and body["id"].endswith(f"/{tenant.org}/{tenant.user}")
    ident = http.get(body["id"], headers={"Authorization": f"Bearer {body['access_token']}"})
    assert ident.json()["user_id"] == tenant.user
    assert ident.json()["organization_id"] == tenant.org
    info = http.get(f"{emu.base_url}/services/oauth2/userinfo",
                    headers={"Authorization": f"Bearer {body['access_token']}"}).json()
    assert info["email"] == user["Email"] and info["preferred_username"] == user["Username"]
    # the code is single-use
    again = _token(emu, http, grant_type="authorization_code", code=query["code"][0],
                   client_id="syncline", redirect_uri=REDIRECT, code_verifier=verifier)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_wrong_code_verifier_is_invalid_grant(tenant: Tenant) -> None:
    emu, http = tenant.emu, trusted_session(tenant.emu.ca_path or "")
    user = emu.records(tenant.org, "User")[0]
    query = _authorize(emu, http, "right-verifier-" + "x" * 40, user["Username"])
    resp = _token(emu, http, grant_type="authorization_code", code=query["code"][0],
                  client_id="syncline", redirect_uri=REDIRECT, code_verifier="wrong")
    assert resp.status_code == 400
    assert resp.json() == {"error": "invalid_grant", "error_description": "invalid code verifier"}


def test_refresh_rotation_and_revoke(tenant: Tenant) -> None:
    emu, http = tenant.emu, trusted_session(tenant.emu.ca_path or "")
    first = tenant.tokens["refresh_token"]
    plain = _token(emu, http, grant_type="refresh_token", refresh_token=first).json()
    assert "refresh_token" not in plain and plain["access_token"]
    emu.oauth.rotate_refresh_tokens = True
    rotated = _token(emu, http, grant_type="refresh_token", refresh_token=first).json()
    second = rotated["refresh_token"]
    assert second != first
    stale = _token(emu, http, grant_type="refresh_token", refresh_token=first)
    assert stale.status_code == 400
    assert stale.json() == {"error": "invalid_grant",
                            "error_description": "expired access/refresh token"}
    assert http.post(f"{emu.base_url}/services/oauth2/revoke",
                     data={"token": second}).status_code == 200
    revoked = _token(emu, http, grant_type="refresh_token", refresh_token=second)
    assert revoked.json()["error"] == "invalid_grant"
    # the access token minted from the revoked refresh token is dead too
    dead = http.get(f"{emu.base_url}/services/data/v62.0/limits",
                    headers={"Authorization": f"Bearer {rotated['access_token']}"})
    assert dead.status_code == 401


def test_fault_revoke_refresh_token(tenant: Tenant) -> None:
    http = trusted_session(tenant.emu.ca_path or "")
    assert tenant.emu.faults.revoke_refresh_token(tenant.tokens["refresh_token"])
    resp = _token(tenant.emu, http, grant_type="refresh_token",
                  refresh_token=tenant.tokens["refresh_token"])
    assert resp.json()["error"] == "invalid_grant"


def test_unsupported_grant_type(tenant: Tenant) -> None:
    http = trusted_session(tenant.emu.ca_path or "")
    resp = _token(tenant.emu, http, grant_type="password", username="x", password="y")
    assert resp.status_code == 400 and resp.json()["error"] == "unsupported_grant_type"
