"""Who may lift a suspension, and how a mailbox waiting for re-authorisation resumes by itself."""
from __future__ import annotations

from app.models import Mailbox, User
from app.services.sync_runner import run_session
from app.sync.errors import AuthFailure
from tests.services.test_sync_runner import PortsWorld


def _suspend(client, mailbox_id, headers, reason):
    response = client.post(f"/api/v1/mailboxes/{mailbox_id}/suspend", headers=headers, json={"reason": reason})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_only_an_admin_lifts_an_admins_suspension(client, factory):
    org = factory.org()
    ann, admin = factory.user(org), factory.user(org, admin=True)
    mailbox = factory.mailbox(ann)
    body = _suspend(client, mailbox.id, factory.auth(admin), "legal review")
    assert body["status_set_by"] == "admin"
    refused = client.post(f"/api/v1/mailboxes/{mailbox.id}/resume", headers=factory.auth(ann))
    assert refused.status_code == 403
    assert refused.get_json()["code"] == 403 and "only an admin" in refused.get_json()["message"]
    assert "legal review" in refused.get_json()["message"]
    assert client.get(f"/api/v1/mailboxes/{mailbox.id}", headers=factory.auth(ann)).get_json()["status"] == "suspended"
    resumed = client.post(f"/api/v1/mailboxes/{mailbox.id}/resume", headers=factory.auth(admin))
    assert resumed.status_code == 200 and resumed.get_json()["status"] == "active"


def test_a_user_resumes_their_own_or_an_automatic_suspension(client, factory, app):
    ann = factory.user(factory.org())
    mailbox = factory.mailbox(ann)
    headers = factory.auth(ann)
    assert _suspend(client, mailbox.id, headers, "on holiday")["status_set_by"] == "user"
    assert client.post(f"/api/v1/mailboxes/{mailbox.id}/resume", headers=headers).status_code == 200
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        s.get(Mailbox, mailbox.id).user.org.settings = {"suspend_after_failures": 1}
    world = PortsWorld()
    world.fail_with = RuntimeError("boom")
    try:
        run_session(rt, mailbox.id, "scheduled", world)
    except RuntimeError:
        pass
    body = client.get(f"/api/v1/mailboxes/{mailbox.id}", headers=headers).get_json()
    assert body["status"] == "suspended" and body["status_set_by"] == "system"
    assert client.post(f"/api/v1/mailboxes/{mailbox.id}/resume", headers=headers).status_code == 200


def test_needs_reauth_is_visible_and_a_new_password_resumes_it(client, factory, app):
    org = factory.org()
    ann, admin = factory.user(org), factory.user(org, admin=True)
    mailbox = factory.mailbox(ann)
    headers = factory.auth(ann)
    world = PortsWorld()
    world.fail_with = AuthFailure("IMAP login refused: [AUTHENTICATIONFAILED]")
    assert run_session(app.extensions["syncline"], mailbox.id, "scheduled", world) == "failed"
    dashboard = client.get("/api/v1/mailboxes/mine/dashboard", headers=headers).get_json()["mailbox"]
    assert dashboard["status"] == "needs_reauth" and dashboard["next_sync_at"] is None
    assert "AUTHENTICATIONFAILED" in dashboard["status_reason"] and "sign in" in dashboard["status_reason"]
    listed = client.get("/api/v1/mailboxes?status=needs_reauth", headers=factory.auth(admin))
    assert [m["id"] for m in listed.get_json()["items"]] == [mailbox.id]
    forced = client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers)
    assert forced.status_code == 409 and "needs_reauth" in forced.get_json()["message"]
    patched = client.patch(f"/api/v1/mailboxes/{mailbox.id}", headers=headers, json={"password": "new-secret"})
    assert patched.status_code == 200
    body = patched.get_json()
    assert body["status"] == "active" and body["status_reason"] is None and body["next_sync_at"] is not None
    assert client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers).status_code == 202


def test_signing_in_with_salesforce_again_resumes_a_mailbox_waiting_for_it(sf_app, salesforce_emulator):
    from tests.api.test_salesforce_signin import _sign_in
    from tests.factories import Factory

    org = salesforce_emulator.create_org(name="Reauth Co")
    sf_user = salesforce_emulator.create_user(org, email="rita@reauth.test", admin=False)
    client, rt = sf_app.test_client(), sf_app.extensions["syncline"]
    body, status = _sign_in(client, salesforce_emulator, org, sf_user)
    assert status == 200, body
    with rt.db.session_scope() as s:
        user = s.get(User, body["user"]["id"])
        s.expunge(user)
    mailbox = Factory(sf_app).mailbox(user)
    world = PortsWorld()
    world.fail_with = AuthFailure("invalid_grant: expired access/refresh token")
    run_session(rt, mailbox.id, "scheduled", world)
    headers = {"Authorization": f"Bearer {body['token']['token']}"}
    assert client.get(f"/api/v1/mailboxes/{mailbox.id}", headers=headers).get_json()["status"] == "needs_reauth"
    _sign_in(client, salesforce_emulator, org, sf_user)
    after = client.get(f"/api/v1/mailboxes/{mailbox.id}", headers=headers).get_json()
    assert after["status"] == "active" and after["consecutive_failures"] == 0
