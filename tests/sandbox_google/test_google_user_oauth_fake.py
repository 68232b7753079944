"""The fake's per-user OAuth (sandbox/google/user_oauth.py) answers as Google documents: the code is
bound to its PKCE challenge, redirect URI and client and used once; refresh tokens die when revoked."""
from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

import requests

from app.providers.google.user_oauth import pkce_pair

REDIRECT = "https://app.example.test/api/v1/auth/google/callback"
SCOPE = "openid email https://www.googleapis.com/auth/calendar.events"


def _browser(fake) -> requests.Session:
    session = requests.Session()
    session.trust_env, session.verify = False, fake.ca_path
    return session


def _code(fake, client_id: str, user: str, challenge: str, **extra) -> dict:
    query = {"client_id": client_id, "redirect_uri": REDIRECT, "response_type": "code", "scope": SCOPE,
             "state": "s1", "login_hint": user, "code_challenge": challenge, "code_challenge_method": "S256",
             "access_type": "offline", **extra}
    answer = _browser(fake).get(fake.auth_url + "?" + urlencode(query), allow_redirects=False)
    assert answer.status_code == 302, answer.text
    assert answer.headers["Location"].startswith(REDIRECT + "?")
    return dict(parse_qsl(urlsplit(answer.headers["Location"]).query))


def _token(fake, **form) -> requests.Response:
    return _browser(fake).post(fake.token_uri, data=form)


def test_a_code_needs_its_verifier_and_is_used_once_and_a_revoked_refresh_token_is_invalid_grant(fake, user):
    client_id, secret = fake.store.user_oauth.register_client((REDIRECT,))
    verifier, challenge = pkce_pair()
    back = _code(fake, client_id, user, challenge)
    assert back["state"] == "s1" and back["scope"].split() == sorted(SCOPE.split())
    redeem = {"grant_type": "authorization_code", "code": back["code"], "client_id": client_id,
              "client_secret": secret, "redirect_uri": REDIRECT}
    wrong = _token(fake, **redeem, code_verifier=pkce_pair()[0])
    assert wrong.status_code == 400 and wrong.json() == {"error": "invalid_grant",
                                                        "error_description": "Invalid code verifier."}
    back = _code(fake, client_id, user, challenge)
    assert _token(fake, **{**redeem, "code": back["code"], "client_secret": "GOCSPX-other"},
                  code_verifier=verifier).status_code == 401
    back = _code(fake, client_id, user, challenge, prompt="consent")   # consented before: a new refresh token
    good = _token(fake, **{**redeem, "code": back["code"]}, code_verifier=verifier)
    assert good.status_code == 200, good.text
    assert {"access_token", "refresh_token", "id_token", "expires_in", "scope"} <= set(good.json())
    assert _token(fake, **{**redeem, "code": back["code"]}, code_verifier=verifier).json()["error"] == "invalid_grant"
    again = _code(fake, client_id, user, challenge)             # no consent screen: no new refresh token
    assert "refresh_token" not in _token(fake, **{**redeem, "code": again["code"]}, code_verifier=verifier).json()

    refresh = {"grant_type": "refresh_token", "refresh_token": good.json()["refresh_token"], "client_id": client_id,
               "client_secret": secret}
    renewed = _token(fake, **refresh)
    assert renewed.status_code == 200 and "refresh_token" not in renewed.json()     # Google does not rotate
    assert _browser(fake).post(fake.base_url + "/revoke", data={"token": refresh["refresh_token"]}).status_code == 200
    gone = _token(fake, **refresh)
    assert gone.status_code == 400 and gone.json()["error"] == "invalid_grant"
    assert _browser(fake).post(fake.base_url + "/revoke", data={"token": "nope"}).json()["error"] == "invalid_token"


def test_the_authorize_endpoint_refuses_a_plain_challenge_and_an_unregistered_redirect(fake, user):
    client_id, _ = fake.store.user_oauth.register_client((REDIRECT,))
    plain = _code(fake, client_id, user, "x" * 43, code_challenge_method="plain")
    assert plain == {"error": "invalid_request", "state": "s1"}
    query = {"client_id": client_id, "redirect_uri": "https://evil.example.test/cb", "response_type": "code",
             "scope": SCOPE}
    page = _browser(fake).get(fake.auth_url + "?" + urlencode(query), allow_redirects=False)
    assert page.status_code == 400 and "redirect_uri_mismatch" in page.text
