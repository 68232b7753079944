"""Engine email saves end to end (real worker, Dovecot, emulator): Task or EmailMessage per
org setting, auto-linked; two users → one record, two savers; Compose-mode and thread saves."""
from __future__ import annotations

from datetime import datetime

from imapclient import IMAPClient
from sqlalchemy import select

from app.models import ComposeSave, SavedEmail, SavedEmailSaver
from tests.e2e.helpers import NOW, Person, force_sync, sign_up


def _append(person: Person, message_id: str, sender: str, to: str, folder: str = "INBOX", extra: str = "",
            flags: tuple[str, ...] = (), when: datetime | None = None) -> None:
    """``when``: the Date header and the arrival (INTERNALDATE); else dated NOW, arriving now."""
    raw = (f"From: {sender}\r\nTo: {to}\r\nSubject: Proposal\r\n"
           f"Date: {(when or NOW).strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\nMessage-ID: {message_id}\r\n{extra}"
           "Content-Type: text/plain; charset=utf-8\r\n\r\nPlease find our offer.\r\n").encode()
    client = IMAPClient("127.0.0.1", person.e2e.dovecot.port, ssl=False)
    try:
        client.login(person.dav.username, person.dav.password)
        if not client.folder_exists(folder):
            client.create_folder(folder)
        client.append(folder, raw, flags=list(flags), msg_time=when)
    finally:
        client.logout()


def _client_contact(person: Person) -> tuple[str, str]:
    emu = person.e2e.emu
    account = emu.insert(person.sf_org, "Account", {"Name": "Customer Inc"})
    return account, emu.insert(person.sf_org, "Contact", {"LastName": "Client", "Email": "client@customer.test",
                                                          "AccountId": account})


def _saved_rows(person: Person, message_id: str) -> tuple[SavedEmail | None, set[int]]:
    with person.e2e.rt.db.session_scope() as s:
        row = s.scalar(select(SavedEmail).where(SavedEmail.message_id == message_id))
        savers = set(s.scalars(select(SavedEmailSaver.user_id).where(SavedEmailSaver.saved_email_id == row.id))) \
            if row else set()
        s.expunge_all()
        return row, savers


def test_tagged_email_saved_as_task_is_auto_linked_and_marked_saved(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task")
    account, contact = _client_contact(ann)
    _append(ann, "<task-1@customer.test>", "client@customer.test", ann.user.email, flags=("Salesforce",))
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    [task] = [t for t in e2e.emu.records(ann.sf_org, "Task") if t.get("Subject") == "Email: Proposal"]
    assert (task["WhoId"], task["WhatId"], task["Status"]) == (contact, account, "Completed")
    assert e2e.emu.records(ann.sf_org, "EmailMessage") == []
    row, savers = _saved_rows(ann, "task-1@customer.test")
    assert (row.status, row.record_id, row.manual) == ("saved", task["Id"], False) and savers == {ann.user.id}


def test_two_users_saving_one_email_make_one_record_with_both_users_related(e2e, factory):
    ann = sign_up(e2e, factory)
    bob = sign_up(e2e, factory, sf_org=ann.sf_org)
    account, contact = _client_contact(ann)
    for person in (ann, bob):
        _append(person, "<shared-1@customer.test>", "client@customer.test", f"{ann.user.email}, {bob.user.email}",
                flags=("Salesforce",))
    assert force_sync(ann)["status"] == "succeeded"
    assert force_sync(bob)["status"] == "succeeded"
    [email] = [m for m in e2e.emu.records(ann.sf_org, "EmailMessage")
               if m.get("MessageIdentifier") == "<shared-1@customer.test>"]
    assert email["RelatedToId"] == account
    rows = {(r["RelationId"], r["RelationType"]) for r in e2e.emu.records(ann.sf_org, "EmailMessageRelation")
            if r["EmailMessageId"] == email["Id"]}
    assert rows == {(contact, "FromAddress"), (ann.sf_user, "ToAddress"), (bob.sf_user, "ToAddress")}
    assert _saved_rows(ann, "shared-1@customer.test")[1] == {ann.user.id, bob.user.id}


def test_compose_save_and_thread_autosave_are_saved_by_the_sync(e2e, factory):
    ann = sign_up(e2e, factory)
    account, contact = _client_contact(ann)
    opportunity = e2e.emu.insert(ann.sf_org, "Opportunity", {"Name": "Deal", "StageName": "Prospecting",
                                                             "CloseDate": NOW.date().isoformat(), "AccountId": account})
    client = e2e.app.test_client()
    response = client.post("/api/v1/compose-saves", headers=ann.headers, json={
        "marker": "mk-e2e-0001", "message_id": None, "who_ids": [contact], "what_id": opportunity})
    assert response.status_code == 202, response.json
    assert client.put("/api/v1/thread-autosaves/<thread-1@customer.test>", json={},
                      headers=ann.headers).status_code == 204
    _append(ann, "<sent-1@acme.test>", ann.user.email, "client@customer.test", folder="Sent",
            extra="X-Syncline-Save: mk-e2e-0001\r\n")
    _append(ann, "<reply-1@customer.test>", "client@customer.test", ann.user.email,
            extra="References: <thread-1@customer.test>\r\n")
    _append(ann, "<untouched@customer.test>", "client@customer.test", ann.user.email)
    assert force_sync(ann)["status"] == "succeeded"
    saved = {m["MessageIdentifier"]: m for m in e2e.emu.records(ann.sf_org, "EmailMessage")}
    assert set(saved) == {"<sent-1@acme.test>", "<reply-1@customer.test>"}
    assert saved["<sent-1@acme.test>"]["RelatedToId"] == opportunity
    assert saved["<reply-1@customer.test>"]["RelatedToId"] == opportunity   # the Account's open Opportunity (default rule)
    with e2e.rt.db.session_scope() as s:
        assert s.scalar(select(ComposeSave.status).where(ComposeSave.marker == "mk-e2e-0001")) == "saved"
