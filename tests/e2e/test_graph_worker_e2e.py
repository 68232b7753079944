"""Office 365 through the REAL worker process: Graph fake ⇄ `python -m app worker` ⇄ Salesforce emulator,
set up as an admin would through the API, with not one invitation mailed."""
from __future__ import annotations

import secrets
from datetime import timedelta
from types import SimpleNamespace

from app.sync.transforms import parse_sf_datetime
from tests.e2e.helpers import NOW, force_sync

FMT = "%Y-%m-%dT%H:%M:%S"


def _office365_user(e2e, factory, **profile_fields):
    """An admin with an Office 365 mailbox on the fake; ``profile_fields`` (e.g. ``auth_mode``) go to the profile."""
    user, sf_org, sf_user = factory.salesforce_user(e2e.emu)
    client, headers = e2e.app.test_client(), factory.auth(user)
    client_id = f"app-{secrets.token_hex(3)}"
    e2e.graph.store.register_client(client_id, "worker-secret")
    e2e.graph.store.add_user(user.email)
    profile = client.post(f"/api/v1/orgs/{user.org_id}/server-profiles", headers=headers, json={
        "name": "Office 365", "kind": "graph", "client_secret": "worker-secret", **profile_fields,
        "endpoints": {"tenant_id": "contoso", "client_id": client_id, "authority_url": e2e.graph.authority_url,
                      "graph_url": e2e.graph.graph_url}})
    assert profile.status_code == 201, profile.json
    mailbox = client.post("/api/v1/mailboxes", headers=headers,
                          json={"server_profile_id": profile.json["id"], "address": user.email})
    assert mailbox.status_code == 201, mailbox.json
    return SimpleNamespace(e2e=e2e, user=user, sf_org=sf_org, sf_user=sf_user, headers=headers,
                           mailbox_id=mailbox.json["id"], client_id=client_id)


def test_a_worker_session_mirrors_an_office365_calendar_both_ways_without_mailing_anyone(e2e, factory):
    ann = _office365_user(e2e, factory)
    store, start = e2e.graph.store, NOW + timedelta(days=3)
    store.create_event(ann.user.email, {
        "subject": "Quarterly review", "start": {"dateTime": start.strftime(FMT), "timeZone": "UTC"},
        "end": {"dateTime": (start + timedelta(hours=1)).strftime(FMT), "timeZone": "UTC"},
        "attendees": [{"emailAddress": {"address": "buyer@fabrikam.test"}, "type": "required"}]})
    e2e.emu.insert(ann.sf_org, "Event", {
        "Subject": "Call from Salesforce", "OwnerId": ann.sf_user,
        "StartDateTime": (start + timedelta(days=1)).strftime(FMT + ".000+0000"),
        "EndDateTime": (start + timedelta(days=1, hours=1)).strftime(FMT + ".000+0000")})
    sent = len(store.outbox)
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    events = {e["Subject"]: e for e in e2e.emu.records(ann.sf_org, "Event")}
    assert parse_sf_datetime(events["Quarterly review"]["StartDateTime"]) == start
    outlook = {e["subject"]: e for e in store.mailbox(ann.user.email).events.values()}
    assert outlook["Call from Salesforce"]["attendees"] == []
    assert force_sync(ann)["status"] == "succeeded"
    assert len(store.outbox) == sent
    assert session["counts"]["mail"]["created"] == 0, session["counts"]      # no mail marked for Salesforce
