"""Engine email saves through the real `SalesforceCrmPort` and the HTTPS emulator: Task or
EmailMessage per setting, auto-linked, no OwnerId on EmailMessage, relations idempotent and batched."""
from __future__ import annotations

import pytest

from app.sync import EmailMessage, FolderKind, save_emails
from app.sync.email_rules import SaveRules
from app.sync.ports import ActivityRelationSpec
from tests.fakes.mailbox_memory import SimulatedCrash
from tests.providers.salesforce.test_crm_port_world import NOW, PortWorld

MAIL = FolderKind.MAIL


@pytest.fixture
def pw(world) -> PortWorld:
    pw = PortWorld(world)
    pw.account = world.emu.insert(world.org, "Account", {"Name": "Client Co"})
    pw.carol = world.emu.insert(world.org, "Contact", {"LastName": "Carol", "Email": "Carol@Client.com",
                                                       "AccountId": pw.account})
    pw.dan = world.emu.insert(world.org, "Contact", {"LastName": "Dan", "Email": "dan@client.com",
                                                     "AccountId": pw.account})
    pw.leo = world.emu.insert(world.org, "Lead", {"LastName": "Leo", "Company": "Leo Ltd", "Email": "leo@lead.com"})
    return pw


def message(**changes) -> EmailMessage:
    base = dict(item_id="", message_id="<offer@client.com>", conversation_id="<offer@client.com>",
                sender="carol@client.com", to=("ann@acme.test", "dan@client.com"), cc=("leo@lead.com",),
                sent_at=NOW, subject="Offer", body_text="Our offer.", categories=("Salesforce",))
    return EmailMessage(**{**base, **changes})


def save(pw: PortWorld, save_as: str, port=None):
    port = port or pw.port()
    return save_emails(pw.session, pw.mailbox, port, pw.id_map, pw.cursors, pw.policy, None, SaveRules(save_as=save_as))


def _relations(pw: PortWorld, sobject: str, parent_field: str, parent: str) -> list[dict]:
    return [r for r in pw.sf.emu.records(pw.sf.org, sobject) if r[parent_field] == parent]


def test_email_message_is_saved_without_owner_linked_by_role(pw):
    pw.mailbox.put(MAIL, message())
    outcome = save(pw, "EmailMessage")
    [email] = pw.sf.emu.records(pw.sf.org, "EmailMessage")
    assert outcome.ok, outcome.errors
    assert email["RelatedToId"] == pw.account and not email.get("Syncline_Manual_Save__c")
    rows = {(r["RelationId"], r["RelationType"]) for r in _relations(pw, "EmailMessageRelation", "EmailMessageId",
                                                                         email["Id"])}
    assert rows == {(pw.carol, "FromAddress"), (pw.dan, "ToAddress"), (pw.leo, "CcAddress"),
                    (pw.sf.user, "ToAddress")}


def test_task_is_a_completed_email_task_with_who_what_and_shared_contacts(pw):
    pw.mailbox.put(MAIL, message())
    before = pw.calls()
    outcome = save(pw, "Task")
    [task] = [t for t in pw.sf.emu.records(pw.sf.org, "Task") if t.get("Syncline_Key__c")]
    assert outcome.ok, outcome.errors
    assert (task["Subject"], task["Status"], task["TaskSubtype"]) == ("Email: Offer", "Completed", "Email")
    assert (task["WhoId"], task["WhatId"], task["OwnerId"]) == (pw.carol, pw.account, pw.sf.user)
    assert pw.dan in {r["RelationId"] for r in _relations(pw, "TaskRelation", "TaskId", task["Id"])}
    # 3 describes (cached 12 h; Account says whether Person Accounts exist), 2 key look-ups,
    # the ladder (people + domains, then the found Accounts' Opportunities), upsert, relations
    assert pw.calls() - before <= 9


def test_ensure_relations_creates_only_missing_rows(pw):
    pw.mailbox.put(MAIL, message())
    save(pw, "EmailMessage")
    [email] = pw.sf.emu.records(pw.sf.org, "EmailMessage")
    port = pw.port()
    specs = [ActivityRelationSpec(email["Id"], pw.carol, "FromAddress", "carol@client.com"),
             ActivityRelationSpec(email["Id"], pw.dan, "CcAddress", "dan@client.com")]
    results = port.ensure_activity_relations("EmailMessageRelation", specs)
    assert all(r.ok for r in results)
    rows = _relations(pw, "EmailMessageRelation", "EmailMessageId", email["Id"])
    assert len(rows) == 5 and sum(r["RelationId"] == pw.carol for r in rows) == 1


def test_lookup_participants_returns_contacts_leads_and_users_in_one_call(pw):
    port = pw.port()
    before = pw.calls()
    found = port.lookup_participants(["carol@client.com", "leo@lead.com", "ann@acme.test", "nobody@x.com"])
    assert pw.calls() - before == 1
    assert [(m.record_id, m.object_type, m.account_id) for m in found["carol@client.com"]] == [
        (pw.carol, "Contact", pw.account)]
    assert found["leo@lead.com"][0].object_type == "Lead" and "nobody@x.com" not in found


def test_crash_after_upsert_then_retry_leaves_one_email_and_one_set_of_relations(pw):
    pw.mailbox.put(MAIL, message())
    pw.id_map.faults.arm("put", after=pw.id_map.put_calls + 1, error=SimulatedCrash())
    with pytest.raises(SimulatedCrash):
        save(pw, "EmailMessage")
    assert save(pw, "EmailMessage").ok
    [email] = pw.sf.emu.records(pw.sf.org, "EmailMessage")
    assert len(_relations(pw, "EmailMessageRelation", "EmailMessageId", email["Id"])) == 4
