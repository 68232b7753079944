"""Expired sessions, refresh-token rotation and revocation, against the emulator's OAuth server."""
from __future__ import annotations

import threading

import pytest

from app.providers.salesforce.errors import ReauthorizationRequired


def _http_statuses(client) -> list:
    seen: list = []
    client.sf.session.hooks["response"].append(lambda r, *a, **k: seen.append(r.status_code))
    return seen


def test_expired_session_refreshes_once_and_retries_the_call(world):
    client = world.client()
    world.emu.faults.expire_sessions()
    sent = _http_statuses(client)
    assert client.query_page("SELECT Id FROM User")["totalSize"] == 1
    assert sent == [401, 200]
    stored = world.rt.secrets.decrypt(world.connection().access_token_enc)
    assert stored != world.tokens["access_token"] and stored == client.sf.session_id
    assert world.connection().status == "connected"


def test_rotated_refresh_token_is_stored_encrypted_before_use(world):
    world.emu.oauth.rotate_refresh_tokens = True
    client = world.client()
    world.emu.faults.expire_sessions()
    client.query_page("SELECT Id FROM User")
    row = world.connection()
    rotated = world.rt.secrets.decrypt(row.refresh_token_enc)
    assert rotated != world.tokens["refresh_token"]
    assert rotated not in row.refresh_token_enc           # encrypted at rest
    # the old refresh token is dead now; the stored one keeps the connection alive
    world.emu.faults.expire_sessions()
    assert world.client().query_page("SELECT Id FROM User")["totalSize"] == 1
    assert world.connection().status == "connected"


def test_revoked_refresh_token_marks_needs_reauth_and_stops(world):
    client = world.client()
    world.emu.faults.revoke_refresh_token(world.tokens["refresh_token"])
    sent = _http_statuses(client)
    with pytest.raises(ReauthorizationRequired):
        client.query_page("SELECT Id FROM User")
    assert sent == [401]                                  # no retry loop after invalid_grant
    row = world.connection()
    assert row.status == "needs_reauth" and "invalid_grant" in row.status_reason
    assert world.tokens["refresh_token"] not in row.status_reason
    assert world.tokens["access_token"] not in row.status_reason
    with pytest.raises(ReauthorizationRequired):          # later jobs stop before the network
        world.client()


def test_concurrent_expired_sessions_share_one_refresh(world):
    """With rotation, a second refresh of the old token would fail: both calls must still succeed."""
    world.emu.oauth.rotate_refresh_tokens = True
    clients = [world.client(), world.client()]
    world.emu.faults.expire_sessions()
    errors: list = []

    def run(c):
        try:
            c.query_page("SELECT Id FROM User")
        except Exception as exc:  # noqa: BLE001 - collected for the assertion
            errors.append(exc)
    threads = [threading.Thread(target=run, args=(c,)) for c in clients]
    [t.start() for t in threads]
    [t.join(30) for t in threads]
    assert errors == [] and world.connection().status == "connected"
    assert clients[0].sf.session_id == clients[1].sf.session_id


def test_a_second_401_after_the_refresh_marks_needs_reauth(world):
    from app.providers.salesforce.client import SalesforceClient
    from app.providers.salesforce.connect import api_budget
    from app.providers.salesforce.tokens import ConnectionTokens
    from tests.providers.salesforce.conftest import FAST_RETRY

    class SessionsDieAgain(ConnectionTokens):
        def refresh(self, stale_token: str) -> str:
            token = super().refresh(stale_token)
            world.emu.faults.expire_sessions()          # an admin ends every session again
            return token

    tokens = SessionsDieAgain(world.rt, world.connection_id)
    client = SalesforceClient(world.rt.config, tokens, api_budget(world.rt, tokens.org_pk), retry=FAST_RETRY)
    world.emu.faults.expire_sessions()
    sent = _http_statuses(client)
    with pytest.raises(ReauthorizationRequired):
        client.query_page("SELECT Id FROM User")
    assert sent == [401, 401] and world.connection().status == "needs_reauth"
