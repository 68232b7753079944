"""Auto-linking Events the mirror creates (WhoId/WhatId) and the blocklist, over in-memory ports."""
from __future__ import annotations

import pytest

from app.sync import EVENT_MAPPING, Attendee, FolderKind, bind_mapping, run_sync
from app.sync.blocklist import AddressBlocklist
from app.sync.email_rules import SaveRules
from app.sync.email_saves import save_emails
from app.sync.items import EmailMessage
from tests.unit.sync.sync_world import OWNER, World, event_describe, meeting

CAL, MAIL = FolderKind.CALENDAR, FolderKind.MAIL
OWNER_EMAIL = "alice@example.com"


def linkable_describe() -> dict:
    describe = event_describe()
    describe["fields"] += [{"name": n, "type": "reference", "length": 18, "createable": True, "updateable": True}
                           for n in ("WhoId", "WhatId")]
    return describe


@pytest.fixture
def world() -> World:
    w = World(describe=linkable_describe())
    w.account = w.crm.create("Account", OWNER, Name="Client Co").record_id
    w.carol = w.crm.create("Contact", OWNER, LastName="Carol", Email="Carol@Client.com", AccountId=w.account).record_id
    w.leo = w.crm.create("Lead", OWNER, LastName="Leo", Company="Leo Ltd", Email="leo@lead.com").record_id
    return w


def invite(subject: str, *emails: str, organizer: str = OWNER_EMAIL):
    return meeting(subject, organizer=organizer, attendees=tuple(Attendee(e) for e in emails))


def links(event) -> tuple:
    return event.fields.get("WhoId"), event.fields.get("WhatId")


def test_a_new_meeting_links_the_first_contact_attendee_and_its_account(world):
    world.mailbox.put(CAL, invite("Pricing", OWNER_EMAIL, "nobody@else.com", "carol@client.com"))
    world.sync()
    [event] = world.events()
    assert links(event) == (world.carol, world.account)


def test_an_external_organizer_who_is_a_contact_comes_first(world):
    world.mailbox.put(CAL, invite("Their call", OWNER_EMAIL, "leo@lead.com", organizer="carol@client.com"))
    world.sync()
    assert links(world.events()[0]) == (world.carol, world.account)


def test_links_are_written_on_create_only_never_on_update(world):
    item = world.mailbox.put(CAL, invite("Pricing", "nobody@else.com"))
    world.sync()
    [event] = world.events()
    assert links(event) == (None, None)
    other = world.crm.create("Contact", OWNER, LastName="Zed", Email="zed@z.com").record_id
    world.crm.edit("Event", event.record_id, WhoId=other)          # the user's manual link
    world.mailbox.edit(CAL, item.item_id, subject="Pricing v2",
                       attendees=(Attendee("nobody@else.com"), Attendee("carol@client.com")))
    world.sync()
    [event] = world.events()
    assert event.fields["Subject"] == "Pricing v2" and links(event) == (other, None)


def test_a_colleague_is_skipped_even_when_also_a_contact(world):
    world.crm.create("Contact", OWNER, LastName="Bob", Email="bob@example.com", AccountId="001OWNCO")
    world.crm.users = {"bob@example.com": "005000000000BOB"}
    world.mailbox.put(CAL, invite("Prep", "bob@example.com", "carol@client.com"))
    world.sync()
    assert links(world.events()[0]) == (world.carol, world.account)


def test_a_contact_wins_over_an_earlier_lead_and_a_lead_alone_links_without_account(world):
    world.mailbox.put(CAL, invite("Mixed", "leo@lead.com", "carol@client.com"))
    world.mailbox.put(CAL, invite("Lead only", "leo@lead.com"))
    world.sync()
    by_subject = {e.fields["Subject"]: links(e) for e in world.events()}
    assert by_subject == {"Mixed": (world.carol, world.account), "Lead only": (world.leo, None)}


def test_a_blocklisted_address_is_never_looked_up_or_linked(world):
    dan = world.crm.create("Contact", OWNER, LastName="Dan", Email="dan@other.com", AccountId="001OTHER").record_id
    world.mailbox.put(CAL, invite("Pricing", "carol@client.com", "dan@other.com"))
    blocked = AddressBlocklist(domains=frozenset({"client.com"}))
    run_sync(world.session, world.mailbox, world.crm, world.id_map, world.cursors, world.policy, world.mappings,
             blocked=blocked)
    assert links(world.events()[0]) == (dan, "001OTHER")
    assert world.crm.looked_up and all("carol@client.com" not in asked for asked in world.crm.looked_up)


def test_a_blocked_domain_covers_its_subdomains_only():
    blocked = AddressBlocklist(frozenset({"x@a.com"}), frozenset({"client.com"}))
    assert blocked.allowed(["X@A.com", "p@eu.client.com", "q@client.com", "r@notclient.com"]) == ["r@notclient.com"]


def test_one_participant_lookup_for_many_new_meetings(world):
    for n in range(6):
        world.mailbox.put(CAL, invite(f"Meeting {n}", f"guest{n}@x.com", "carol@client.com"))
    world.sync()
    assert world.crm.calls.count("lookup_participants") == 1
    assert {links(e) for e in world.events()} == {(world.carol, world.account)}


def test_no_links_and_no_lookup_when_the_describe_lacks_the_fields(world):
    world.mappings = (bind_mapping(EVENT_MAPPING, event_describe()),)
    world.mailbox.put(CAL, invite("Pricing", "carol@client.com"))
    world.sync()
    assert links(world.events()[0]) == (None, None) and "lookup_participants" not in world.crm.calls


def test_saved_emails_skip_blocklisted_participants_too(world):
    world.mailbox.put(MAIL, EmailMessage(item_id="", message_id="<m1@client.com>", sender="carol@client.com",
                                         to=(OWNER_EMAIL, "leo@lead.com"), subject="Hi", categories=("Salesforce",)))
    rules = SaveRules(save_as="Task", blocked=AddressBlocklist(addresses=frozenset({"carol@client.com"})))
    save_emails(world.session, world.mailbox, world.crm, world.id_map, world.cursors, world.policy, None, rules)
    [task] = [t for t in world.crm.all("Task") if t.sync_key]
    assert task.fields.get("WhoId") == world.leo and not task.fields.get("WhatId")
    assert all("carol@client.com" not in asked for asked in world.crm.looked_up)
