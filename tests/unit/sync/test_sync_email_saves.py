"""Emails are saved one-way, once per Message-ID per org, only when the user marks them."""
from __future__ import annotations

from app.sync import EmailMessage, FolderKind, save_emails
from tests.unit.sync.sync_world import NOW, World

MAIL = FolderKind.MAIL


def message(**changes) -> EmailMessage:
    base = dict(item_id="", message_id="<abc@client.com>", conversation_id="conv-1", sender="carol@client.com",
                to=("alice@example.com",), cc=("bob@example.com",), sent_at=NOW, subject="Offer",
                body_text="Please find the offer attached.", categories=("Salesforce",))
    return EmailMessage(**{**base, **changes})


def save(world: World, mailbox=None, session=None, describe=None):
    return save_emails(session or world.session, mailbox or world.mailbox, world.crm, world.id_map, world.cursors,
                       world.policy, describe)


def test_marked_email_is_saved_once_even_when_edited_or_retagged_later():
    world = World()
    saved = world.mailbox.put(MAIL, message())
    world.mailbox.put(MAIL, message(message_id="<other@x>", categories=()))
    save(world)
    world.mailbox.edit(MAIL, saved.item_id, categories=("Salesforce", "Red"))
    save(world)
    [record] = world.crm.all("EmailMessage")
    assert (record.fields["Subject"], record.fields["Incoming"], record.fields["Status"]) == ("Offer", True, "0")
    assert record.fields["MessageDate"] == "2026-11-23T09:00:00.000+0000"


def test_same_email_in_two_mailboxes_is_one_email_message():
    world = World()
    world.mailbox.put(MAIL, message())
    bob_mailbox, bob = world.second_mailbox("bob", "005BOB")
    bob_mailbox.put(MAIL, message(message_id="<ABC@client.com>", folder="Salesforce", categories=()))
    save(world)
    outcome = save(world, bob_mailbox, bob)
    assert len(world.crm.all("EmailMessage")) == 1 and outcome.counts[MAIL].recorded == 1


def test_long_email_body_is_cut_to_the_field_length():
    world = World()
    world.mailbox.put(MAIL, message(body_text="x" * 40000))
    save(world, describe={"fields": [{"name": "TextBody", "type": "textarea", "length": 32000}]})
    assert len(world.crm.all("EmailMessage")[0].fields["TextBody"]) == 32000
