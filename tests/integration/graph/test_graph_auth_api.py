"""Office 365 connection through the API, Graph fake ⇄ product (real sessions) ⇄ Salesforce emulator:
certificate credentials, test connection naming each missing permission, and delegated sign-in
through re-authorisation: revoked refresh token → needs_reauth after one failed session → new
sign-in → the next session succeeds."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app import create_app
from app.models import ServerProfile, SyncSessionRecord
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from app.state import keys
from app.state.locks import Lease
from sandbox.graph.identity import APPLICATION_ROLES, DELEGATED_SCOPES
from sandbox.graph.identity_routes import revoke_sign_ins
from tests.conftest import _clean, emulator_overrides, make_test_config
from tests.factories import Factory
from tests.integration.graph.auth_helpers import browser_visit, self_signed

START = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=2)
FMT = "%Y-%m-%dT%H:%M:%S"


class AuthWorld:
    """One admin with an Office 365 mailbox on the fake, under a server profile the test describes."""

    def __init__(self, app, emu, fake) -> None:
        self.app, self.emu, self.fake, self.rt = app, emu, fake, app.extensions["syncline"]
        factory = Factory(app)
        self.user, self.sf_org, self.sf_user = factory.salesforce_user(emu)
        self.address = fake.store.add_user(self.user.email)
        self.client, self.headers = app.test_client(), factory.auth(self.user)
        self.org = f"/api/v1/orgs/{self.user.org_id}"

    def profile(self, client_id: str, **fields) -> dict:
        answer = self.client.post(f"{self.org}/server-profiles", headers=self.headers, json={
            "name": f"Office 365 {client_id}", "kind": "graph", **fields,
            "endpoints": {"tenant_id": "contoso-tenant", "client_id": client_id,
                          "authority_url": self.fake.authority_url, "graph_url": self.fake.graph_url}})
        assert answer.status_code == 201, answer.json
        self.profile_id = answer.json["id"]
        return answer.json

    def register_mailbox(self) -> int:
        answer = self.client.post("/api/v1/mailboxes", headers=self.headers,
                                  json={"server_profile_id": self.profile_id, "address": self.user.email})
        assert answer.status_code == 201, answer.json
        self.mailbox_id = answer.json["id"]
        return self.mailbox_id

    def test_connection(self):
        return self.client.post(f"{self.org}/server-profiles/{self.profile_id}/test", headers=self.headers)

    def sign_in(self, as_user: str | None = None):
        """The owner's browser: start, consent at the fake, come back to the callback."""
        start = self.client.get(f"/api/v1/mailboxes/{self.mailbox_id}/graph-sign-in", headers=self.headers)
        assert start.status_code == 302, start.json
        assert start.headers["Location"] == start.json["authorize_url"]
        self.fake.store.identity.browser_user = as_user or self.address
        try:
            answer = browser_visit(start.headers["Location"], self.fake.ca_path)
        finally:
            self.fake.store.identity.browser_user = None
        return self.client.post("/api/v1/auth/microsoft/callback", data=answer)     # response_mode=form_post

    def sync(self) -> SyncSessionRecord:
        run_session(self.rt, self.mailbox_id, "forced", default_ports)
        with self.rt.db.session_scope() as s:
            record = s.scalars(select(SyncSessionRecord).where(SyncSessionRecord.mailbox_id == self.mailbox_id)
                               .order_by(SyncSessionRecord.id.desc())).first()
            s.expunge(record)
            return record

    def mailbox(self) -> dict:
        answer = self.client.get(f"/api/v1/mailboxes/{self.mailbox_id}/dashboard", headers=self.headers)
        assert answer.status_code == 200, answer.json
        return answer.json["mailbox"]

    def outlook_meeting(self, subject: str, days: int = 0) -> None:
        start = START + timedelta(days=days)
        self.fake.store.create_event(self.address, {
            "subject": subject, "start": {"dateTime": start.strftime(FMT), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).strftime(FMT), "timeZone": "UTC"}})

    def sf_subjects(self) -> list[str]:
        return sorted(e["Subject"] for e in self.emu.records(self.sf_org, "Event"))


@pytest.fixture
def world(tmp_path, migrated_databases, redis_url, salesforce_emulator, graph_fake):
    config = make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url,
                              **emulator_overrides(salesforce_emulator)).with_overrides(
        graph_ca_bundle=graph_fake.ca_path, allowed_mail_hosts=("127.0.0.1",))
    app = create_app(config)
    _clean(app)
    yield AuthWorld(app, salesforce_emulator, graph_fake)
    app.extensions["syncline"].db.dispose()


def test_test_connection_names_each_missing_application_permission(world):
    world.fake.store.register_client("app-narrow", "narrow-secret")
    world.fake.store.identity.roles["app-narrow"] = set(APPLICATION_ROLES) - {"Mail.ReadWrite", "Contacts.ReadWrite"}
    world.profile("app-narrow", client_secret="narrow-secret")
    answer = world.test_connection()
    assert answer.status_code == 200, answer.json
    assert answer.json["ok"] is False and answer.json["error"] is None
    assert answer.json["missing"] == [{"permission": "Contacts.ReadWrite", "needed_for": "contacts"},
                                      {"permission": "Mail.ReadWrite", "needed_for": "mail"}]
    assert "Calendars.ReadWrite" in answer.json["granted"]

    world.client.patch(f"{world.org}/settings", headers=world.headers, json={"sync_contacts": "off"})
    assert [m["permission"] for m in world.test_connection().json["missing"]] == ["Mail.ReadWrite"]


def test_test_connection_reports_a_refused_secret_with_its_aadsts_code(world):
    world.fake.store.register_client("app-rotated", "the-new-secret")
    world.profile("app-rotated", client_secret="an-old-secret")
    answer = world.test_connection()
    assert answer.status_code == 200 and answer.json["ok"] is False
    assert "invalid_client" in answer.json["error"] and "AADSTS7000215" in answer.json["error"]

    with world.rt.db.session_scope() as s:          # stored under a key this deployment no longer has
        profile = s.get(ServerProfile, world.profile_id)
        profile.settings = {**profile.settings, "client_secret_enc": "gAAAAA-not-a-token"}
    lost = world.test_connection()
    assert lost.status_code == 200 and "can no longer be decrypted" in lost.json["error"]


def test_a_certificate_profile_connects_without_a_secret_and_a_bad_pair_is_a_400(world):
    key, cert = self_signed()
    world.fake.store.identity.add_certificate("app-cert", cert)
    shown = world.profile("app-cert", private_key=key, certificate=cert)
    assert len(shown["certificate_thumbprint"]) == 64 and "private_key" not in shown and "certificate" not in shown
    assert world.test_connection().json == {
        "ok": True, "auth_mode": "application", "checked_as": "the app registration",
        "granted": sorted(APPLICATION_ROLES), "missing": [], "error": None}

    other_key, _ = self_signed()
    refused = world.client.put(f"{world.org}/server-profiles/{world.profile_id}/certificate", headers=world.headers,
                               json={"private_key": other_key, "certificate": cert})
    assert refused.status_code == 400 and "does not belong" in refused.json["message"]
    missing_half = world.client.post(f"{world.org}/server-profiles", headers=world.headers, json={
        "name": "half", "kind": "graph", "private_key": key,
        "endpoints": {"tenant_id": "t", "client_id": "c", "authority_url": world.fake.authority_url}})
    assert missing_half.status_code == 400 and "certificate" in missing_half.json["errors"]["json"]


def test_a_new_certificate_resumes_a_mailbox_whose_secret_was_revoked(world):
    world.fake.store.register_client("app-revoked", "revoked-secret")
    world.profile("app-revoked", client_secret="wrong-secret")
    world.register_mailbox()
    assert world.sync().status == "failed"
    assert world.mailbox()["status"] == "needs_reauth" and "AADSTS7000215" in world.mailbox()["status_reason"]
    key, cert = self_signed()
    world.fake.store.identity.add_certificate("app-revoked", cert)
    stored = world.client.put(f"{world.org}/server-profiles/{world.profile_id}/certificate", headers=world.headers,
                              json={"private_key": key, "certificate": cert})
    assert stored.status_code == 200, stored.json
    assert world.mailbox()["status"] == "active"
    world.outlook_meeting("Signed with the certificate")
    assert world.sync().status == "succeeded"
    assert world.sf_subjects() == ["Signed with the certificate"]


def test_delegated_sign_in_then_revoked_refresh_token_needs_reauth_and_a_new_sign_in_resumes(world):
    world.fake.store.register_client("app-delegated", "delegated-secret")
    world.profile("app-delegated", client_secret="delegated-secret", auth_mode="delegated")
    world.register_mailbox()
    assert world.sync().status == "failed"                  # nobody signed in yet: waits, visibly
    assert world.mailbox()["status"] == "needs_reauth"
    assert "not signed in with Microsoft" in world.mailbox()["status_reason"]

    done = world.sign_in()
    assert done.status_code == 200, done.json
    assert done.json["status"] == "active" and world.mailbox()["status"] == "active"
    world.outlook_meeting("Delegated meeting")
    first = world.sync()
    assert first.status == "succeeded", first.failure
    assert world.sf_subjects() == ["Delegated meeting"]

    revoke_sign_ins(world.fake.store, world.address, 50173)
    world.outlook_meeting("After the revocation", days=1)
    failed = world.sync()
    assert failed.status == "failed" and "AADSTS50173" in failed.failure
    box = world.mailbox()
    assert box["status"] == "needs_reauth" and "AADSTS50173" in box["status_reason"], box
    assert world.sf_subjects() == ["Delegated meeting"]

    started = world.client.post(f"/api/v1/mailboxes/{world.mailbox_id}/graph-sign-in", headers=world.headers)
    assert started.status_code == 200, started.json      # the sidebar's way: the URL as JSON
    world.fake.store.identity.browser_user = world.address
    try:
        answer = browser_visit(started.json["authorize_url"], world.fake.ca_path)
    finally:
        world.fake.store.identity.browser_user = None
    again = world.client.post("/api/v1/auth/microsoft/callback", data=answer)
    assert again.status_code == 200 and world.mailbox()["status"] == "active"
    assert world.sync().status == "succeeded"
    assert world.sf_subjects() == ["After the revocation", "Delegated meeting"]


def test_delegated_test_connection_reads_scp_and_the_callback_refuses_another_account_or_a_used_state(world):
    world.fake.store.register_client("app-scoped", "scoped-secret")
    world.fake.store.identity.scopes["app-scoped"] = set(DELEGATED_SCOPES) - {"Tasks.ReadWrite"}
    assert world.profile("app-scoped", client_secret="scoped-secret")["auth_mode"] == "application"
    world.register_mailbox()
    refused = world.client.get(f"/api/v1/mailboxes/{world.mailbox_id}/graph-sign-in", headers=world.headers)
    assert refused.status_code == 400 and "delegated" in refused.json["message"]
    switched = world.client.put(f"{world.org}/server-profiles/{world.profile_id}/auth-mode", headers=world.headers,
                                json={"auth_mode": "delegated"})
    assert switched.status_code == 200 and switched.json["auth_mode"] == "delegated"
    bad = world.client.put(f"{world.org}/server-profiles/{world.profile_id}/auth-mode", headers=world.headers,
                           json={"auth_mode": "interactive"})
    assert bad.status_code == 400 and "auth_mode" in bad.json["errors"]["json"]
    assert world.sync().status == "failed" and world.mailbox()["status"] == "needs_reauth"   # nobody signed in
    back = world.client.put(f"{world.org}/server-profiles/{world.profile_id}/auth-mode", headers=world.headers,
                            json={"auth_mode": "application"})
    assert back.status_code == 200 and world.mailbox()["status"] == "active"     # the app reaches it again
    world.client.put(f"{world.org}/server-profiles/{world.profile_id}/auth-mode", headers=world.headers,
                     json={"auth_mode": "delegated"})
    before = world.test_connection().json
    assert before["ok"] is False and "has signed in" in before["error"]

    intruder = world.fake.store.add_user("mallory@contoso.test")
    wrong = world.sign_in(as_user=intruder)
    assert wrong.status_code == 401 and "mallory@contoso.test" in wrong.json["message"]

    assert world.sign_in().status_code == 200
    report = world.test_connection().json
    assert report["checked_as"] == world.address and report["auth_mode"] == "delegated"
    assert report["missing"] == [{"permission": "Tasks.ReadWrite", "needed_for": "tasks"}]
    session_lock = Lease(world.rt.redis.client, keys.mailbox_lock(world.mailbox_id), 30)
    assert session_lock.acquire()                   # a session is refreshing this mailbox's token
    try:
        busy = world.test_connection().json
    finally:
        session_lock.release()
    assert busy["ok"] is False and "is running" in busy["error"]

    replay = world.client.get("/api/v1/auth/microsoft/callback", query_string={"state": "no-such-state", "code": "x"})
    assert replay.status_code == 401 and "expired or was already used" in replay.json["message"]
    not_delegated = world.client.get("/api/v1/mailboxes/999999/graph-sign-in", headers=world.headers)
    assert not_delegated.status_code == 404
