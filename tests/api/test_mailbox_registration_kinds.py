"""Registering IMAP-only, DAV-only and separate-login mailboxes: what is accepted, and the 400s
that name the field when a registration does not fit its server profile."""
from __future__ import annotations

import json

import pytest


def _mailbox(client, headers, profile, **fields) -> int:
    created = client.post("/api/v1/mailboxes", headers=headers, json={
        "server_profile_id": profile.get_json()["id"], "address": "ann@acme.test", **fields})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def _profile(client, factory, endpoints: dict):
    org = factory.org()
    headers = factory.auth(factory.user(org, admin=True))
    response = client.post(f"/api/v1/orgs/{org.id}/server-profiles", headers=headers,
                           json={"name": "Mail", "kind": "imap", "endpoints": endpoints})
    return org, headers, response


@pytest.mark.parametrize("endpoints", [
    {"imap_host": "imap.example.com"},
    {"caldav_url": "https://dav.example.com/"},
    {"carddav_url": "https://dav.example.com/"},
    {"caldav_url": "https://dav.example.com/cal/", "carddav_url": "https://dav.example.com/card/"},
], ids=["imap-only", "calendar-only", "contacts-only", "dav-only"])
def test_an_imap_profile_may_name_any_part(client, factory, endpoints):
    _, _, response = _profile(client, factory, endpoints)
    assert response.status_code == 201, response.get_json()


def test_an_imap_profile_without_any_part_is_a_400_naming_them(client, factory):
    _, _, response = _profile(client, factory, {"imap_port": 993})
    body = response.get_json()
    assert response.status_code == 400
    assert "imap_host, dav_url, caldav_url, carddav_url" in body["errors"]["json"]["endpoints"][0]


def test_every_endpoint_of_a_dav_only_profile_passes_the_host_guard(client, factory):
    _, _, response = _profile(client, factory, {"caldav_url": "https://dav.example.com/",
                                                "carddav_url": "http://169.254.169.254/"})
    assert response.status_code == 400 and "carddav_url" in response.get_json()["errors"]["json"]["endpoints"]


def test_a_dav_login_on_an_imap_only_profile_is_a_400_naming_the_field(client, factory):
    org, headers, profile = _profile(client, factory, {"imap_host": "imap.example.com"})
    response = client.post("/api/v1/mailboxes", headers=headers, json={
        "server_profile_id": profile.get_json()["id"], "address": "ann@acme.test", "password": "imap-pw",
        "dav_password": "app-pw"})
    assert response.status_code == 400
    assert "caldav_url or carddav_url" in response.get_json()["errors"]["json"]["dav_password"][0]


def test_separate_dav_login_is_stored_apart_and_kept_when_the_imap_password_changes(client, factory, app):
    from app.models import Mailbox

    _, headers, profile = _profile(client, factory, {"imap_host": "imap.example.com",
                                                     "caldav_url": "https://dav.example.com/"})
    created = client.post("/api/v1/mailboxes", headers=headers, json={
        "server_profile_id": profile.get_json()["id"], "address": "ann@acme.test", "username": "ann",
        "password": "imap-pw", "dav_username": "ann-dav", "dav_password": "app-pw"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["username"], body["dav_username"], body["has_dav_password"]) == ("ann", "ann-dav", True)
    assert "app-pw" not in created.get_data(as_text=True)
    patched = client.patch(f"/api/v1/mailboxes/{body['id']}", headers=headers, json={"password": "new-imap-pw"})
    assert patched.status_code == 200 and patched.get_json()["has_dav_password"] is True
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        stored = json.loads(rt.secrets.decrypt(s.get(Mailbox, body["id"]).credentials_enc))
    assert stored == {"password": "new-imap-pw", "dav_password": "app-pw"}
    cleared = client.patch(f"/api/v1/mailboxes/{body['id']}", headers=headers,
                           json={"dav_username": None, "dav_password": None})
    assert (cleared.get_json()["dav_username"], cleared.get_json()["has_dav_password"]) == (None, False)


def test_moving_to_a_profile_with_dav_forgets_only_the_cursors_of_changed_servers(client, factory, app):
    from sqlalchemy import select

    from app.models import Mailbox, ServerProfile, SyncCursor

    org, headers, imap_only = _profile(client, factory, {"imap_host": "imap.example.com"})
    mailbox_id = _mailbox(client, headers, imap_only, password="pw")
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        s.add_all([SyncCursor(mailbox_id=mailbox_id, stream="mailbox:mail", cursor="m1"),
                   SyncCursor(mailbox_id=mailbox_id, stream="mailbox:calendar", cursor="stale")])
        both = ServerProfile(org_id=org.id, name="Both", kind="imap",
                             endpoints={"imap_host": "imap.example.com", "caldav_url": "https://dav.example.com/"})
        s.add(both)
        s.flush()
        both_id = both.id
    refused = client.patch(f"/api/v1/mailboxes/{mailbox_id}", headers=headers, json={"dav_password": "app-pw"})
    assert refused.status_code == 400 and "dav_password" in refused.get_json()["errors"]["json"]
    moved = client.patch(f"/api/v1/mailboxes/{mailbox_id}", headers=headers,
                         json={"server_profile_id": both_id, "dav_password": "app-pw"})
    assert moved.status_code == 200, moved.get_json()
    assert (moved.get_json()["server_profile"]["id"], moved.get_json()["has_dav_password"]) == (both_id, True)
    with rt.db.session_scope() as s:
        streams = set(s.scalars(select(SyncCursor.stream).where(SyncCursor.mailbox_id == mailbox_id)))
        assert s.get(Mailbox, mailbox_id).server_profile_id == both_id
    assert streams == {"mailbox:mail"}
    unknown = client.patch(f"/api/v1/mailboxes/{mailbox_id}", headers=headers, json={"server_profile_id": 99999})
    assert unknown.status_code == 400 and "server_profile_id" in unknown.get_json()["errors"]


def test_credentials_under_a_retired_key_still_show_and_can_be_replaced(client, factory, app):
    from cryptography.fernet import Fernet

    from app.models import Mailbox

    _, headers, profile = _profile(client, factory, {"caldav_url": "https://dav.example.com/"})
    mailbox_id = _mailbox(client, headers, profile, password="pw")
    rt = app.extensions["syncline"]
    with rt.db.session_scope() as s:
        s.get(Mailbox, mailbox_id).credentials_enc = Fernet(Fernet.generate_key()).encrypt(b"{}").decode()
    shown = client.get(f"/api/v1/mailboxes/{mailbox_id}", headers=headers)
    assert shown.status_code == 200 and shown.get_json()["has_dav_password"] is False
    replaced = client.patch(f"/api/v1/mailboxes/{mailbox_id}", headers=headers, json={"password": "new-pw"})
    assert replaced.status_code == 200, replaced.get_json()
    with rt.db.session_scope() as s:
        assert json.loads(rt.secrets.decrypt(s.get(Mailbox, mailbox_id).credentials_enc)) == {"password": "new-pw"}


def test_one_dav_url_serves_calendar_and_contacts_and_passes_the_host_guard(client, factory):
    _, _, response = _profile(client, factory, {"dav_url": "https://cloud.example.com/remote.php/dav/"})
    assert response.status_code == 201, response.get_json()
    endpoints = response.get_json()["endpoints"]
    assert endpoints == {"caldav_url": "https://cloud.example.com/remote.php/dav/",
                         "carddav_url": "https://cloud.example.com/remote.php/dav/"}
    _, _, refused = _profile(client, factory, {"dav_url": "http://10.0.0.8/dav/"})
    assert refused.status_code == 400 and "dav_url" in refused.get_json()["errors"]["json"]["endpoints"]
