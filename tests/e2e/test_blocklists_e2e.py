"""Blocklists end to end (real worker, Dovecot, emulator): a /regular expression/ entry keeps an
address out of every Salesforce query and link; a thread auto-save whose only external participants
are blocked is skipped with the reason on the dashboard, while tagging the same mail still saves it."""
from __future__ import annotations

from datetime import timedelta

from imapclient import IMAPClient

from app.sync.email_rules import BLOCKED_AUTOSAVE
from tests.e2e.helpers import NOW, Person, force_sync, put_event, sign_up
from tests.e2e.test_email_saves_e2e import _append, _client_contact


def _block(person: Person, *entries: str) -> None:
    response = person.e2e.app.test_client().put("/api/v1/me/blocklist", json={"entries": list(entries)},
                                                headers=person.headers)
    assert response.status_code == 200, response.json


def _robot_contact(person: Person, account: str) -> str:
    return person.e2e.emu.insert(person.sf_org, "Contact", {"LastName": "Robot", "Email": "NoReply@customer.test",
                                                            "AccountId": account})


def _emails(person: Person) -> dict[str, dict]:
    return {m["MessageIdentifier"]: m for m in person.e2e.emu.records(person.sf_org, "EmailMessage")}


def _relations(person: Person, email_id: str) -> set[str]:
    return {r["RelationId"] for r in person.e2e.emu.records(person.sf_org, "EmailMessageRelation")
            if r["EmailMessageId"] == email_id}


def _queries(person: Person) -> str:
    """The SOQL/SOSL the org was asked (a saved record's own fields carry the address, as they should)."""
    lines = person.e2e.emu.requests_text(person.sf_org).lower().splitlines()
    return "\n".join(line for line in lines if "select " in line or "find {" in line)


def _tag(person: Person, message_id: str) -> None:
    client = IMAPClient("127.0.0.1", person.e2e.dovecot.port, ssl=False)
    try:
        client.login(person.dav.username, person.dav.password)
        client.select_folder("INBOX")
        client.add_flags(client.search(["HEADER", "Message-ID", message_id]), ["Salesforce"])
    finally:
        client.logout()


def test_regex_entry_keeps_the_address_out_of_queries_and_links_but_a_tagged_mail_still_saves(e2e, factory):
    ann = sign_up(e2e, factory)
    account, client_contact = _client_contact(ann)
    robot = _robot_contact(ann, account)
    _block(ann, "/^noreply@/i")
    _append(ann, "<robot-1@customer.test>", "NOREPLY@customer.test", ann.user.email,
            extra="Cc: client@customer.test\r\n", flags=("Salesforce",))
    assert force_sync(ann)["status"] == "succeeded"
    email = _emails(ann)["<robot-1@customer.test>"]
    assert robot not in _relations(ann, email["Id"]) and client_contact in _relations(ann, email["Id"])
    assert "client@customer.test" in _queries(ann) and "noreply@customer.test" not in _queries(ann)


def test_thread_autosave_with_only_blocked_externals_is_skipped_with_the_reason_until_tagged(e2e, factory):
    ann = sign_up(e2e, factory)
    account, _ = _client_contact(ann)
    robot = _robot_contact(ann, account)
    _block(ann, r"/^no-?reply@customer\.test$/")
    assert e2e.app.test_client().put("/api/v1/thread-autosaves/<thread-b@customer.test>", json={},
                                     headers=ann.headers).status_code == 204
    _append(ann, "<robot-2@customer.test>", "noreply@customer.test", ann.user.email,
            extra="References: <thread-b@customer.test>\r\n")
    _append(ann, "<human-2@customer.test>", "client@customer.test", ann.user.email,
            extra="References: <thread-b@customer.test>\r\n")
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert set(_emails(ann)) == {"<human-2@customer.test>"}
    assert session["counts"]["mail"]["skipped_because"] == {BLOCKED_AUTOSAVE: 1}

    _tag(ann, "<robot-2@customer.test>")        # the user's explicit choice: saved, the robot not linked
    assert force_sync(ann)["status"] == "succeeded"
    email = _emails(ann)["<robot-2@customer.test>"]
    assert robot not in _relations(ann, email["Id"]) and not email.get("RelatedToId")
    assert "client@customer.test" in _queries(ann) and "noreply@customer.test" not in _queries(ann)


def test_org_regex_entry_keeps_an_attendee_out_of_the_events_links_relations_and_queries(e2e, factory):
    ann = sign_up(e2e, factory)
    account, client_contact = _client_contact(ann)
    robot = _robot_contact(ann, account)
    response = e2e.app.test_client().put(f"/api/v1/orgs/{ann.user.org_id}/blocklist", headers=ann.headers,
                                         json={"entries": [r"/^no-?reply@/"]})
    assert response.status_code == 200, response.json
    put_event(ann, "e2e-blocked-attendee", "Demo", NOW + timedelta(days=2), organizer=ann.user.email,
              attendees=(ann.user.email, "NoReply@customer.test", "client@customer.test"))
    assert force_sync(ann)["status"] == "succeeded"
    [event] = e2e.emu.records(ann.sf_org, "Event")
    assert (event["WhoId"], event["WhatId"]) == (client_contact, account)
    related = {r["RelationId"] for r in e2e.emu.records(ann.sf_org, "EventRelation") if r["EventId"] == event["Id"]}
    assert robot not in related
    assert "client@customer.test" in _queries(ann) and "noreply@customer.test" not in _queries(ann)
