"""Person Accounts end to end (worker, Dovecot, Radicale, the Salesforce emulator): Salesforce keeps
a Person Account as an Account plus a Contact (its ``PersonContactId``), and an activity names the
person through that Contact. Whether the look-up finds one or autoresolve creates one, the Task,
Event and EmailMessage link WhoId (the email's relation row) = PersonContactId and WhatId
(RelatedToId) = the Account; undo removes the pair and keeps the saved activity."""
from __future__ import annotations

from datetime import timedelta

from tests.e2e.helpers import NOW, dashboard, force_sync, put_event, sign_up
from tests.e2e.test_autoresolve_e2e import _listed, _mail, _task, _undo


def _person_account(person, email: str) -> dict:
    [account] = [a for a in person.e2e.emu.records(person.sf_org, "Account")
                 if str(a.get("PersonEmail") or "").lower() == email]
    return account


def test_the_emulator_keeps_a_person_contact_for_each_person_account(e2e, factory):
    ann = sign_up(e2e, factory)
    account_id = e2e.emu.insert(ann.sf_org, "Account", {"FirstName": "Pia", "LastName": "Private",
                                                        "PersonEmail": "pia@private-client.test"})
    account = _person_account(ann, "pia@private-client.test")
    assert account["Id"] == account_id and account["IsPersonAccount"] is True
    [contact] = [c for c in e2e.emu.records(ann.sf_org, "Contact") if c["Id"] == account["PersonContactId"]]
    assert (contact["AccountId"], contact["Email"], contact["IsPersonAccount"]) == (
        account_id, "pia@private-client.test", True)
    e2e.emu.update(ann.sf_org, "Account", account_id, {"PersonEmail": "pia@new-address.test"})
    [contact] = [c for c in e2e.emu.records(ann.sf_org, "Contact") if c["Id"] == account["PersonContactId"]]
    assert contact["Email"] == "pia@new-address.test"


def test_a_found_person_account_links_who_to_its_person_contact_and_what_to_the_account(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="EmailMessage")
    account_id = e2e.emu.insert(ann.sf_org, "Account", {"FirstName": "Pia", "LastName": "Private",
                                                        "PersonEmail": "pia@private-client.test"})
    person_contact = _person_account(ann, "pia@private-client.test")["PersonContactId"]
    put_event(ann, "pa-meet-1", "Portfolio review", NOW + timedelta(days=2), organizer=ann.user.email,
              attendees=(ann.user.email, "pia@private-client.test"))
    _mail(ann, "<pa-mail-1@private-client.test>", "Pia Private <pia@private-client.test>", body="Thanks!\r\n")
    assert force_sync(ann)["status"] == "succeeded"
    [event] = [e for e in e2e.emu.records(ann.sf_org, "Event") if e.get("Subject") == "Portfolio review"]
    assert (event["WhoId"], event["WhatId"]) == (person_contact, account_id)
    [email] = [m for m in e2e.emu.records(ann.sf_org, "EmailMessage")
               if m.get("MessageIdentifier") == "<pa-mail-1@private-client.test>"]
    assert email["RelatedToId"] == account_id
    relations = {(r["RelationId"], r["RelationType"]) for r in e2e.emu.records(ann.sf_org, "EmailMessageRelation")
                 if r["EmailMessageId"] == email["Id"]}
    assert (person_contact, "FromAddress") in relations
    [item] = [i for i in dashboard(ann)["linked_items"] if i["record_id"] == event["Id"]]
    assert item["link_reasons"] == ["who: exact_email PersonAccount pia@private-client.test", "what: person_account"]


def test_autoresolve_in_person_account_mode_links_the_new_person_contact_and_undo_removes_both(e2e, factory):
    ann = sign_up(e2e, factory, save_emails_as="Task", autoresolve="person_accounts")
    _mail(ann, "<pa-auto-1@prospect-industries.test>", "Jane Doe <jane.doe@prospect-industries.test>")
    session = force_sync(ann)
    assert session["status"] == "succeeded"
    account = _person_account(ann, "jane.doe@prospect-industries.test")
    assert (account["IsPersonAccount"], account["FirstName"], account["LastName"]) == (True, "Jane", "Doe")
    assert account["PersonContactId"].startswith("003")
    task = _task(ann)
    assert (task["WhoId"], task["WhatId"]) == (account["PersonContactId"], account["Id"])
    _, listed = _listed(ann, session_id=session["id"])
    assert [(r["sobject"], r["record_id"]) for r in listed] == [("Account", account["Id"])]
    response = _undo(ann, session["id"])
    assert response.status_code == 200, response.json
    assert (response.json["undone"], response.json["kept"]) == (1, 0), response.json
    assert account["Id"] not in {a["Id"] for a in e2e.emu.records(ann.sf_org, "Account")}
    assert account["PersonContactId"] not in {c["Id"] for c in e2e.emu.records(ann.sf_org, "Contact")}
    assert _task(ann)["Id"] == task["Id"]     # the saved email survives, unlinked
