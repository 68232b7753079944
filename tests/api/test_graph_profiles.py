"""Registering an Office 365 (graph) server profile: the app registration's tenant, client id and
secret are required, the secret is stored encrypted and never shown, its endpoints are guarded."""
from __future__ import annotations

import pytest

from app.models import ServerProfile

GRAPH = {"tenant_id": "contoso.onmicrosoft.com", "client_id": "11111111-2222-3333-4444-555555555555"}


def _post(client, factory, body: dict):
    org = factory.org()
    headers = factory.auth(factory.user(org, admin=True))
    return client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers, json={"name": "O365", **body})


def test_a_graph_profile_keeps_its_client_secret_encrypted_and_never_shows_it(app, client, factory):
    response = _post(client, factory, {"kind": "graph", "endpoints": GRAPH, "client_secret": "s3cret-value"})
    assert response.status_code == 201, response.get_json()
    assert "client_secret" not in response.get_json() and "s3cret" not in response.get_data(as_text=True)
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        profile = s.get(ServerProfile, response.get_json()["id"])
        stored = profile.settings["client_secret_enc"]
        assert "s3cret" not in stored and rt.secrets.decrypt(stored) == "s3cret-value"


@pytest.mark.parametrize("body, field, words", [
    ({"kind": "graph", "endpoints": GRAPH}, "client_secret", "needs the app registration's client secret"),
    ({"kind": "graph", "endpoints": {"tenant_id": "t"}, "client_secret": "x"}, "endpoints", "client_id"),
    ({"kind": "imap", "endpoints": {"imap_host": "imap.example.com"}, "client_secret": "x"}, "client_secret",
     "only a graph profile"),
    ({"kind": "graph", "endpoints": {**GRAPH, "graph_url": "https://127.0.0.1/v1.0"}, "client_secret": "x"},
     "graph_url", ""),
])
def test_an_incomplete_or_unsafe_graph_profile_is_a_400_naming_the_field(client, factory, body, field, words):
    response = _post(client, factory, body)
    assert response.status_code == 400, response.get_json()
    assert field in str(response.get_json()) and words in str(response.get_json())


def test_only_a_graph_profile_of_the_callers_org_has_its_secret_replaced(app, client, factory):
    org = factory.org()
    headers = factory.auth(factory.user(org, admin=True))
    graph = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers, json={
        "name": "O365", "kind": "graph", "endpoints": GRAPH, "client_secret": "old"}).get_json()
    imap = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers, json={
        "name": "Mail", "kind": "imap", "endpoints": {"imap_host": "imap.example.com"}}).get_json()
    url = f"/api/v1/orgs/{org.id}/server-profiles/{{}}/client-secret"
    assert client.put(url.format(graph["id"]), headers=headers, json={"client_secret": "new"}).status_code == 200
    refused = client.put(url.format(imap["id"]), headers=headers, json={"client_secret": "new"})
    assert refused.status_code == 400 and "no client secret" in refused.get_json()["message"]
    assert client.put(url.format(999999), headers=headers, json={"client_secret": "x"}).status_code == 404
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        assert rt.secrets.decrypt(s.get(ServerProfile, graph["id"]).settings["client_secret_enc"]) == "new"
