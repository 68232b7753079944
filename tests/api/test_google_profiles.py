"""Registering a Google Workspace (gmail) server profile: the service-account key is checked, stored
encrypted and never shown, replaced through its own endpoint; the endpoints are guarded."""
from __future__ import annotations

import json

import pytest

from app.models import ServerProfile

KEY = {"type": "service_account", "client_email": "sync@project.iam.gserviceaccount.com", "client_id": "1",
       "private_key": "-----BEGIN PRIVATE KEY-----\nMIIsecretbits\n-----END PRIVATE KEY-----\n"}


def _admin(factory):
    org = factory.org()
    return org, factory.auth(factory.user(org, admin=True))


def test_a_gmail_profile_keeps_its_service_account_key_encrypted_and_never_shows_it(app, client, factory):
    org, headers = _admin(factory)
    response = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers, json={
        "name": "Workspace", "kind": "gmail", "service_account_key": KEY})
    assert response.status_code == 201, response.get_json()
    assert "MIIsecretbits" not in response.get_data(as_text=True)
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        stored = s.get(ServerProfile, response.get_json()["id"]).settings["service_account_enc"]
        assert "MIIsecretbits" not in stored and json.loads(rt.secrets.decrypt(stored)) == KEY


@pytest.mark.parametrize("body, words", [
    ({"kind": "imap", "endpoints": {"imap_host": "imap.example.com"}, "service_account_key": KEY},
     "only a gmail profile"),
    ({"kind": "gmail", "service_account_key": {**KEY, "type": "authorized_user"}}, "not a service-account key"),
    ({"kind": "gmail", "service_account_key": {k: v for k, v in KEY.items() if k != "private_key"}}, "lacks private_key"),
    ({"kind": "gmail", "service_account_key": {**KEY, "private_key": "hunter2"}}, "not a PEM private key"),
    ({"kind": "gmail", "endpoints": {"google_api_url": "https://10.0.0.5/"}}, "google_api_url"),
    ({"kind": "gmail", "endpoints": {"google_token_url": "https://169.254.169.254/token"}}, "google_token_url"),
    ({"kind": "gmail", "endpoints": {"google_people_url": "https://192.168.1.9/"}}, "google_people_url"),
    ({"kind": "gmail", "endpoints": {"gmail_push_topic": "my-topic"}}, "gmail_push_topic"),
    ({"kind": "gmail", "endpoints": {"gmail_push_service_account": "not an address"}}, "gmail_push_service_account"),
])
def test_an_unusable_key_or_unsafe_endpoint_is_a_400_naming_it(client, factory, body, words):
    org, headers = _admin(factory)
    response = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers, json={"name": "G", **body})
    assert response.status_code == 400, response.get_json()
    assert words in str(response.get_json())


def test_only_a_gmail_profile_of_the_callers_org_has_its_key_replaced(app, client, factory):
    org, headers = _admin(factory)
    gmail = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers,
                        json={"name": "Workspace", "kind": "gmail"}).get_json()
    imap = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers, json={
        "name": "Mail", "kind": "imap", "endpoints": {"imap_host": "imap.example.com"}}).get_json()
    url = f"/api/v1/orgs/{org.id}/server-profiles/{{}}/service-account-key"
    new_key = {**KEY, "client_email": "new@project.iam.gserviceaccount.com"}
    assert client.put(url.format(gmail["id"]), headers=headers, json={"service_account_key": new_key}).status_code == 200
    refused = client.put(url.format(imap["id"]), headers=headers, json={"service_account_key": KEY})
    assert refused.status_code == 400 and "no service-account key" in refused.get_json()["message"]
    bad = client.put(url.format(gmail["id"]), headers=headers, json={"service_account_key": {"type": "x"}})
    assert bad.status_code == 400 and "service_account_key" in str(bad.get_json())
    assert client.put(url.format(999999), headers=headers, json={"service_account_key": KEY}).status_code == 404
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        stored = s.get(ServerProfile, gmail["id"]).settings["service_account_enc"]
        assert json.loads(rt.secrets.decrypt(stored))["client_email"] == "new@project.iam.gserviceaccount.com"
