"""Google Workspace through the REAL worker process: Google fake ⇄ `python -m app worker` ⇄ Salesforce
emulator, set up as an admin would through the API (service-account key on a gmail profile), with
not one invitation mailed."""
from __future__ import annotations

import secrets
from datetime import timedelta
from types import SimpleNamespace

from app.sync.transforms import parse_sf_datetime
from tests.e2e.helpers import NOW, force_sync

FMT = "%Y-%m-%dT%H:%M:%S"


def _workspace_user(e2e, factory, endpoints: dict | None = None, **grant):
    """``grant``: register_service_account's ``scopes`` (the admin's grant; calendar by default);
    ``endpoints``: more of the profile's endpoints (e.g. its Gmail push topic)."""
    user, sf_org, sf_user = factory.salesforce_user(e2e.emu)
    client, headers = e2e.app.test_client(), factory.auth(user)
    key = e2e.google.store.register_service_account(f"sync-{secrets.token_hex(3)}@project.iam.gserviceaccount.com",
                                                    **grant)
    e2e.google.store.add_user(user.email)
    profile = client.post(f"/api/v1/orgs/{user.org_id}/server-profiles", headers=headers, json={
        "name": "Workspace", "kind": "gmail", "service_account_key": key,
        "endpoints": {"google_api_url": e2e.google.api_root, "google_token_url": e2e.google.token_uri,
                      **(endpoints or {})}})
    assert profile.status_code == 201, profile.json
    assert "service_account_key" not in profile.json
    mailbox = client.post("/api/v1/mailboxes", headers=headers,
                          json={"server_profile_id": profile.json["id"], "address": user.email})
    assert mailbox.status_code == 201, mailbox.json
    return SimpleNamespace(e2e=e2e, user=user, sf_org=sf_org, sf_user=sf_user, headers=headers,
                           mailbox_id=mailbox.json["id"], profile_id=profile.json["id"], key=key)


def _event(summary: str, start, **extra) -> dict:
    return {"summary": summary, "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "UTC"}, **extra}


def test_a_worker_session_mirrors_a_google_calendar_both_ways_without_mailing_anyone(e2e, factory):
    ann = _workspace_user(e2e, factory)
    store, start = e2e.google.store, NOW + timedelta(days=3)
    store.insert_event(ann.user.email, _event("Quarterly review", start,
                                              attendees=[{"email": "buyer@fabrikam.test"}]))
    e2e.emu.insert(ann.sf_org, "Event", {
        "Subject": "Call from Salesforce", "OwnerId": ann.sf_user,
        "StartDateTime": (start + timedelta(days=1)).strftime(FMT + ".000+0000"),
        "EndDateTime": (start + timedelta(days=1, hours=1)).strftime(FMT + ".000+0000")})
    seeded, mailed = len(store.writes), len(store.outbox)
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    events = {e["Subject"]: e for e in e2e.emu.records(ann.sf_org, "Event")}
    assert parse_sf_datetime(events["Quarterly review"]["StartDateTime"]) == start
    google = {e["summary"]: e for e in store.calendar(ann.user.email).events.values()}
    assert "attendees" not in google["Call from Salesforce"]
    writes = len(store.writes)
    again = force_sync(ann)
    assert again["status"] == "succeeded", again
    assert len(store.writes) == writes            # the second session changes nothing in Google
    assert len(e2e.emu.records(ann.sf_org, "Event")) == 2
    assert [w["sendUpdates"] for w in store.writes[seeded:]] == ["none"]     # the one insert the product made
    assert len(store.outbox) == mailed
    assert session["counts"]["mail"]["created"] == 0, session["counts"]        # no labelled mail yet


def test_an_expired_sync_token_still_finds_a_deletion_made_in_the_gap(e2e, factory):
    ann = _workspace_user(e2e, factory)
    store, start = e2e.google.store, NOW + timedelta(days=5)
    gone = store.insert_event(ann.user.email, _event("Cancelled lunch", start))
    store.insert_event(ann.user.email, _event("Kept meeting", start + timedelta(hours=3)))
    assert force_sync(ann)["status"] == "succeeded"
    assert {e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event")} == {"Cancelled lunch", "Kept meeting"}
    store.delete_event(ann.user.email, gone["id"], None, "none")
    store.expire_sync_tokens()
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert {e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event")} == {"Kept meeting"}


def test_a_refused_grant_waits_for_a_new_key_and_then_resumes(e2e, factory):
    ann = _workspace_user(e2e, factory)
    client = e2e.app.test_client()
    e2e.google.store.revoke_service_account(ann.key["client_email"])
    session = force_sync(ann)
    assert session["status"] == "failed", session
    mailbox = client.get(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers).json
    assert mailbox["status"] == "needs_reauth", mailbox
    assert "invalid_grant" in (mailbox["status_reason"] or ""), mailbox
    fresh = e2e.google.store.register_service_account(ann.key["client_email"])
    stored = client.put(f"/api/v1/orgs/{ann.user.org_id}/server-profiles/{ann.profile_id}/service-account-key",
                        headers=ann.headers, json={"service_account_key": fresh})
    assert stored.status_code == 200, stored.json
    assert client.get(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers).json["status"] == "active"
    assert force_sync(ann)["status"] == "succeeded"


def test_a_quota_storm_ends_the_session_for_a_later_retry_and_nothing_is_duplicated(e2e, factory):
    ann = _workspace_user(e2e, factory)
    store, start = e2e.google.store, NOW + timedelta(days=6)
    store.insert_event(ann.user.email, _event("Board meeting", start))
    store.throttle(10_000, status=403)
    try:
        stormy = force_sync(ann)
    finally:
        store.throttle(0)
    assert stormy["status"] != "succeeded", stormy
    assert "rateLimitExceeded" in str(stormy), stormy
    mailbox = e2e.app.test_client().get(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers).json
    assert mailbox["status"] == "active", mailbox
    assert force_sync(ann)["status"] == "succeeded"
    assert force_sync(ann)["status"] == "succeeded"
    assert [e["Subject"] for e in e2e.emu.records(ann.sf_org, "Event")] == ["Board meeting"]
