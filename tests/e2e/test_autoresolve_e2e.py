"""Autoresolve end to end (real worker, Dovecot, Radicale, the Salesforce emulator): off by default;
when on, an unknown external sender or attendee gets a Lead (or a Contact and its Account), filled
from the signature, and the saved activity links to it with the reason; colleagues and blocklisted
addresses never get one; a duplicate rule's match is linked instead of a second record; undo
deletes what nobody touched and keeps the rest with the reason; one org never sees another's."""
from __future__ import annotations

from datetime import timedelta

from tests.e2e.helpers import NOW, Person, append_raw, dashboard, force_sync, put_event, sign_up

SIGNED = ("Hello,\r\n\r\nCould you send us the revised quote?\r\n\r\nBest regards,\r\n\r\nJane Doe\r\n"
          "Head of Procurement\r\nProspect Industries Ltd\r\nTel: +44 20 7946 0123\r\nwww.prospect-industries.test\r\n")


def _mail(person: Person, message_id: str, sender: str, cc: str = "", body: str = SIGNED) -> None:
    raw = (f"From: {sender}\r\nTo: {person.user.email}\r\n" + (f"Cc: {cc}\r\n" if cc else "")
           + f"Subject: Quote\r\nDate: {NOW.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\nMessage-ID: {message_id}\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + body).encode()
    append_raw(person, raw)


def _by_email(person: Person, sobject: str) -> dict[str, dict]:
    return {str(r.get("Email") or "").lower(): r for r in person.e2e.emu.records(person.sf_org, sobject)}


def _task(person: Person, subject: str = "Email: Quote") -> dict:
    [task] = [t for t in person.e2e.emu.records(person.sf_org, "Task") if t.get("Subject") == subject]
    return task


def _listed(person: Person, viewer: Person | None = None, **query) -> tuple[int, list | dict]:
    response = person.e2e.app.test_client().get(f"/api/v1/mailboxes/{person.mailbox_id}/autoresolved",
                                                query_string=query, headers=(viewer or person).headers)
    return response.status_code, response.json


def _undo(person: Person, session_id: int, viewer: Person | None = None):
    return person.e2e.app.test_client().post(f"/api/v1/mailboxes/{person.mailbox_id}/autoresolved/undo",
                                             json={"session_id": session_id}, headers=(viewer or person).headers)


def test_off_by_default_creates_nothing(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task")
    settings = e2e.app.test_client().get(f"/api/v1/orgs/{ann.user.org_id}/settings", headers=ann.headers).json
    assert settings["autoresolve"] == "off"
    _mail(ann, "<off-1@prospect-industries.test>", "jane.doe@prospect-industries.test")
    assert force_sync(ann)["status"] == "succeeded"
    assert "jane.doe@prospect-industries.test" not in _by_email(ann, "Lead")
    assert "jane.doe@prospect-industries.test" not in _by_email(ann, "Contact")
    assert _task(ann).get("WhoId") is None
    assert _listed(ann) == (200, [])


def test_settings_are_validated_with_a_clear_4xx(e2e, factory):
    ann = sign_up(e2e, factory)
    client, url = e2e.app.test_client(), f"/api/v1/orgs/{ann.user.org_id}/settings"
    for bad, field in (({"autoresolve": "sometimes"}, "autoresolve"),
                       ({"autoresolve_account_rule": "fixed"}, "autoresolve_account_id"),
                       ({"autoresolve_account_id": "003000000000001AAA"}, "autoresolve_account_id")):
        response = client.patch(url, json=bad, headers=ann.headers)
        assert response.status_code in (400, 422) and field in str(response.json), response.json
    fixed = {"autoresolve": "contacts", "autoresolve_account_rule": "fixed", "autoresolve_account_id": "001000000000001AAA"}
    assert client.patch(url, json=fixed, headers=ann.headers).json["autoresolve_account_rule"] == "fixed"


def test_unknown_sender_becomes_a_lead_from_the_signature_never_a_colleague_or_a_blocked_one(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="leads")
    colleague = f"pat@{ann.user.email.rpartition('@')[2]}"
    put = e2e.app.test_client().put("/api/v1/me/blocklist", json={"entries": ["@spam-co.test"]}, headers=ann.headers)
    assert put.status_code == 200, put.json
    _mail(ann, "<lead-1@prospect-industries.test>", "Jane Doe <jane.doe@prospect-industries.test>",
          cc=f"{colleague}, bot@spam-co.test")
    session = force_sync(ann)
    assert session["status"] == "succeeded"
    leads = _by_email(ann, "Lead")
    lead = leads["jane.doe@prospect-industries.test"]
    assert (lead["FirstName"], lead["LastName"], lead["Title"]) == ("Jane", "Doe", "Head of Procurement")
    assert lead["Company"] == "Prospect Industries Ltd" and "7946" in lead["Phone"]
    assert colleague not in leads and "bot@spam-co.test" not in leads
    assert colleague not in _by_email(ann, "Contact") and "bot@spam-co.test" not in _by_email(ann, "Contact")
    task = _task(ann)
    assert task["WhoId"] == lead["Id"]
    [item] = [i for i in dashboard(ann)["linked_items"] if i["record_id"] == task["Id"]]
    assert "who: autoresolved Lead jane.doe@prospect-industries.test (created)" in item["link_reasons"]
    status, listed = _listed(ann, session_id=session["id"])
    assert status == 200
    assert [(r["sobject"], r["record_id"], r["email"], r["status"]) for r in listed] == [
        ("Lead", lead["Id"], "jane.doe@prospect-industries.test", "created")]


def test_meeting_attendee_becomes_a_contact_with_an_account_by_domain(e2e, factory):
    ann = sign_up(e2e, factory, autoresolve="contacts")
    put_event(ann, "ar-meet-1", "Kick-off", NOW + timedelta(days=2), organizer=ann.user.email,
              attendees=(ann.user.email, "bob.smith@widgets-gmbh.test"))
    session = force_sync(ann)
    assert session["status"] == "succeeded"
    contact = _by_email(ann, "Contact")["bob.smith@widgets-gmbh.test"]
    assert (contact["FirstName"], contact["LastName"]) == ("Bob", "Smith")
    [account] = [a for a in e2e.emu.records(ann.sf_org, "Account") if a["Id"] == contact["AccountId"]]
    assert account["Website"] == "widgets-gmbh.test"
    [event] = [e for e in e2e.emu.records(ann.sf_org, "Event") if e.get("Subject") == "Kick-off"]
    assert (event["WhoId"], event["WhatId"]) == (contact["Id"], account["Id"])
    _, listed = _listed(ann, session_id=session["id"])
    assert sorted(r["sobject"] for r in listed) == ["Account", "Contact"]


def test_a_duplicate_rule_match_is_linked_never_a_second_record(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="leads")
    existing = e2e.emu.insert(ann.sf_org, "Lead", {"LastName": "Doe", "Company": "Prospect Industries Ltd",
                                                    "Email": "j.doe@old-address.test"})
    e2e.emu.add_duplicate_rule(ann.sf_org, "Lead", ("LastName", "Company"))
    _mail(ann, "<dup-1@prospect-industries.test>", "jane.doe@prospect-industries.test")
    session = force_sync(ann)
    assert session["status"] == "succeeded"
    assert [r["Id"] for r in e2e.emu.records(ann.sf_org, "Lead")] == [existing]
    task = _task(ann)
    assert task["WhoId"] == existing
    [item] = [i for i in dashboard(ann)["linked_items"] if i["record_id"] == task["Id"]]
    assert "who: autoresolved Lead jane.doe@prospect-industries.test (duplicate rule matched Lead)" in item["link_reasons"]
    assert _listed(ann) == (200, [])   # nothing created, nothing to undo


def test_undo_deletes_the_untouched_and_keeps_the_touched_with_the_reason(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="leads")
    _mail(ann, "<undo-1@prospect-industries.test>", "jane.doe@prospect-industries.test",
          cc="max.mustermann@other-firm.test", body="See you soon.\r\n")
    session = force_sync(ann)
    assert session["status"] == "succeeded"
    leads = _by_email(ann, "Lead")
    jane, max_ = leads["jane.doe@prospect-industries.test"], leads["max.mustermann@other-firm.test"]
    e2e.emu.update(ann.sf_org, "Lead", max_["Id"], {"Title": "CFO"})     # a salesperson edits one
    response = _undo(ann, session["id"])
    assert response.status_code == 200, response.json
    outcome = {r["email"]: r for r in response.json["records"]}
    assert (response.json["undone"], response.json["kept"]) == (1, 1)
    assert outcome["jane.doe@prospect-industries.test"]["status"] == "undone"
    assert outcome["max.mustermann@other-firm.test"]["status"] == "kept"
    assert "changed in Salesforce" in outcome["max.mustermann@other-firm.test"]["reason"]
    remaining = {r["Id"] for r in e2e.emu.records(ann.sf_org, "Lead")}
    assert jane["Id"] not in remaining and max_["Id"] in remaining
    assert _task(ann)["Id"]            # the saved email survives the undo
    assert _undo(ann, session["id"]).status_code == 404   # nothing left to undo
    events = e2e.app.test_client().get(f"/api/v1/orgs/{ann.user.org_id}/audit-events", headers=ann.headers).json
    assert any(e["action"] == "autoresolve.undone" for e in (events.get("items") if isinstance(events, dict) else events))
    _, listed = _listed(ann, session_id=session["id"])
    assert {r["email"]: r["status"] for r in listed} == {"jane.doe@prospect-industries.test": "undone",
                                                          "max.mustermann@other-firm.test": "kept"}


def test_one_org_never_sees_or_undoes_anothers(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="leads")
    eve = sign_up(e2e, factory, autoresolve="leads")
    _mail(ann, "<iso-1@prospect-industries.test>", "jane.doe@prospect-industries.test")
    session = force_sync(ann)
    assert session["status"] == "succeeded"
    assert _listed(ann, viewer=eve)[0] == 404
    assert _undo(ann, session["id"], viewer=eve).status_code == 404
    assert _listed(eve) == (200, [])
    assert "jane.doe@prospect-industries.test" in _by_email(ann, "Lead")
