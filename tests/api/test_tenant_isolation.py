"""Every API route, checked against another org's and another user's resources.

The matrix below must name every (route, method) the app serves: a new endpoint without
an isolation case fails `test_matrix_covers_every_route`.
"""
from __future__ import annotations

import pytest

PUBLIC = {
    ("/api/v1/health", "GET"), ("/api/v1/ready", "GET"),
    ("/api/v1/auth/salesforce/login", "GET"), ("/api/v1/auth/salesforce/callback", "GET"),
    # Microsoft's answer to a mailbox sign-in: the one-time state kept server-side names the mailbox
    ("/api/v1/auth/microsoft/callback", "GET"), ("/api/v1/auth/microsoft/callback", "POST"),
    # Google's answer to a mailbox sign-in: likewise named by its one-time state
    ("/api/v1/auth/google/callback", "GET"),
    # Graph's webhooks: each notification's clientState (kept hashed) names its one mailbox
    ("/api/v1/graph/notifications", "POST"), ("/api/v1/graph/lifecycle", "POST"),
    # Google's pushes: a Calendar channel's id + token, or a Pub/Sub push's signed token and address
    ("/api/v1/google/calendar-notifications", "POST"), ("/api/v1/google/gmail-notifications", "POST"),
    # WebDAV-Push messages: the unguessable token in the path (kept hashed) names one registration
    ("/api/v1/push/webdav/<string:token>", "POST"),
}
SELF_ONLY = {  # act on the caller only; no id in the path to point elsewhere
    ("/api/v1/me", "GET"), ("/api/v1/me", "PATCH"),
    ("/api/v1/auth/tokens", "GET"), ("/api/v1/auth/tokens", "POST"),
    ("/api/v1/mailboxes", "POST"), ("/api/v1/mailboxes/mine/dashboard", "GET"),
    ("/api/v1/me/mappings/<string:name>", "GET"), ("/api/v1/me/mappings/<string:name>", "PUT"),
    ("/api/v1/me/mappings/<string:name>", "DELETE"),
    # the sidebar: the item, the records and the saves are the caller's own (their Salesforce user)
    ("/api/v1/related-records", "POST"), ("/api/v1/saved-emails", "POST"),
    ("/api/v1/compose-saves", "POST"), ("/api/v1/meeting-saves", "POST"),
    ("/api/v1/thread-autosaves/<path:thread_id>", "PUT"), ("/api/v1/thread-autosaves/<path:thread_id>", "DELETE"),
    ("/api/v1/records/search", "GET"), ("/api/v1/records/<string:sobject>", "POST"),
    ("/api/v1/me/blocklist", "GET"), ("/api/v1/me/blocklist", "PUT"),
}
# (rule, method) -> (path template filled from the world, json body)
FOREIGN_ID = {
    ("/api/v1/orgs/<int:org_id>/settings", "GET"): ("/api/v1/orgs/{org_a}/settings", None),
    ("/api/v1/orgs/<int:org_id>/settings", "PATCH"): ("/api/v1/orgs/{org_a}/settings", {"auto_sync_enabled": False}),
    ("/api/v1/orgs/<int:org_id>/audit-events", "GET"): ("/api/v1/orgs/{org_a}/audit-events", None),
    ("/api/v1/users/<int:user_id>", "GET"): ("/api/v1/users/{user_a}", None),
    ("/api/v1/users/<int:user_id>", "PATCH"): ("/api/v1/users/{user_a}", {"auto_sync_enabled": False}),
    ("/api/v1/auth/tokens/<int:token_id>", "DELETE"): ("/api/v1/auth/tokens/{token_a}", None),
    ("/api/v1/orgs/<int:org_id>/server-profiles", "GET"): ("/api/v1/orgs/{org_a}/server-profiles", None),
    ("/api/v1/orgs/<int:org_id>/server-profiles", "POST"): (
        "/api/v1/orgs/{org_a}/server-profiles", {"name": "x", "kind": "gmail"}),
    ("/api/v1/orgs/<int:org_id>/server-profiles/<int:profile_id>/client-secret", "PUT"): (
        "/api/v1/orgs/{org_a}/server-profiles/{profile_a}/client-secret", {"client_secret": "x"}),
    ("/api/v1/orgs/<int:org_id>/server-profiles/<int:profile_id>/certificate", "PUT"): (
        "/api/v1/orgs/{org_a}/server-profiles/{profile_a}/certificate", {"private_key": "k", "certificate": "c"}),
    ("/api/v1/orgs/<int:org_id>/server-profiles/<int:profile_id>/auth-mode", "PUT"): (
        "/api/v1/orgs/{org_a}/server-profiles/{profile_a}/auth-mode", {"auth_mode": "delegated"}),
    ("/api/v1/orgs/<int:org_id>/server-profiles/<int:profile_id>/test", "POST"): (
        "/api/v1/orgs/{org_a}/server-profiles/{profile_a}/test", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/graph-sign-in", "GET"): ("/api/v1/mailboxes/{mailbox_a}/graph-sign-in", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/graph-sign-in", "POST"): ("/api/v1/mailboxes/{mailbox_a}/graph-sign-in",
                                                                   None),
    ("/api/v1/orgs/<int:org_id>/server-profiles/<int:profile_id>/google-auth", "PUT"): (
        "/api/v1/orgs/{org_a}/server-profiles/{profile_a}/google-auth", {"auth_mode": "domain_wide"}),
    ("/api/v1/mailboxes/<int:mailbox_id>/google-sign-in", "GET"): ("/api/v1/mailboxes/{mailbox_a}/google-sign-in",
                                                                   None),
    ("/api/v1/mailboxes/<int:mailbox_id>/google-sign-in", "POST"): ("/api/v1/mailboxes/{mailbox_a}/google-sign-in",
                                                                    None),
    ("/api/v1/orgs/<int:org_id>/server-profiles/<int:profile_id>/service-account-key", "PUT"): (
        "/api/v1/orgs/{org_a}/server-profiles/{profile_a}/service-account-key",
        {"service_account_key": {"type": "service_account", "client_email": "x@y.test",
                                 "private_key": "-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----"}}),
    ("/api/v1/mailboxes/<int:mailbox_id>", "GET"): ("/api/v1/mailboxes/{mailbox_a}", None),
    ("/api/v1/mailboxes/<int:mailbox_id>", "PATCH"): ("/api/v1/mailboxes/{mailbox_a}", {"username": "x"}),
    ("/api/v1/mailboxes/<int:mailbox_id>/sync", "POST"): ("/api/v1/mailboxes/{mailbox_a}/sync", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/suspend", "POST"): ("/api/v1/mailboxes/{mailbox_a}/suspend", {}),
    ("/api/v1/mailboxes/<int:mailbox_id>/resume", "POST"): ("/api/v1/mailboxes/{mailbox_a}/resume", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/dashboard", "GET"): ("/api/v1/mailboxes/{mailbox_a}/dashboard", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/failed-items", "GET"): ("/api/v1/mailboxes/{mailbox_a}/failed-items", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/failed-items/replay", "POST"): (
        "/api/v1/mailboxes/{mailbox_a}/failed-items/replay", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/sessions/<int:session_id>/skipped-items", "GET"): (
        "/api/v1/mailboxes/{mailbox_a}/sessions/1/skipped-items", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/autoresolved", "GET"): ("/api/v1/mailboxes/{mailbox_a}/autoresolved", None),
    ("/api/v1/mailboxes/<int:mailbox_id>/autoresolved/undo", "POST"): (
        "/api/v1/mailboxes/{mailbox_a}/autoresolved/undo", {"session_id": 1}),
    ("/api/v1/orgs/<int:org_id>/salesforce", "GET"): ("/api/v1/orgs/{org_a}/salesforce", None),
    ("/api/v1/orgs/<int:org_id>/salesforce/fields", "GET"): ("/api/v1/orgs/{org_a}/salesforce/fields", None),
    ("/api/v1/orgs/<int:org_id>/salesforce/fields", "POST"): ("/api/v1/orgs/{org_a}/salesforce/fields", None),
    ("/api/v1/orgs/<int:org_id>/salesforce/integration-user", "PUT"): (
        "/api/v1/orgs/{org_a}/salesforce/integration-user", {"user_id": None}),
    ("/api/v1/orgs/<int:org_id>/mappings", "GET"): ("/api/v1/orgs/{org_a}/mappings", None),
    ("/api/v1/orgs/<int:org_id>/mappings/<string:name>", "GET"): ("/api/v1/orgs/{org_a}/mappings/task_as_task", None),
    ("/api/v1/orgs/<int:org_id>/mappings/<string:name>", "PUT"): (
        "/api/v1/orgs/{org_a}/mappings/task_as_task", {"rows": [{"mailbox_field": "subject", "salesforce_field": "Subject"}]}),
    ("/api/v1/orgs/<int:org_id>/mappings/<string:name>", "DELETE"): ("/api/v1/orgs/{org_a}/mappings/task_as_task", None),
    ("/api/v1/orgs/<int:org_id>/blocklist", "GET"): ("/api/v1/orgs/{org_a}/blocklist", None),
    ("/api/v1/orgs/<int:org_id>/blocklist", "PUT"): ("/api/v1/orgs/{org_a}/blocklist", {"entries": ["@x.example"]}),
    ("/api/v1/compose-saves/<int:request_id>", "DELETE"): ("/api/v1/compose-saves/{compose_a}", None),
    ("/api/v1/meeting-saves/<int:request_id>", "DELETE"): ("/api/v1/meeting-saves/{meeting_a}", None),
}
OWNER_OR_ADMIN = {key for key in FOREIGN_ID if "/mailboxes/" in key[0]}
OWN_ONLY = {key for key in FOREIGN_ID if "/auth/tokens" in key[0] or "-saves/" in key[0]}
ADMIN_ONLY = (set(FOREIGN_ID) - OWN_ONLY - OWNER_OR_ADMIN) | {
    ("/api/v1/users", "GET"), ("/api/v1/mailboxes", "GET")}
LISTS = {("/api/v1/users", "GET"), ("/api/v1/mailboxes", "GET")}


def _routes(app) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            found |= {(rule.rule, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


@pytest.fixture
def world(factory, client):
    org_a, org_b = factory.org("A"), factory.org("B")
    admin_a, user_a = factory.user(org_a, admin=True), factory.user(org_a, email="a@a.test")
    admin_b, user_b = factory.user(org_b, admin=True), factory.user(org_b)
    user_a_headers = factory.auth(user_a)
    token_a = client.get("/api/v1/auth/tokens", headers=user_a_headers).get_json()[0]["id"]
    mailbox_row = factory.mailbox(user_a)
    mailbox_a, profile_a = mailbox_row.id, mailbox_row.server_profile_id
    compose_a = client.post("/api/v1/compose-saves", json={"marker": "mk-tenant-0001"},
                            headers=user_a_headers).get_json()["id"]
    meeting_a = client.post("/api/v1/meeting-saves", json={"ical_uid": "uid-tenant@a.test"},
                            headers=user_a_headers).get_json()["id"]
    return {
        "ids": {"org_a": org_a.id, "user_a": user_a.id, "token_a": token_a, "mailbox_a": mailbox_a,
                "profile_a": profile_a, "compose_a": compose_a, "meeting_a": meeting_a},
        "admin_b": factory.auth(admin_b), "user_b": factory.auth(user_b),
        "user_a2": factory.auth(factory.user(org_a)), "admin_a": factory.auth(admin_a),
        "user_a": user_a_headers,
    }


def test_matrix_covers_every_route(app):
    covered = PUBLIC | SELF_ONLY | set(FOREIGN_ID) | LISTS
    missing = _routes(app) - covered
    assert not missing, f"add tenant-isolation cases for {sorted(missing)}"


def _call(client, method, path, body, headers):
    return client.open(path, method=method, json=body, headers=headers)


@pytest.mark.parametrize("key", sorted(FOREIGN_ID))
def test_other_orgs_resource_is_not_found_even_for_admins(client, world, key):
    template, body = FOREIGN_ID[key]
    response = _call(client, key[1], template.format(**world["ids"]), body, world["admin_b"])
    assert response.status_code == 404, (key, response.get_json())
    assert response.get_json()["code"] == 404


@pytest.mark.parametrize("key", sorted(ADMIN_ONLY))
def test_non_admin_is_forbidden_on_admin_routes(client, world, key):
    template, body = FOREIGN_ID.get(key, (key[0], None))
    response = _call(client, key[1], template.format(**world["ids"]), body, world["user_a2"])
    assert response.status_code == 403, (key, response.get_json())


@pytest.mark.parametrize("key", sorted(OWNER_OR_ADMIN))
def test_another_users_mailbox_is_not_found_in_the_same_org(client, world, key):
    template, body = FOREIGN_ID[key]
    response = _call(client, key[1], template.format(**world["ids"]), body, world["user_a2"])
    assert response.status_code == 404, (key, response.get_json())


@pytest.mark.parametrize("key", sorted(OWN_ONLY))
def test_another_users_own_resource_is_not_found_in_the_same_org_even_for_admins(client, world, key):
    template, body = FOREIGN_ID[key]
    for caller in ("user_a2", "admin_a"):
        response = _call(client, key[1], template.format(**world["ids"]), body, world[caller])
        assert response.status_code == 404, (key, caller, response.get_json())


def test_another_users_token_is_not_found_in_the_same_org(client, world):
    response = client.delete(f"/api/v1/auth/tokens/{world['ids']['token_a']}", headers=world["user_a2"])
    assert response.status_code == 404
    assert client.get("/api/v1/me", headers=world["user_a"]).status_code == 200


def test_lists_show_only_the_callers_org(client, world):
    emails = {u["email"] for u in client.get("/api/v1/users", headers=world["admin_b"]).get_json()["items"]}
    assert "a@a.test" not in emails and len(emails) == 2
    assert client.get("/api/v1/mailboxes", headers=world["admin_b"]).get_json()["total"] == 0
    assert client.get("/api/v1/mailboxes", headers=world["admin_a"]).get_json()["total"] == 1


def test_foreign_writes_changed_nothing(client, world):
    for key, (template, body) in FOREIGN_ID.items():
        _call(client, key[1], template.format(**world["ids"]), body, world["admin_b"])
    settings = client.get(f"/api/v1/orgs/{world['ids']['org_a']}/settings", headers=world["admin_a"]).get_json()
    assert settings["auto_sync_enabled"] is True
    assert client.get("/api/v1/me", headers=world["user_a"]).get_json()["auto_sync_enabled"] is True
    mailbox = client.get(f"/api/v1/mailboxes/{world['ids']['mailbox_a']}", headers=world["user_a"]).get_json()
    assert mailbox["status"] == "active" and mailbox["username"] != "x"


@pytest.mark.parametrize("key", sorted(SELF_ONLY | LISTS | set(FOREIGN_ID)))
def test_every_protected_route_requires_a_token(client, world, key):
    template, body = FOREIGN_ID.get(key, (key[0], None))
    response = _call(client, key[1], template.format(**world["ids"]), body, {})
    assert response.status_code == 401, key


def test_thread_autosaves_and_blocklists_are_each_users_own(client, world):
    path = "/api/v1/thread-autosaves/thread-1"
    assert client.put(path, json={}, headers=world["user_a"]).status_code == 204
    assert client.delete(path, headers=world["user_b"]).status_code == 204
    client.put("/api/v1/me/blocklist", json={"entries": ["@b.example"]}, headers=world["user_b"])
    assert client.get("/api/v1/me/blocklist", headers=world["user_a"]).get_json()["entries"] == []
    from sqlalchemy import select

    from app.models import ThreadAutosave

    with client.application.extensions["syncline"].db.session_scope() as s:
        assert [(r.user_id, r.thread_id) for r in s.scalars(select(ThreadAutosave))] == [(world["ids"]["user_a"], "thread-1")]
    blocklist = client.get(f"/api/v1/orgs/{world['ids']['org_a']}/blocklist", headers=world["admin_a"]).get_json()
    assert blocklist["entries"] == []
