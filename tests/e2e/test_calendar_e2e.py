"""Calendar mirroring end to end: CalDAV (Radicale) ⇄ worker process ⇄ Salesforce (emulator)."""
from __future__ import annotations

from datetime import timedelta

from app.sync.transforms import parse_sf_datetime
from tests.e2e.helpers import NOW, delete_event, force_sync, put_event, sign_up


def _events(person) -> list[dict]:
    return person.e2e.emu.records(person.sf_org, "Event")


def test_meeting_created_in_caldav_becomes_an_event_and_edits_and_deletes_flow_both_ways(e2e, factory):
    ann = sign_up(e2e, factory)
    start = NOW + timedelta(days=2)
    put_event(ann, "e2e-board", "Board meeting", start)
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    [event] = _events(ann)
    assert (event["Subject"], event["Location"], event["OwnerId"]) == ("Board meeting", "Room 7", ann.sf_user)
    assert parse_sf_datetime(event["StartDateTime"]) == start
    assert parse_sf_datetime(event["EndDateTime"]) == start + timedelta(hours=1)
    assert session["counts"]["calendar"]["created"] == 1

    e2e.emu.faults.clear()
    client = _admin_client(ann)
    client.restful(f"sobjects/Event/{event['Id']}", "PATCH", json={"Subject": "Board meeting (moved)"})
    assert force_sync(ann)["status"] == "succeeded"
    assert [i.subject for i in ann.calendar_items()] == ["Board meeting (moved)"]

    delete_event(ann, "e2e-board")
    force_sync(ann)
    assert _events(ann) == []

    put_event(ann, "e2e-other", "Deleted in Salesforce", start + timedelta(days=1))
    force_sync(ann)
    [other] = _events(ann)
    client.restful(f"sobjects/Event/{other['Id']}", "DELETE")
    force_sync(ann)
    assert ann.calendar_items() == []


def test_two_users_sharing_a_meeting_produce_one_event(e2e, factory):
    ann = sign_up(e2e, factory)
    bob = sign_up(e2e, factory, sf_org=ann.sf_org)
    start = NOW + timedelta(days=3)
    for person in (ann, bob):
        put_event(person, "shared-pricing-call", "Pricing call", start, organizer=ann.user.email,
                  attendees=(ann.user.email, bob.user.email))
    assert force_sync(ann)["status"] == "succeeded"
    bob_session = force_sync(bob)
    assert bob_session["status"] == "succeeded", bob_session
    [event] = _events(ann)
    assert event["Subject"] == "Pricing call"


def _admin_client(person):
    """The user's own Salesforce client (playing the user editing in Salesforce)."""
    from app.providers.salesforce.connect import connect_org

    return connect_org(person.e2e.rt, person.user.org_id)


def test_meeting_saved_from_the_sidebar_gets_the_chosen_links_after_the_sync(e2e, factory):
    ann = sign_up(e2e, factory)
    account = e2e.emu.insert(ann.sf_org, "Account", {"Name": "Globex"})
    contact = e2e.emu.insert(ann.sf_org, "Contact", {"LastName": "Doe", "Email": "jane@globex.test",
                                                     "AccountId": account})
    client = e2e.app.test_client()
    queued = client.post("/api/v1/meeting-saves", headers=ann.headers,
                         json={"ical_uid": "e2e-globex-review", "who_ids": [contact], "what_id": account})
    assert queued.status_code == 202, queued.get_json()
    put_event(ann, "e2e-globex-review", "Globex review", NOW + timedelta(days=4))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert session["counts"]["meetings"]["updated"] == 1
    [event] = _events(ann)
    assert (event["WhoId"], event["WhatId"]) == (contact, account)
