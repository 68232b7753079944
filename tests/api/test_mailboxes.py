"""Server profiles, mailbox registration, force/suspend/resume, and the dashboard."""
from __future__ import annotations

from rq import Queue
from rq.job import Job, JobStatus

from app.services import push_triggers
from app.state import keys, queues
from tests.session_jobs import finish_session_job, start_session_job


def _admin_and_profile(client, factory, **endpoints):
    org = factory.org()
    admin = factory.user(org, admin=True)
    headers = factory.auth(admin)
    profile = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers, json={
        "name": "Fastmail", "kind": "imap",
        "endpoints": endpoints or {"imap_host": "imap.fastmail.test", "imap_port": 993,
                                   "caldav_url": "https://caldav.fastmail.test/"}})
    assert profile.status_code == 201, profile.get_json()
    return org, admin, headers, profile.get_json()


def test_profile_needs_the_endpoints_of_its_kind(client, factory):
    org = factory.org()
    headers = factory.auth(factory.user(org, admin=True))
    response = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers,
                           json={"name": "x", "kind": "imap", "endpoints": {}})
    assert response.status_code == 400 and "imap_host" in response.get_json()["message"]
    response = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers,
                           json={"name": "x", "kind": "ews", "endpoints": {"ews_url": "ftp://x"}})
    assert response.status_code == 400 and "ews_url" in response.get_json()["message"]


def test_register_mailbox_keeps_the_password_secret(client, factory, app):
    org, _, _, profile = _admin_and_profile(client, factory)
    user = factory.user(org, email="ann@acme.test")
    headers = factory.auth(user)
    response = client.post("/api/v1/mailboxes", headers=headers, json={
        "server_profile_id": profile["id"], "address": "ann@acme.test", "password": "hunter2-secret"})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["has_credentials"] is True and body["status"] == "active" and body["username"] == "ann@acme.test"
    assert "hunter2-secret" not in response.get_data(as_text=True)
    again = client.post("/api/v1/mailboxes", headers=headers, json={
        "server_profile_id": profile["id"], "address": "ann@acme.test"})
    assert again.status_code == 409 and "already has a mailbox" in again.get_json()["message"]


def test_register_with_another_orgs_profile_is_400(client, factory):
    _, _, _, profile = _admin_and_profile(client, factory)
    stranger = factory.user(factory.org())
    response = client.post("/api/v1/mailboxes", headers=factory.auth(stranger), json={
        "server_profile_id": profile["id"], "address": "s@x.test"})
    assert response.status_code == 400 and "server profile" in response.get_json()["message"]


def test_only_admins_register_for_others(client, factory):
    org, _, admin_headers, profile = _admin_and_profile(client, factory)
    ann, bob = factory.user(org), factory.user(org)
    payload = {"server_profile_id": profile["id"], "address": "bob@acme.test", "user_id": bob.id}
    assert client.post("/api/v1/mailboxes", headers=factory.auth(ann), json=payload).status_code == 403
    created = client.post("/api/v1/mailboxes", headers=admin_headers, json=payload)
    assert created.status_code == 201 and created.get_json()["user_id"] == bob.id


def test_force_sync_queues_one_session(client, factory, app):
    user = factory.user(factory.org())
    mailbox = factory.mailbox(user)
    headers = factory.auth(user)
    first = client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers)
    assert first.status_code == 202 and first.get_json()["enqueued"] is True
    second = client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers).get_json()
    assert second["enqueued"] is False and "already" in second["message"]
    queue = Queue(queues.SYNC, connection=app.extensions["syncline"].redis.client)
    assert queue.job_ids == [keys.sync_job_id(mailbox.id)]


def test_force_sync_while_a_session_runs_brings_one_forced_session_after_it(client, factory, app):
    """The running session may have read the mailbox before the user's last edit: pressing "sync
    now" then must not be swallowed by it, nor start a second session beside it."""
    rt = app.extensions["syncline"]
    user = factory.user(factory.org())
    mailbox = factory.mailbox(user)
    headers = factory.auth(user)
    assert client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers).status_code == 202
    running = start_session_job(rt, mailbox.id)
    answers = [client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers).get_json() for _ in range(3)]
    assert [a["enqueued"] for a in answers] == [True, False, False], answers
    assert "follows" in answers[0]["message"] and answers[0]["job_id"] == keys.sync_job_id(mailbox.id)
    followup = Job.fetch(keys.push_followup_job_id(mailbox.id), connection=rt.redis.client)
    assert followup.get_status() == JobStatus.DEFERRED and followup.args == (mailbox.id, "forced")
    queue = Queue(queues.SYNC, connection=rt.redis.client)
    assert queue.job_ids == [], "never two sessions at once"
    finish_session_job(rt, mailbox.id, running)
    assert queue.job_ids == [followup.id]
    push_triggers.followup(rt, *followup.args)           # the follow-up job's work
    session = Job.fetch(keys.sync_job_id(mailbox.id), connection=rt.redis.client)
    assert session.get_status() == JobStatus.QUEUED and session.args == (mailbox.id, "forced")


def test_the_dashboard_says_when_salesforce_changes_stop_reaching_the_org(client, factory, app):
    """Once the org has a change loop, sessions read only what its poll routes: a poll that stopped
    must show, with the fix, instead of sessions that keep "succeeding" with nothing from Salesforce."""
    from datetime import timedelta

    from app.models import OrgFeedState, SalesforceConnection
    from app.models.base import utcnow

    rt = app.extensions["syncline"]
    org = factory.org()
    admin, user = factory.user(org, sf_admin=True), factory.user(org)
    mailbox, headers = factory.mailbox(user), factory.auth(user)
    def changes() -> dict:
        return client.get(f"/api/v1/mailboxes/{mailbox.id}/dashboard", headers=headers).get_json()["salesforce_changes"]
    assert changes() == {"receiving": True, "last_poll_at": None, "connection": "none", "reason": None}
    with rt.db.session_scope() as s:
        conn = SalesforceConnection(org_id=org.id, user_id=admin.id, instance_url="https://acme.my.salesforce.com",
                                    access_token_enc=rt.secrets.encrypt("a"), is_org_default=True)
        s.add(conn)
        s.add(OrgFeedState(org_id=org.id, sobject="Event", polled_at=utcnow(), seen={}, epoch=1))
        s.flush()
        conn_id = conn.id
    assert changes()["receiving"] is True and changes()["connection"] == "connected"
    rt.salesforce_stores.tokens.mark_needs_reauth(conn_id, "invalid_grant")     # no other admin connected
    stopped = changes()
    assert (stopped["receiving"], stopped["connection"]) == (False, "needs_reauth")
    assert "invalid_grant" in stopped["reason"] and "an admin signs in" in stopped["reason"]
    with rt.db.session_scope() as s:
        s.get(SalesforceConnection, conn_id).status = "connected"
        s.query(OrgFeedState).filter_by(org_id=org.id).update({"polled_at": utcnow() - timedelta(hours=1)})
    assert changes()["receiving"] is False and "scheduler" in changes()["reason"]


def test_suspend_blocks_force_until_resumed(client, factory):
    user = factory.user(factory.org())
    mailbox = factory.mailbox(user)
    headers = factory.auth(user)
    suspended = client.post(f"/api/v1/mailboxes/{mailbox.id}/suspend", headers=headers,
                            json={"reason": "on holiday"}).get_json()
    assert suspended["status"] == "suspended" and suspended["status_reason"] == "on holiday"
    blocked = client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers)
    assert blocked.status_code == 409 and "resume" in blocked.get_json()["message"]
    resumed = client.post(f"/api/v1/mailboxes/{mailbox.id}/resume", headers=headers).get_json()
    assert resumed["status"] == "active" and resumed["next_sync_at"] is not None


def test_dashboard_shows_sessions_and_live_progress(client, factory, app):
    from app.services.sync_runner import run_session
    from app.state import progress
    from tests.services.test_sync_runner import PortsWorld

    user = factory.user(factory.org())
    mailbox = factory.mailbox(user)
    rt = app.extensions["syncline"]
    run_session(rt, mailbox.id, "forced", PortsWorld())
    progress.report(rt.redis.client, mailbox.id, stage="mirroring", session_id=99)
    headers = factory.auth(user)
    body = client.get("/api/v1/mailboxes/mine/dashboard", headers=headers).get_json()
    assert body["mailbox"]["id"] == mailbox.id
    assert body["sessions"][0]["status"] == "succeeded" and body["sessions"][0]["trigger"] == "forced"
    assert body["progress"]["stage"] == "mirroring"
    assert client.get(f"/api/v1/mailboxes/{mailbox.id}/dashboard?sessions=0", headers=headers).status_code == 400


def test_my_dashboard_without_a_mailbox_is_a_clear_404(client, factory):
    response = client.get("/api/v1/mailboxes/mine/dashboard", headers=factory.auth(factory.user(factory.org())))
    assert response.status_code == 404 and "POST /api/v1/mailboxes" in response.get_json()["message"]


def test_failed_items_are_listed_and_replayed(client, factory, app):
    from app.models import IdMapRow

    user = factory.user(factory.org())
    mailbox = factory.mailbox(user)
    with app.extensions["syncline"].db.session_scope() as s:
        s.add_all([
            IdMapRow(org_id=user.org_id, mailbox_id=mailbox.id, sync_key="k1", kind="calendar", object_type="Event",
                     mailbox_item_id="m1", last_error="invalid: FIELD_CUSTOM_VALIDATION_EXCEPTION: Subject", attempts=5),
            IdMapRow(org_id=user.org_id, mailbox_id=mailbox.id, sync_key="k2", kind="calendar", object_type="Event",
                     mailbox_item_id="m2", attempts=0),
        ])
    headers = factory.auth(user)
    items = client.get(f"/api/v1/mailboxes/{mailbox.id}/failed-items", headers=headers).get_json()
    assert [i["sync_key"] for i in items] == ["k1"] and items[0]["given_up"] is True
    assert "FIELD_CUSTOM_VALIDATION_EXCEPTION" in items[0]["error"]
    assert client.post(f"/api/v1/mailboxes/{mailbox.id}/failed-items/replay", headers=headers).get_json() == {
        "replayed": 1}
    again = client.get(f"/api/v1/mailboxes/{mailbox.id}/failed-items", headers=headers).get_json()
    assert again[0]["attempts"] == 0 and again[0]["given_up"] is False
