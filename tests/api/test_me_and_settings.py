"""/me, org settings (the auto-sync switch), admin user management, audit log paging."""
from __future__ import annotations


def test_me_shows_user_org_and_effective_auto_sync(client, factory):
    org = factory.org("Globex")
    user = factory.user(org, email="ann@globex.test")
    body = client.get("/api/v1/me", headers=factory.auth(user)).get_json()
    assert body["email"] == "ann@globex.test"
    assert body["org"]["name"] == "Globex"
    assert body["role"] == "user" and body["role_source"] == "none"
    assert body["auto_sync_effective"] is True
    assert body["salesforce_connection"] == "none"
    assert body["settings"]["sync_calendar"] is None


def test_patch_me_updates_name_and_settings(client, factory):
    headers = factory.auth(factory.user(factory.org()))
    response = client.patch("/api/v1/me", json={"name": "Ann B", "settings": {
        "timezone": "Europe/Berlin", "sync_contacts": "to_mailbox"}}, headers=headers)
    assert response.status_code == 200, response.get_json()
    again = client.get("/api/v1/me", headers=headers).get_json()
    assert again["name"] == "Ann B"
    assert again["settings"]["timezone"] == "Europe/Berlin"
    assert again["settings"]["sync_contacts"] == "to_mailbox"


def test_unknown_timezone_is_rejected(client, factory):
    headers = factory.auth(factory.user(factory.org()))
    response = client.patch("/api/v1/me", json={"settings": {"timezone": "Mars/Olympus"}}, headers=headers)
    assert response.status_code == 400
    assert "Mars/Olympus" in response.get_json()["message"]


def test_admin_toggles_org_auto_sync_and_users_see_it(client, factory):
    org = factory.org()
    admin, user = factory.user(org, admin=True), factory.user(org)
    admin_h, user_h = factory.auth(admin), factory.auth(user)
    response = client.patch(f"/api/v1/orgs/{org.id}/settings", json={"auto_sync_enabled": False}, headers=admin_h)
    assert response.status_code == 200
    assert response.get_json()["auto_sync_enabled"] is False
    assert response.get_json()["sync_interval_minutes"] == 30  # defaults still filled in
    assert client.get("/api/v1/me", headers=user_h).get_json()["auto_sync_effective"] is False
    audit = client.get(f"/api/v1/orgs/{org.id}/audit-events", headers=admin_h).get_json()
    changed = [e for e in audit["items"] if e["action"] == "org.settings.updated"]
    assert changed and changed[0]["details"]["changed"] == {"auto_sync_enabled": False}
    assert changed[0]["actor_user_id"] == admin.id


def test_non_admin_cannot_read_or_change_org_settings(client, factory):
    org = factory.org()
    headers = factory.auth(factory.user(org))
    assert client.get(f"/api/v1/orgs/{org.id}/settings", headers=headers).status_code == 403
    assert client.patch(f"/api/v1/orgs/{org.id}/settings", json={"auto_sync_enabled": False},
                        headers=headers).status_code == 403


def test_admin_disables_auto_sync_for_one_user(client, factory):
    org = factory.org()
    admin, user = factory.user(org, admin=True), factory.user(org)
    response = client.patch(f"/api/v1/users/{user.id}", json={"auto_sync_enabled": False}, headers=factory.auth(admin))
    assert response.status_code == 200 and response.get_json()["auto_sync_enabled"] is False
    me = client.get("/api/v1/me", headers=factory.auth(user)).get_json()
    assert me["auto_sync_enabled"] is False and me["auto_sync_effective"] is False


def test_admin_grants_and_removes_admin_role(client, factory):
    org = factory.org()
    admin, user = factory.user(org, admin=True), factory.user(org)
    headers = factory.auth(admin)
    granted = client.patch(f"/api/v1/users/{user.id}", json={"role": "admin"}, headers=headers).get_json()
    assert granted["role"] == "admin" and granted["role_source"] == "grant"
    assert client.get(f"/api/v1/orgs/{org.id}/settings", headers=factory.auth(user)).status_code == 200
    removed = client.patch(f"/api/v1/users/{user.id}", json={"role": "user"}, headers=headers).get_json()
    assert removed["role"] == "user"


def test_salesforce_admin_cannot_be_demoted_in_syncline(client, factory):
    org = factory.org()
    admin, sf_admin = factory.user(org, admin=True), factory.user(org, sf_admin=True)
    response = client.patch(f"/api/v1/users/{sf_admin.id}", json={"role": "user"}, headers=factory.auth(admin))
    assert response.status_code == 409
    assert "Salesforce" in response.get_json()["message"]


def test_admin_cannot_demote_self(client, factory):
    admin = factory.user(factory.org(), admin=True)
    response = client.patch(f"/api/v1/users/{admin.id}", json={"role": "user"}, headers=factory.auth(admin))
    assert response.status_code == 409


def test_locked_settings_refuse_personal_overrides(client, factory):
    org = factory.org()
    admin, user = factory.user(org, admin=True), factory.user(org)
    client.patch(f"/api/v1/orgs/{org.id}/settings", json={"allow_user_overrides": False}, headers=factory.auth(admin))
    headers = factory.auth(user)
    assert client.get("/api/v1/me", headers=headers).get_json()["settings_locked"] is True
    response = client.patch("/api/v1/me", json={"settings": {"sync_tasks": "off"}}, headers=headers)
    assert response.status_code == 403 and "sync_tasks" in response.get_json()["message"]
    assert client.get("/api/v1/me", headers=headers).get_json()["settings"]["sync_tasks"] is None


def test_users_list_and_audit_log_page(client, factory):
    org = factory.org()
    admin = factory.user(org, admin=True)
    for _ in range(4):
        factory.user(org)
    headers = factory.auth(admin)
    page = client.get("/api/v1/users?page=2&page_size=2", headers=headers).get_json()
    assert page["total"] == 5 and page["page"] == 2 and len(page["items"]) == 2
    audit = client.get(f"/api/v1/orgs/{org.id}/audit-events?page_size=3", headers=headers).get_json()
    assert audit["total"] >= 6 and len(audit["items"]) == 3
    ids = [e["id"] for e in audit["items"]]
    assert ids == sorted(ids, reverse=True)
    assert client.get("/api/v1/users?page_size=500", headers=headers).status_code == 400


def test_failed_write_leaves_nothing_half_written(client, factory, monkeypatch):
    """The settings change and its audit event commit together or not at all."""
    import app.services.settings as settings_module

    org = factory.org()
    headers = factory.auth(factory.user(org, admin=True))

    def broken_audit(*_a, **_k):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(settings_module.audit, "record", broken_audit)
    response = client.patch(f"/api/v1/orgs/{org.id}/settings", json={"auto_sync_enabled": False}, headers=headers)
    assert response.status_code == 500
    monkeypatch.undo()
    assert client.get(f"/api/v1/orgs/{org.id}/settings", headers=headers).get_json()["auto_sync_enabled"] is True


def test_token_create_list_and_use(client, factory):
    headers = factory.auth(factory.user(factory.org()))
    created = client.post("/api/v1/auth/tokens", json={"name": "zapier", "expires_in_days": 30}, headers=headers)
    assert created.status_code == 201
    token = created.get_json()["token"]
    assert token.startswith("slk_")
    listed = client.get("/api/v1/auth/tokens", headers=headers).get_json()
    assert {t["name"] for t in listed} >= {"zapier"}
    assert all("token" not in t for t in listed)
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_admins_see_which_users_must_sign_in_to_salesforce_again(client, factory, app):
    from app.models import SalesforceConnection

    org = factory.org()
    admin, user = factory.user(org, admin=True), factory.user(org)
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        s.add(SalesforceConnection(org_id=org.id, user_id=user.id, instance_url="https://acme.my.salesforce.com",
                                   access_token_enc=rt.secrets.encrypt("x"), status="needs_reauth",
                                   status_reason="refresh token revoked (invalid_grant)"))
    body = client.get(f"/api/v1/users/{user.id}", headers=factory.auth(admin)).get_json()
    assert body["salesforce_connection"] == "needs_reauth" and "invalid_grant" in body["salesforce_connection_reason"]
    listed = client.get("/api/v1/users", headers=factory.auth(admin)).get_json()["items"]
    assert {u["salesforce_connection"] for u in listed} == {"needs_reauth", "none"}


def test_contact_scope_is_an_org_setting_a_user_may_override(client, factory, app):
    from app.models import User
    from app.services.sync_policy import contact_scope, policy_for

    org = factory.org()
    admin, user = factory.user(org, admin=True), factory.user(org)
    admin_h, user_h = factory.auth(admin), factory.auth(user)

    def effective():
        with app.extensions["syncline"].db.session_scope() as s:
            person = s.get(User, user.id)
            return contact_scope(person), policy_for(person).contact_category

    # the default, as the seeds describe: the "Salesforce" address book, or cards with the Salesforce category
    assert effective() == (("salesforce", "Salesforce"), "Salesforce")
    assert client.get(f"/api/v1/orgs/{org.id}/settings", headers=admin_h).get_json()["contacts_scope"] == "salesforce"
    bad = client.patch(f"/api/v1/orgs/{org.id}/settings", json={"contacts_scope": "everything"}, headers=admin_h)
    assert bad.status_code in (400, 422) and "contacts_scope" in str(bad.get_json())
    body = client.patch(f"/api/v1/orgs/{org.id}/settings", json={"contacts_scope": "category"}, headers=admin_h)
    assert body.status_code == 200 and body.get_json()["contacts_scope"] == "category"
    assert effective() == (("category", None), "Salesforce")     # the org's salesforce_category
    mine = client.patch("/api/v1/me", json={"settings": {"contacts_scope": "address_book"}}, headers=user_h)
    assert mine.status_code == 200, mine.get_json()
    assert effective() == (("address_book", "Salesforce"), None)  # defaults to the salesforce_folder name
    client.patch("/api/v1/me", json={"settings": {"contacts_address_book": "/dav/ann/crm/"}}, headers=user_h)
    assert effective() == (("address_book", "/dav/ann/crm/"), None)
    client.patch(f"/api/v1/orgs/{org.id}/settings", json={"allow_user_overrides": False}, headers=admin_h)
    assert effective() == (("category", None), "Salesforce")
    locked = client.patch("/api/v1/me", json={"settings": {"contacts_scope": "all"}}, headers=user_h)
    assert locked.status_code == 403 and "contacts_scope" in locked.get_json()["message"]
    every = client.patch(f"/api/v1/orgs/{org.id}/settings", json={"contacts_scope": "all"}, headers=admin_h)
    assert every.status_code == 200 and effective() == (("all", None), None)     # still an explicit choice
