"""Per-user Google sign-in through the REAL worker process: Google fake ⇄ `python -m app worker` ⇄
Salesforce emulator, a small org without domain-wide delegation: sign-in → sync → the user revokes
the app's access → needs_reauth at the first failed session → new sign-in → the next sync succeeds."""
from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

from tests.e2e.helpers import NOW, force_sync
from tests.integration.graph.auth_helpers import browser_visit


def _signed_up(e2e, factory):
    user, sf_org, sf_user = factory.salesforce_user(e2e.emu)
    client, headers = e2e.app.test_client(), factory.auth(user)
    address = e2e.google.store.add_user(user.email)
    callback = e2e.app.extensions["syncline"].config.public_url + "/api/v1/auth/google/callback"
    client_id, secret = e2e.google.store.user_oauth.register_client((callback,))
    profile = client.post(f"/api/v1/orgs/{user.org_id}/server-profiles", headers=headers, json={
        "name": "Google (per user)", "kind": "gmail",
        "endpoints": {"google_api_url": e2e.google.api_root, "google_token_url": e2e.google.token_uri,
                      "google_auth_url": e2e.google.auth_url}})
    assert profile.status_code == 201, profile.json
    mode = client.put(f"/api/v1/orgs/{user.org_id}/server-profiles/{profile.json['id']}/google-auth",
                      headers=headers, json={"auth_mode": "user_oauth", "client_id": client_id, "client_secret": secret})
    assert mode.status_code == 200 and mode.json["auth_mode"] == "user_oauth", mode.json
    assert secret not in str(mode.json)
    mailbox = client.post("/api/v1/mailboxes", headers=headers,
                          json={"server_profile_id": profile.json["id"], "address": user.email})
    assert mailbox.status_code == 201, mailbox.json
    return SimpleNamespace(e2e=e2e, user=user, sf_org=sf_org, headers=headers, address=address,
                           mailbox_id=mailbox.json["id"], client=client)


def _sign_in(ann) -> dict:
    start = ann.client.post(f"/api/v1/mailboxes/{ann.mailbox_id}/google-sign-in", headers=ann.headers)
    assert start.status_code == 200, start.json
    answer = ann.client.get("/api/v1/auth/google/callback",
                            query_string=browser_visit(start.json["authorize_url"], ann.e2e.google.ca_path))
    assert answer.status_code == 200, answer.json
    return answer.json


def _meeting(ann, summary: str, days: int) -> None:
    start = NOW + timedelta(days=days)
    ann.e2e.google.store.insert_event(ann.address, {
        "summary": summary, "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "UTC"}})


def test_a_revoked_sign_in_waits_for_the_owner_and_the_next_sync_after_a_new_sign_in_succeeds(e2e, factory):
    ann = _signed_up(e2e, factory)
    assert _sign_in(ann)["status"] == "active"
    _meeting(ann, "Discovery call", days=2)
    assert force_sync(ann)["status"] == "succeeded"
    assert [e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event")] == ["Discovery call"]

    assert e2e.google.store.user_oauth.revoke_user(ann.address) == 1
    e2e.google.store.tokens.clear()                 # removing the app's access also ends its access tokens
    _meeting(ann, "Pricing review", days=3)
    failed = force_sync(ann)
    assert failed["status"] == "failed", failed
    shown = ann.client.get(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers).json
    assert shown["status"] == "needs_reauth" and "invalid_grant" in shown["status_reason"], shown

    assert _sign_in(ann)["status"] == "active"
    assert force_sync(ann)["status"] == "succeeded"
    assert sorted(e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event")) == ["Discovery call", "Pricing review"]
