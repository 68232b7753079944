"""The sidebar's Save now with the org's autoresolve on (API, the Salesforce emulator, Dovecot for
the engine's later save of the same message): the unknown external participants get a Lead or a
Contact through the engine's path — filled from the signature, never for a colleague or a
blocklisted address, an existing person found by the look-up instead of a second one, a duplicate
rule's match linked — the save links them beside the user's chosen Names, lists them in the
autoresolved log (no session) and undo by record id removes them while the saved email stays."""
from __future__ import annotations

from tests.e2e.helpers import NOW, Person, append_raw, force_sync, sign_up
from tests.e2e.test_autoresolve_e2e import SIGNED, _by_email, _listed

JANE = "jane.doe@prospect-industries.test"


def _item(person: Person, message_id: str, sender: str = JANE, cc: tuple[str, ...] = (), body: str = SIGNED) -> dict:
    return {"message_id": message_id, "subject": "Quote", "from": {"email": sender, "name": "Jane Doe"},
            "to": [{"email": person.user.email}], "cc": [{"email": c} for c in cc],
            "date": NOW.isoformat(), "body_text": body.replace("\r\n", "\n")}


def _save(person: Person, item: dict, who_ids: list[str] | None = None, what_id: str | None = None):
    return person.e2e.app.test_client().post("/api/v1/saved-emails", headers=person.headers, json={
        "item": item, "who_ids": who_ids or [], "what_id": what_id, "subject": None, "description": None,
        "attachments": []})


def _undo(person: Person, record_ids: list[str]):
    return person.e2e.app.test_client().post(f"/api/v1/mailboxes/{person.mailbox_id}/autoresolved/undo",
                                             json={"record_ids": record_ids}, headers=person.headers)


def _record(person: Person, sobject: str, record_id: str) -> dict:
    [found] = [r for r in person.e2e.emu.records(person.sf_org, sobject) if r["Id"] == record_id]
    return found


def test_save_now_creates_the_unknown_sender_as_the_engine_does_and_undo_by_record_removes_it(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="leads")
    colleague = f"pat@{ann.user.email.rpartition('@')[2]}"
    put = e2e.app.test_client().put("/api/v1/me/blocklist", json={"entries": ["@spam-co.test"]}, headers=ann.headers)
    assert put.status_code == 200, put.json
    response = _save(ann, _item(ann, "<sb-1@prospect-industries.test>", cc=(colleague, "bot@spam-co.test")))
    assert response.status_code == 201, response.json
    leads = _by_email(ann, "Lead")
    lead = leads[JANE]
    assert (lead["FirstName"], lead["LastName"], lead["Title"], lead["Company"]) == (
        "Jane", "Doe", "Head of Procurement", "Prospect Industries Ltd")
    assert colleague not in leads and "bot@spam-co.test" not in leads
    assert response.json["autoresolved"] == [{"sobject": "Lead", "record_id": lead["Id"], "email": JANE}]
    task = _record(ann, "Task", response.json["record_id"])
    assert task["WhoId"] == lead["Id"]
    status, listed = _listed(ann)
    assert status == 200 and [(r["session_id"], r["record_id"], r["status"]) for r in listed] == [
        (None, lead["Id"], "created")]
    undone = _undo(ann, [lead["Id"]])
    assert undone.status_code == 200, undone.json
    assert (undone.json["undone"], undone.json["kept"]) == (1, 0)
    assert JANE not in _by_email(ann, "Lead")
    assert _record(ann, "Task", task["Id"])["Id"] == task["Id"]       # the saved email survives, unlinked
    assert _undo(ann, [lead["Id"]]).status_code == 404


def test_save_now_adds_new_contacts_beside_the_chosen_one_and_never_a_second_record(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="contacts")
    account = e2e.emu.insert(ann.sf_org, "Account", {"Name": "Customer Inc"})
    chosen = e2e.emu.insert(ann.sf_org, "Contact", {"LastName": "Client", "Email": "client@customer.test",
                                                    "AccountId": account})
    response = _save(ann, _item(ann, "<sb-2@prospect-industries.test>", cc=("client@customer.test",)),
                     who_ids=[chosen], what_id=account)
    assert response.status_code == 201, response.json
    contact = _by_email(ann, "Contact")[JANE]
    task = _record(ann, "Task", response.json["record_id"])
    assert (task["WhoId"], task["WhatId"]) == (chosen, account)
    relations = {r["RelationId"] for r in e2e.emu.records(ann.sf_org, "TaskRelation") if r["TaskId"] == task["Id"]}
    assert contact["Id"] in relations
    assert sorted(r["sobject"] for r in response.json["autoresolved"]) == ["Account", "Contact"]
    # the engine saving the same message later finds Jane: one Task, one Contact
    raw = (f"From: Jane Doe <{JANE}>\r\nTo: {ann.user.email}\r\nCc: client@customer.test\r\nSubject: Quote\r\n"
           f"Date: {NOW.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\nMessage-ID: <sb-2@prospect-industries.test>\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n\r\n" + SIGNED).encode()
    append_raw(ann, raw)
    assert force_sync(ann)["status"] == "succeeded"
    assert [c["Id"] for c in e2e.emu.records(ann.sf_org, "Contact") if c.get("Email") == JANE] == [contact["Id"]]
    assert [t["Id"] for t in e2e.emu.records(ann.sf_org, "Task") if t.get("Subject") == "Email: Quote"] == [task["Id"]]


def test_save_now_links_a_duplicate_rule_match_and_does_nothing_with_autoresolve_off(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="leads")
    existing = e2e.emu.insert(ann.sf_org, "Lead", {"LastName": "Doe", "Company": "Prospect Industries Ltd",
                                                    "Email": "j.doe@old-address.test"})
    e2e.emu.add_duplicate_rule(ann.sf_org, "Lead", ("LastName", "Company"))
    response = _save(ann, _item(ann, "<sb-3@prospect-industries.test>"))
    assert response.status_code == 201, response.json
    assert [r["Id"] for r in e2e.emu.records(ann.sf_org, "Lead")] == [existing]
    assert _record(ann, "Task", response.json["record_id"])["WhoId"] == existing
    assert response.json["autoresolved"] == [] and _listed(ann) == (200, [])
    eve = sign_up(e2e, factory, save_emails_as="Task")                       # autoresolve off (the default)
    response = _save(eve, _item(eve, "<sb-4@prospect-industries.test>"))
    assert response.status_code == 201, response.json
    assert JANE not in _by_email(eve, "Lead") and JANE not in _by_email(eve, "Contact")
    assert _record(eve, "Task", response.json["record_id"]).get("WhoId") is None
