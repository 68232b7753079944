"""Engine email saves: Task or EmailMessage per org setting, auto-linked, one record for two
users, Compose-mode and thread saves, and exactly one record + relations after a crash."""
from __future__ import annotations

import pytest

from app.sync import EmailMessage, FolderKind, save_emails
from app.sync.email_rules import ComposeRule, RefusedRule, SaveRules
from tests.fakes.mailbox_memory import SimulatedCrash
from tests.unit.sync.sync_world import NOW, OWNER, World

MAIL = FolderKind.MAIL
ACME = "001000000000ACME01"


class Ledger:
    """A SaveLedger that keeps the notes it is given."""

    def __init__(self) -> None:
        self.notes = []

    def record(self, notes) -> None:
        self.notes.extend(notes)


def message(**changes) -> EmailMessage:
    base = dict(item_id="", message_id="<abc@client.com>", conversation_id="<root@client.com>",
                sender="carol@client.com", to=("alice@example.com", "dan@client.com"), cc=("bob@example.com",),
                sent_at=NOW, subject="Offer", body_text="Please find the offer attached.", categories=("Salesforce",))
    return EmailMessage(**{**base, **changes})


def world_with_people() -> World:
    world = World()
    world.carol = world.crm.create("Contact", OWNER, Email="carol@client.com", AccountId=ACME).record_id
    world.dan = world.crm.create("Contact", OWNER, Email="dan@client.com", AccountId=ACME).record_id
    world.crm.users.update({"alice@example.com": OWNER, "bob@example.com": "005000000000BOB"})
    return world


def save(world: World, rules: SaveRules, mailbox=None, session=None, ledger=None):
    return save_emails(session or world.session, mailbox or world.mailbox, world.crm, world.id_map, world.cursors,
                       world.policy, None, rules, ledger)


def test_saved_as_a_completed_email_task_linked_to_the_sender_contact_and_its_account():
    world = world_with_people()
    world.mailbox.put(MAIL, message())
    save(world, SaveRules(save_as="Task"))
    [task] = world.crm.all("Task")
    assert task.fields["Subject"] == "Email: Offer" and task.fields["Status"] == "Completed"
    assert (task.fields["TaskSubtype"], task.fields["OwnerId"]) == ("Email", OWNER)
    assert (task.fields["WhoId"], task.fields["WhatId"]) == (world.carol, ACME)
    assert [r["RelationId"] for r in world.crm.relations_of(task.record_id)] == [world.dan]
    assert world.crm.all("EmailMessage") == []


def test_email_message_has_no_owner_and_relates_participants_by_role_and_the_saver():
    world = world_with_people()
    world.mailbox.put(MAIL, message())
    outcome = save(world, SaveRules(save_as="EmailMessage"))
    [email] = world.crm.all("EmailMessage")
    assert outcome.ok and "OwnerId" not in email.fields and email.fields["RelatedToId"] == ACME
    assert "Syncline_Manual_Save__c" not in email.fields
    rows = {(r["RelationId"], r["RelationType"]) for r in world.crm.relations_of(email.record_id)}
    assert rows == {(world.carol, "FromAddress"), (world.dan, "ToAddress"), (OWNER, "ToAddress")}


def test_participants_of_all_messages_are_looked_up_once():
    world = world_with_people()
    for n in range(3):
        world.mailbox.put(MAIL, message(message_id=f"<m{n}@client.com>"))
    save(world, SaveRules())
    assert world.crm.calls.count("lookup_participants") == 1
    assert world.crm.calls.count("ensure_activity_relations") == 1 and len(world.crm.all("EmailMessage")) == 3


def test_second_user_saving_the_same_email_is_recorded_not_written_again():
    world = world_with_people()
    world.mailbox.put(MAIL, message())
    bob_mailbox, bob = world.second_mailbox("bob", "005000000000BOB")
    bob = bob.__class__(**{**bob.__dict__, "owner_email": "bob@example.com"})
    bob_mailbox.put(MAIL, message(message_id="<ABC@client.com>", categories=(), folder="Salesforce"))
    alice_ledger, bob_ledger = Ledger(), Ledger()
    save(world, SaveRules(), ledger=alice_ledger)
    outcome = save(world, SaveRules(), bob_mailbox, bob, bob_ledger)
    [email] = world.crm.all("EmailMessage")
    assert outcome.counts[MAIL].recorded == 1 and outcome.counts[MAIL].created == 0
    rows = {(r["RelationId"], r["RelationType"]) for r in world.crm.relations_of(email.record_id)}
    assert ("005000000000BOB", "CcAddress") in rows and len(rows) == 4
    assert [n.record_id for n in alice_ledger.notes + bob_ledger.notes] == [email.record_id] * 2
    save(world, SaveRules(), bob_mailbox, bob, bob_ledger)                        # nothing new the next time
    assert len(world.crm.relations_of(email.record_id)) == 4


def test_compose_save_uses_the_chosen_links_and_thread_autosave_saves_replies():
    world = world_with_people()
    sent = message(message_id="<sent@example.com>", sender="alice@example.com", categories=(), folder="Sent",
                   save_marker="mk-12345678", to=("carol@client.com",), cc=())
    reply = message(message_id="<reply@client.com>", categories=(), conversation_id="<ROOT@client.com>")
    other = message(message_id="<other@client.com>", categories=(), conversation_id="<elsewhere@x>")
    for item in (sent, reply, other):
        world.mailbox.put(MAIL, item)
    rule = ComposeRule("9", marker="mk-12345678", who_ids=(world.dan,), what_id="006000000000OPP001")
    ledger = Ledger()
    save(world, SaveRules(save_as="Task", compose=(rule,), threads=frozenset({"<root@client.com>"})), ledger=ledger)
    tasks = world.crm.all("Task")
    assert len(tasks) == 2
    compose = next(t for t in tasks if t.fields.get("WhatId") == "006000000000OPP001")
    assert compose.fields["WhoId"] == world.dan and world.crm.relations_of(compose.record_id) == []
    assert {n.compose_rule for n in ledger.notes} == {"9", None}


@pytest.mark.parametrize("object_type", ["Task", "EmailMessage"])
def test_crash_between_upsert_and_id_map_write_leaves_one_record_and_one_set_of_relations(object_type):
    world = world_with_people()
    world.mailbox.put(MAIL, message())
    world.id_map.faults.arm("put", after=world.id_map.put_calls + 1, error=SimulatedCrash())
    with pytest.raises(SimulatedCrash):
        save(world, SaveRules(save_as=object_type))
    [record] = world.crm.all(object_type)
    ledger = Ledger()
    outcome = save(world, SaveRules(save_as=object_type), ledger=ledger)
    save(world, SaveRules(save_as=object_type))
    assert outcome.ok and [r.record_id for r in world.crm.all(object_type)] == [record.record_id]
    expected = 1 if object_type == "Task" else 3
    assert len(world.crm.relations_of(record.record_id)) == expected
    assert [n.record_id for n in ledger.notes] == [record.record_id]


def test_crash_while_writing_relations_is_finished_on_the_retry():
    world = world_with_people()
    world.mailbox.put(MAIL, message())
    world.crm.faults.arm("ensure_activity_relations", after=1, error=SimulatedCrash())
    with pytest.raises(SimulatedCrash):
        save(world, SaveRules())
    save(world, SaveRules())
    [email] = world.crm.all("EmailMessage")
    assert len(world.crm.relations_of(email.record_id)) == 3


def test_failed_relation_write_is_retried_next_session():
    world = world_with_people()
    world.mailbox.put(MAIL, message())
    world.crm.faults.reject("ensure_activity_relations", lambda spec: spec.relation_id == world.dan, "temporary")
    first = save(world, SaveRules())
    assert not first.ok and first.held_streams
    world.crm.faults.clear()
    second = save(world, SaveRules())
    [email] = world.crm.all("EmailMessage")
    assert second.ok and len(world.crm.relations_of(email.record_id)) == 3


def test_refused_save_rules_are_per_item_errors_and_the_other_saves_go_on():
    world = world_with_people()
    world.mailbox.put(MAIL, message())
    refused = RefusedRule("compose save 7", "skipped: message_id contains a NUL character")
    outcome = save(world, SaveRules(refused=(refused,)))
    assert len(world.crm.all("EmailMessage")) == 1
    [error] = outcome.errors
    assert (error.sync_key, error.code, error.message, error.retried) == (
        "compose save 7", "invalid", refused.reason, False)
