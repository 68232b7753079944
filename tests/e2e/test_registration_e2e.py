"""Mailbox registration fits real accounts, end to end (API, real worker, Radicale, Dovecot, the
Salesforce emulator): DAV-only, IMAP-only, separate IMAP and DAV logins, a calendar server without
task lists; and widening the sync window backfills what it had skipped, both directions."""
from __future__ import annotations

import secrets
from datetime import timedelta

from app.sync.transforms import format_sf_datetime
from sandbox.mailservers.radicale import DavAccount
from tests.e2e.conftest import E2E
from tests.e2e.helpers import NOW, Person, append_tagged_mail, dashboard, force_sync, put_event

NOT_AVAILABLE = "not available on this server"


def _dav_endpoints(e2e: E2E) -> dict:
    dav = e2e.radicale.base_url + "/"
    return {"caldav_url": dav, "carddav_url": dav}


def _imap_endpoints(e2e: E2E) -> dict:
    return {"imap_host": "127.0.0.1", "imap_port": e2e.dovecot.port, "imap_tls": False}


def _dav_account(e2e: E2E, components: tuple[str, ...] = ("VEVENT", "VTODO")) -> DavAccount:
    dav = e2e.radicale.add_user(f"d{secrets.token_hex(4)}", secrets.token_urlsafe(10))
    dav.make_calendar("calendar", components)
    dav.make_addressbook("contacts")
    return dav


def _mail_account(e2e: E2E) -> tuple[str, str]:
    login, password = f"m{secrets.token_hex(4)}", secrets.token_urlsafe(10)
    e2e.dovecot.add_user(login, password)
    return login, password


def _register(e2e: E2E, factory, endpoints: dict, login: dict, dav: DavAccount | None = None,
              **org_settings) -> Person:
    """Through the API, as an admin would: a server profile, settings, then the mailbox."""
    user, sf_org, sf_user = factory.salesforce_user(e2e.emu)
    headers, client = factory.auth(user), e2e.app.test_client()
    if org_settings:
        response = client.patch(f"/api/v1/orgs/{user.org_id}/settings", json=org_settings, headers=headers)
        assert response.status_code == 200, response.json
    profile = client.post(f"/api/v1/orgs/{user.org_id}/server-profiles", headers=headers,
                          json={"name": f"p{secrets.token_hex(3)}", "kind": "imap", "endpoints": endpoints})
    assert profile.status_code == 201, profile.json
    mailbox = client.post("/api/v1/mailboxes", headers=headers,
                          json={"server_profile_id": profile.json["id"], "address": user.email, **login})
    assert mailbox.status_code == 201, mailbox.json
    return Person(e2e, user, sf_org, sf_user, dav, headers, mailbox.json["id"])  # type: ignore[arg-type]


def _subjects(person: Person, sobject: str = "Event") -> list[str]:
    return sorted(r.get("Subject") for r in person.e2e.emu.records(person.sf_org, sobject))


def _saved_emails(person: Person) -> list[str]:
    return [m["MessageIdentifier"] for m in person.e2e.emu.records(person.sf_org, "EmailMessage")]


def test_dav_only_account_syncs_its_calendar_and_shows_mail_as_not_available(e2e, factory):
    dav = _dav_account(e2e)
    ann = _register(e2e, factory, _dav_endpoints(e2e), {"username": dav.username, "password": dav.password}, dav)
    put_event(ann, "dav-only-1", "Calendar-only account", NOW + timedelta(days=2))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert _subjects(ann) == ["Calendar-only account"]
    assert session["counts"]["mail"]["unavailable"].startswith(NOT_AVAILABLE)
    folders = dashboard(ann)["folders"]
    assert folders["mail"]["state"] == NOT_AVAILABLE and "imap_host" in folders["mail"]["reason"]
    assert {folders[k]["state"] for k in ("calendar", "tasks", "contacts")} == {"synced"}


def test_imap_only_account_saves_tagged_mail_and_shows_dav_folders_as_not_available(e2e, factory):
    login, password = _mail_account(e2e)
    ann = _register(e2e, factory, _imap_endpoints(e2e), {"username": login, "password": password})
    append_tagged_mail(ann, "<imap-only-1@customer.test>", login=(login, password))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert _saved_emails(ann) == ["<imap-only-1@customer.test>"]
    assert {session["counts"][k]["unavailable"].split(":")[0] for k in ("calendar", "tasks", "contacts")} == {
        NOT_AVAILABLE}
    folders = dashboard(ann)["folders"]
    assert folders["mail"]["state"] == "synced"
    assert {folders[k]["state"] for k in ("calendar", "tasks", "contacts")} == {NOT_AVAILABLE}
    assert dashboard(ann)["mailbox"]["consecutive_failures"] == 0


def test_separate_imap_and_dav_logins_each_reach_their_server(e2e, factory):
    dav = _dav_account(e2e)
    login, password = _mail_account(e2e)
    assert (login, password) != (dav.username, dav.password)
    ann = _register(e2e, factory, {**_imap_endpoints(e2e), **_dav_endpoints(e2e)},
                    {"username": login, "password": password, "dav_username": dav.username,
                     "dav_password": dav.password}, dav)
    shown = e2e.app.test_client().get(f"/api/v1/mailboxes/{ann.mailbox_id}", headers=ann.headers).json
    assert (shown["username"], shown["dav_username"], shown["has_dav_password"]) == (login, dav.username, True)
    put_event(ann, "separate-1", "Two logins", NOW + timedelta(days=1))
    append_tagged_mail(ann, "<separate-1@customer.test>", login=(login, password))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert _subjects(ann) == ["Two logins"] and _saved_emails(ann) == ["<separate-1@customer.test>"]


def test_a_calendar_server_without_task_lists_syncs_events_and_shows_tasks_as_not_available(e2e, factory):
    dav = _dav_account(e2e, components=("VEVENT",))
    ann = _register(e2e, factory, _dav_endpoints(e2e), {"username": dav.username, "password": dav.password}, dav)
    put_event(ann, "no-tasks-1", "Events only", NOW + timedelta(days=3))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert _subjects(ann) == ["Events only"]
    assert "VTODO" in session["counts"]["tasks"]["unavailable"]
    assert dashboard(ann)["folders"]["tasks"]["state"] == NOT_AVAILABLE


def test_widening_the_window_backfills_old_and_far_meetings_and_salesforce_events(e2e, factory):
    dav = _dav_account(e2e)
    login, password = _mail_account(e2e)
    ann = _register(e2e, factory, {**_imap_endpoints(e2e), **_dav_endpoints(e2e)},
                    {"username": login, "password": password, "dav_username": dav.username,
                     "dav_password": dav.password}, dav)
    put_event(ann, "old-meeting", "Old meeting", NOW - timedelta(days=30))
    put_event(ann, "far-meeting", "Far meeting", NOW + timedelta(days=90))
    _sf_event(ann, "Old Salesforce event", NOW - timedelta(days=25))
    _sf_event(ann, "Far Salesforce event", NOW + timedelta(days=100))
    for _ in range(2):   # the second session's deltas are empty: nothing changed
        assert force_sync(ann)["status"] == "succeeded"
    assert _subjects(ann) == ["Far Salesforce event", "Old Salesforce event"]
    assert sorted(i.subject for i in ann.calendar_items()) == ["Far meeting", "Old meeting"]

    response = e2e.app.test_client().patch(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers,
                                           json={"calendar_days_back": 45, "calendar_days_ahead": 120})
    assert response.status_code == 200, response.json
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    everything = ["Far Salesforce event", "Far meeting", "Old Salesforce event", "Old meeting"]
    assert _subjects(ann) == everything
    assert sorted(i.subject for i in ann.calendar_items()) == everything

    response = e2e.app.test_client().patch(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers,
                                           json={"calendar_days_back": 7, "calendar_days_ahead": 30})
    assert response.status_code == 200, response.json
    assert force_sync(ann)["status"] == "succeeded"     # narrowing deletes nothing
    assert _subjects(ann) == everything and len(ann.calendar_items()) == 4


def _sf_event(person: Person, subject: str, start) -> None:
    """An Event the user made in Salesforce."""
    person.e2e.emu.insert(person.sf_org, "Event", {
        "Subject": subject, "OwnerId": person.sf_user, "StartDateTime": format_sf_datetime(start),
        "EndDateTime": format_sf_datetime(start + timedelta(hours=1)), "IsAllDayEvent": False})
