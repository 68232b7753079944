"""Sign-in with Salesforce (web-server flow + PKCE) against the HTTPS emulator, end to end."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from app import create_app
from app.models import AuditEvent, Org, SalesforceConnection, User
from tests.conftest import make_test_config


@pytest.fixture
def emulator(salesforce_emulator):
    return salesforce_emulator


def _browser(emulator) -> requests.Session:
    session = requests.Session()
    session.trust_env = False
    session.verify = emulator.ca_path
    return session


def _sign_in(client, emulator, org, user) -> tuple[dict, str]:
    """Play the browser: our login → Salesforce authorize → back to our callback."""
    emulator.set_login_user(org, user)
    start = client.get("/api/v1/auth/salesforce/login")
    assert start.status_code == 302
    authorize = start.headers["Location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    back = _browser(emulator).get(authorize, allow_redirects=False)
    assert back.status_code == 302, back.text
    callback = urlsplit(back.headers["Location"])
    assert callback.path == "/api/v1/auth/salesforce/callback"
    response = client.get(f"{callback.path}?{callback.query}")
    return response.get_json(), response.status_code


def test_first_sign_in_creates_org_and_admin_user_with_encrypted_tokens(sf_app, emulator):
    org = emulator.create_org(name="Initech")
    sf_user = emulator.create_user(org, email="bill@initech.test", admin=True)
    body, status = _sign_in(sf_app.test_client(), emulator, org, sf_user)
    assert status == 200, body
    assert body["user"]["email"] == "bill@initech.test"
    assert body["user"]["role"] == "admin" and body["user"]["role_source"] == "salesforce"
    assert body["user"]["salesforce_connection"] == "connected"
    token = body["token"]["token"]
    me = sf_app.test_client().get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).get_json()
    assert me["org"]["sf_org_id"] == org
    rt = sf_app.extensions["syncline"]
    with rt.db.session_scope() as s:
        conn = s.scalar(select(SalesforceConnection))
        assert conn.is_org_default
        assert "!" not in conn.access_token_enc  # Salesforce session ids look like 00D…!…
        assert rt.secrets.decrypt(conn.access_token_enc).startswith(org[:15])


def test_an_admin_signing_in_while_the_org_default_connection_is_broken_takes_the_org_wide_work(sf_app, emulator):
    org = emulator.create_org(name="Initrode")
    first = emulator.create_user(org, email="alice@initrode.test", admin=True)
    second = emulator.create_user(org, email="bob@initrode.test", admin=True)
    client, rt = sf_app.test_client(), sf_app.extensions["syncline"]
    _sign_in(client, emulator, org, first)
    with rt.db.session_scope() as s:
        alice = s.scalar(select(SalesforceConnection))
        org_pk, alice_id = alice.org_id, alice.id
    rt.salesforce_stores.tokens.mark_needs_reauth(alice_id, "invalid_grant")     # no one to hand it to yet
    assert rt.salesforce_stores.tokens.org_default_connection(org_pk) == alice_id
    _sign_in(client, emulator, org, second)
    bob_id = rt.salesforce_stores.tokens.org_default_connection(org_pk)
    assert bob_id != alice_id, "the connected admin took over the org poll"
    _sign_in(client, emulator, org, first)                                       # Alice is back: Bob keeps it
    assert rt.salesforce_stores.tokens.org_default_connection(org_pk) == bob_id
    with rt.db.session_scope() as s:
        assert [c.is_org_default for c in s.scalars(select(SalesforceConnection).order_by(SalesforceConnection.id))] \
            == [False, True]


def test_second_sign_in_links_the_same_user_and_plain_users_are_not_admins(sf_app, emulator):
    org = emulator.create_org(name="Hooli")
    plain = emulator.create_user(org, email="gavin@hooli.test", admin=False)
    client = sf_app.test_client()
    first, _ = _sign_in(client, emulator, org, plain)
    second, _ = _sign_in(client, emulator, org, plain)
    assert first["user"]["id"] == second["user"]["id"] and second["user"]["role"] == "user"
    rt = sf_app.extensions["syncline"]
    with rt.db.session_scope() as s:
        assert len(list(s.scalars(select(User)))) == 1 and len(list(s.scalars(select(Org)))) == 1


def test_sign_in_names_the_org_after_salesforce(sf_app, emulator):
    org = emulator.create_org(name="Globex Corporation")
    sf_user = emulator.create_user(org, email="hank@globex.test", admin=False)
    body, status = _sign_in(sf_app.test_client(), emulator, org, sf_user)
    assert status == 200, body
    assert body["user"]["org"]["name"] == "Globex Corporation" and body["warnings"] == []


def test_a_failed_permission_lookup_signs_in_a_plain_user_visibly(sf_app, emulator):
    org = emulator.create_org(name="Umbrella")
    sf_user = emulator.create_user(org, email="alice@umbrella.test", admin=True)
    emulator.faults.fail_matching("Profile.PermissionsManageUsers", 500)
    body, status = _sign_in(sf_app.test_client(), emulator, org, sf_user)
    assert status == 200, body
    assert body["user"]["role"] == "user" and body["user"]["role_source"] == "none"
    assert body["user"]["org"]["name"] == "Umbrella"
    [warning] = body["warnings"]
    assert "permission look-up failed" in warning and "plain user" in warning
    with sf_app.extensions["syncline"].db.session_scope() as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == "user.admin_check_failed")).all()
        assert len(events) == 1 and "500" in events[0].details["reason"]
    again, _ = _sign_in(sf_app.test_client(), emulator, org, sf_user)      # the look-up works again
    assert again["user"]["role"] == "admin" and again["warnings"] == []


def test_replayed_or_forged_state_is_refused(sf_app, emulator):
    org = emulator.create_org(name="Umbrella Corp")
    user = emulator.create_user(org, email="a@umbrella.test")
    client = sf_app.test_client()
    emulator.set_login_user(org, user)
    authorize = client.get("/api/v1/auth/salesforce/login").headers["Location"]
    callback = urlsplit(_browser(emulator).get(authorize, allow_redirects=False).headers["Location"])
    assert client.get(f"{callback.path}?{callback.query}").status_code == 200
    replay = client.get(f"{callback.path}?{callback.query}")
    assert replay.status_code == 401 and "expired or was already used" in replay.get_json()["message"]
    forged = client.get(f"{callback.path}?code=abc&state=forged")
    assert forged.status_code == 401


def test_salesforce_denial_is_reported(sf_app):
    response = sf_app.test_client().get(
        "/api/v1/auth/salesforce/callback?error=access_denied&error_description=end-user+denied+authorization&state=x")
    assert response.status_code == 401
    assert "access_denied" in response.get_json()["message"]


def test_untrusted_instance_url_is_refused(tmp_path, migrated_databases, redis_url, emulator):
    """Without the emulator host in SALESFORCE_ALLOWED_HOSTS, its instance_url is not trusted."""
    config = make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url,
                              salesforce_client_id="syncline-test", salesforce_login_url=emulator.base_url,
                              salesforce_ca_bundle=emulator.ca_path)
    org = emulator.create_org(name="Evil")
    user = emulator.create_user(org, email="e@evil.test")
    body, status = _sign_in(create_app(config).test_client(), emulator, org, user)
    assert status == 401 and "Refused to trust the instance URL" in body["message"]


def test_login_without_client_configuration_is_503(sqlite_app):
    response = sqlite_app.test_client().get("/api/v1/auth/salesforce/login")
    assert response.status_code == 503 and "SALESFORCE_CLIENT_ID" in response.get_json()["message"]
