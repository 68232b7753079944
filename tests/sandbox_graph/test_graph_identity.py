"""The fake Entra ID as Microsoft Learn documents it, spoken to over raw HTTP: JWT access tokens with
``roles``, the code grant's single use, redirect and PKCE checks, certificate assertions checked
for their audience, refresh tokens revoked with AADSTS50173, and a user's token kept to that user."""
from __future__ import annotations

import base64
import hashlib
import time
import uuid
from urllib.parse import urlencode

import jwt
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes

from app.providers.graph.permissions import token_claims
from sandbox.graph.identity_routes import revoke_sign_ins
from tests.integration.graph.auth_helpers import browser_visit, self_signed

BACK = "https://app.test/callback"
VERIFIER = "v" * 50
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")


@pytest.fixture
def raw(fake) -> requests.Session:
    session = requests.Session()
    session.trust_env, session.verify = False, fake.ca_path
    return session


def _token(raw, fake, **form) -> requests.Response:
    return raw.post(f"{fake.authority_url}/tenant-1/oauth2/v2.0/token", data={"client_id": "client-1", **form})


def _code(fake, user: str) -> str:
    fake.store.identity.browser_user = user
    try:
        answer = browser_visit(f"{fake.authority_url}/tenant-1/oauth2/v2.0/authorize?" + urlencode({
            "client_id": "client-1", "response_type": "code", "redirect_uri": BACK, "state": "s1",
            "scope": "https://graph.microsoft.com/.default offline_access openid", "code_challenge": CHALLENGE,
            "code_challenge_method": "S256", "nonce": "n1"}), fake.ca_path)
    finally:
        fake.store.identity.browser_user = None
    assert answer["state"] == "s1"
    return answer["code"]


def test_an_app_token_is_a_jwt_carrying_the_admin_consented_roles(raw, fake):
    answer = _token(raw, fake, grant_type="client_credentials", client_secret="s3cret",
                    scope="https://graph.microsoft.com/.default")
    claims = token_claims(answer.json()["access_token"])
    assert claims["appid"] == "client-1" and "Calendars.ReadWrite" in claims["roles"] and "scp" not in claims


def test_a_code_is_redeemed_once_with_its_redirect_uri_and_pkce_verifier(raw, fake, user):
    code = _code(fake, user)
    wrong = _token(raw, fake, grant_type="authorization_code", client_secret="s3cret", code=code,
                   redirect_uri=BACK, code_verifier="w" * 50)
    assert wrong.status_code == 400 and wrong.json()["error_codes"] == [501481]
    fresh = _code(fake, user)
    elsewhere = _token(raw, fake, grant_type="authorization_code", client_secret="s3cret", code=fresh,
                       redirect_uri="https://evil.test/cb", code_verifier=VERIFIER)
    assert elsewhere.json()["error_codes"] == [500112]
    good_code = _code(fake, user)
    good = _token(raw, fake, grant_type="authorization_code", client_secret="s3cret", code=good_code,
                  redirect_uri=BACK, code_verifier=VERIFIER)
    assert good.status_code == 200, good.json()
    body = good.json()
    assert body["refresh_token"] and token_claims(body["id_token"])["nonce"] == "n1"
    assert token_claims(body["access_token"])["upn"] == user and "Calendars.ReadWrite" in token_claims(
        body["access_token"])["scp"]
    again = _token(raw, fake, grant_type="authorization_code", client_secret="s3cret", code=good_code,
                   redirect_uri=BACK, code_verifier=VERIFIER)
    assert again.json()["error"] == "invalid_grant" and again.json()["error_codes"] == [54005]

    other = fake.store.add_user(f"other-{uuid.uuid4().hex[:6]}@contoso.test")
    peek = raw.get(f"{fake.graph_url}/users/{other}/calendarView/delta",
                   params={"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-02-01T00:00:00Z"},
                   headers={"Authorization": "Bearer " + body["access_token"]})
    assert peek.status_code == 403 and peek.json()["error"]["code"] == "ErrorAccessDenied"

    revoke_sign_ins(fake.store, user, 50173)
    refused = _token(raw, fake, grant_type="refresh_token", client_secret="s3cret",
                     refresh_token=body["refresh_token"], scope="https://graph.microsoft.com/.default")
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_grant"
    assert refused.json()["error_description"].startswith("AADSTS50173")
    own = raw.get(f"{fake.graph_url}/users/{user}/calendarView/delta",
                  params={"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2026-02-01T00:00:00Z"},
                  headers={"Authorization": "Bearer " + body["access_token"]})
    assert own.status_code == 401


def test_a_client_assertion_must_be_signed_by_a_registered_certificate_for_this_token_endpoint(raw, fake):
    key_pem, cert_pem = self_signed()
    fake.store.identity.add_certificate("client-1", cert_pem)
    thumb = base64.urlsafe_b64encode(x509.load_pem_x509_certificate(cert_pem.encode()).fingerprint(hashes.SHA256()))

    def assertion(aud: str) -> str:
        now = int(time.time())
        return jwt.encode({"aud": aud, "iss": "client-1", "sub": "client-1", "jti": uuid.uuid4().hex, "nbf": now,
                           "exp": now + 600}, key_pem, algorithm="PS256", headers={"x5t#S256": thumb.decode()})

    token_url = f"{fake.authority_url}/tenant-1/oauth2/v2.0/token"
    form = {"grant_type": "client_credentials", "scope": "https://graph.microsoft.com/.default",
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
    assert _token(raw, fake, **form, client_assertion=assertion(token_url)).status_code == 200
    wrong_aud = _token(raw, fake, **form, client_assertion=assertion("https://login.example/other/token"))
    assert wrong_aud.status_code == 401 and wrong_aud.json()["error_codes"] == [700023]
    stranger_key, _ = self_signed()
    forged = jwt.encode({"aud": token_url, "iss": "client-1", "sub": "client-1", "exp": int(time.time()) + 600},
                        stranger_key, algorithm="PS256", headers={"x5t#S256": thumb.decode()})
    assert _token(raw, fake, **form, client_assertion=forged).json()["error_codes"] == [700027]
