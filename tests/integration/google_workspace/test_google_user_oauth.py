"""Per-user Google sign-in through the API, Google fake ⇄ product (real sessions, real Redis and SQL) ⇄
Salesforce emulator: the documented authorize parameters, PKCE, one-use state, only the mailbox's own
account, rotated refresh tokens kept, and re-authorisation: revoked grant → needs_reauth at the first
failed session → new sign-in → the next session succeeds."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from sqlalchemy import select

from app import create_app
from app.models import Mailbox, SyncSessionRecord
from app.services.google_accounts import refresh_token
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from tests.conftest import _clean, emulator_overrides, make_test_config
from tests.factories import Factory
from tests.integration.google_workspace.conftest import NOW
from tests.integration.graph.auth_helpers import browser_visit


class OAuthWorld:
    """One admin with a Google mailbox under a user_oauth gmail profile."""

    def __init__(self, app, emu, fake) -> None:
        self.app, self.emu, self.fake, self.rt = app, emu, fake, app.extensions["syncline"]
        factory = Factory(app)
        self.user, self.sf_org, self.sf_user = factory.salesforce_user(emu)
        self.address = fake.store.add_user(self.user.email)
        self.client, self.headers = app.test_client(), factory.auth(self.user)
        self.org = f"/api/v1/orgs/{self.user.org_id}"
        self.callback = self.rt.config.public_url + "/api/v1/auth/google/callback"
        self.client_id, self.secret = fake.store.user_oauth.register_client((self.callback,))
        answer = self.client.post(f"{self.org}/server-profiles", headers=self.headers, json={
            "name": "Small org Google", "kind": "gmail",
            "endpoints": {"google_api_url": fake.api_root, "google_token_url": fake.token_uri,
                          "google_auth_url": fake.auth_url}})
        assert answer.status_code == 201, answer.json
        self.profile_id = answer.json["id"]
        mailbox = self.client.post("/api/v1/mailboxes", headers=self.headers,
                                   json={"server_profile_id": self.profile_id, "address": self.user.email})
        assert mailbox.status_code == 201, mailbox.json
        self.mailbox_id = mailbox.json["id"]

    def use_user_oauth(self, **fields):
        return self.client.put(f"{self.org}/server-profiles/{self.profile_id}/google-auth", headers=self.headers,
                               json={"auth_mode": "user_oauth", "client_id": self.client_id,
                                     "client_secret": self.secret, **fields})

    def start(self) -> str:
        start = self.client.get(f"/api/v1/mailboxes/{self.mailbox_id}/google-sign-in", headers=self.headers)
        assert start.status_code == 302, start.json
        assert start.headers["Location"] == start.json["authorize_url"]
        return start.headers["Location"]

    def sign_in(self, as_user: str | None = None):
        """The owner's browser: start, consent at the fake, come back to the callback."""
        url = self.start()
        self.fake.store.user_oauth.browser_user = as_user
        try:
            answer = browser_visit(url, self.fake.ca_path)
        finally:
            self.fake.store.user_oauth.browser_user = None
        return self.client.get("/api/v1/auth/google/callback", query_string=answer)

    def sync(self) -> SyncSessionRecord:
        run_session(self.rt, self.mailbox_id, "forced", default_ports)
        with self.rt.db.session_scope() as s:
            record = s.scalars(select(SyncSessionRecord).where(SyncSessionRecord.mailbox_id == self.mailbox_id)
                               .order_by(SyncSessionRecord.id.desc())).first()
            s.expunge(record)
            return record

    def mailbox(self) -> dict:
        return self.client.get(f"/api/v1/mailboxes/{self.mailbox_id}", headers=self.headers).json

    def stored_refresh_token(self) -> str | None:
        with self.rt.db.session_scope() as s:
            return refresh_token(self.rt, s.get(Mailbox, self.mailbox_id))

    def meeting(self, summary: str, days: int) -> None:
        start = NOW + timedelta(days=days)
        self.fake.store.insert_event(self.address, {
            "summary": summary, "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "UTC"}})

    def sf_subjects(self) -> list[str]:
        return sorted(e["Subject"] for e in self.emu.records(self.sf_org, "Event"))


@pytest.fixture
def world(tmp_path, migrated_databases, redis_url, salesforce_emulator, google_fake):
    config = make_test_config(tmp_path, migrated_databases[0]["sqlite"], redis_url,
                              **emulator_overrides(salesforce_emulator)).with_overrides(
        google_ca_bundle=google_fake.ca_path, allowed_mail_hosts=("127.0.0.1",))
    app = create_app(config)
    _clean(app)
    yield OAuthWorld(app, salesforce_emulator, google_fake)
    app.extensions["syncline"].db.dispose()


def test_the_authorize_url_carries_googles_documented_parameters_and_a_pkce_challenge(world):
    assert world.use_user_oauth().json["auth_mode"] == "user_oauth"
    url = world.start()
    assert url.startswith(world.fake.auth_url + "?")
    params = dict(parse_qsl(urlsplit(url).query))
    assert params["client_id"] == world.client_id and params["redirect_uri"] == world.callback
    assert params["response_type"] == "code" and params["access_type"] == "offline"
    assert params["prompt"] == "consent" and params["include_granted_scopes"] == "true"
    assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
    assert params["login_hint"] == world.address
    assert params["scope"].split() == ["openid", "email", "https://www.googleapis.com/auth/calendar.events",
                                       "https://www.googleapis.com/auth/tasks",
                                       "https://www.googleapis.com/auth/contacts",
                                       "https://www.googleapis.com/auth/gmail.readonly",
                                       "https://www.googleapis.com/auth/gmail.labels"]
    assert "client_secret" not in url and world.secret not in url


def test_sign_in_syncs_then_a_revoked_grant_waits_for_a_new_sign_in_and_resumes(world):
    assert world.use_user_oauth().status_code == 200
    unsigned = world.sync()
    assert unsigned.status == "failed"
    assert world.mailbox()["status"] == "needs_reauth"
    assert "has not signed in with Google" in world.mailbox()["status_reason"]

    signed = world.sign_in()
    assert signed.status_code == 200, signed.json
    assert signed.json["status"] == "active"
    world.meeting("Kick-off", days=2)
    assert world.sync().status == "succeeded"
    assert world.sf_subjects() == ["Kick-off"]

    assert world.fake.store.user_oauth.revoke_user(world.address) == 1
    world.fake.store.tokens.clear()                 # Google also ends the access tokens of a removed grant
    world.meeting("Follow-up", days=3)
    failed = world.sync()
    assert failed.status == "failed"
    shown = world.mailbox()
    assert shown["status"] == "needs_reauth", shown
    assert "invalid_grant" in shown["status_reason"] and "sign in with Google again" in shown["status_reason"]

    again = world.sign_in()
    assert again.status_code == 200, again.json
    assert world.fake.store.user_oauth.authorize_requests[-1]["prompt"] == "consent"
    assert world.mailbox()["status"] == "active"
    assert world.sync().status == "succeeded"
    assert world.sf_subjects() == ["Follow-up", "Kick-off"]


def test_the_state_is_used_once_and_only_the_mailboxs_own_account_may_sign_in(world):
    world.use_user_oauth()
    stranger = world.fake.store.add_user(f"other-{world.address}")
    wrong = world.sign_in(as_user=stranger)
    assert wrong.status_code == 401
    assert f"signed in as {stranger}" in wrong.json["message"]
    assert world.stored_refresh_token() is None

    answer = browser_visit(world.start(), world.fake.ca_path)
    assert world.client.get("/api/v1/auth/google/callback", query_string=answer).status_code == 200
    replay = world.client.get("/api/v1/auth/google/callback", query_string=answer)
    assert replay.status_code == 401 and "already used" in replay.json["message"]

    world.fake.store.user_oauth.deny_next = True
    denied = world.sign_in()
    assert denied.status_code == 401 and "access_denied" in denied.json["message"]


def test_a_second_sign_in_without_consent_keeps_the_refresh_token_google_did_not_resend(world):
    world.use_user_oauth()
    assert world.sign_in().status_code == 200
    first = world.stored_refresh_token()
    assert first in world.fake.store.user_oauth.refresh_tokens
    params = dict(parse_qsl(urlsplit(world.start()).query))
    assert "prompt" not in params            # a grant is kept and the mailbox is active: no consent screen
    assert world.sign_in().status_code == 200
    assert world.stored_refresh_token() == first


def test_a_rotated_refresh_token_is_stored_before_the_next_session_needs_it(world):
    world.use_user_oauth()
    assert world.sign_in().status_code == 200
    first = world.stored_refresh_token()
    world.fake.store.user_oauth.rotate_refresh_tokens = True
    try:
        world.meeting("Rotation", days=4)
        assert world.sync().status == "succeeded"
        second = world.stored_refresh_token()
        assert second != first and second in world.fake.store.user_oauth.refresh_tokens
        assert first not in world.fake.store.user_oauth.refresh_tokens
        assert world.sync().status == "succeeded"
    finally:
        world.fake.store.user_oauth.rotate_refresh_tokens = False
    assert world.mailbox()["status"] == "active"


def test_bad_configuration_is_a_400_that_says_what_is_wrong(world):
    start = world.client.post(f"/api/v1/mailboxes/{world.mailbox_id}/google-sign-in", headers=world.headers)
    assert start.status_code == 400 and "user_oauth" in start.json["message"]
    lacking = world.client.put(f"{world.org}/server-profiles/{world.profile_id}/google-auth", headers=world.headers,
                               json={"auth_mode": "user_oauth"})
    assert lacking.status_code == 400 and "client_id and client_secret" in lacking.json["message"]
    unknown = world.client.put(f"{world.org}/server-profiles/{world.profile_id}/google-auth", headers=world.headers,
                               json={"auth_mode": "sometimes"})
    assert unknown.status_code == 400 and "auth_mode" in str(unknown.json)
    assert world.use_user_oauth(client_secret="GOCSPX-wrong").status_code == 200
    refused = world.sign_in()
    assert refused.status_code == 401 and "invalid_client" in refused.json["message"]
