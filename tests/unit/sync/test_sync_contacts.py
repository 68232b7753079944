"""Contact rules in the core: the derived LastName, Salesforce's required fields checked before
any write, and a record other mailboxes still mirror surviving one mailbox's delete."""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.sync import (
    CONTACT_MAPPING,
    ContactItem,
    FolderKind,
    MappingRow,
    MappingTable,
    bind_mapping,
)
from app.sync.contacts import derived_last_name, in_contact_scope
from tests.unit.sync.sync_world import OWNER, World, meeting

CONTACTS, CAL = FolderKind.CONTACTS, FolderKind.CALENDAR


@pytest.mark.parametrize(("card", "last_name"), [
    (ContactItem("", "Jane", "Doe", display_name="Jane Doe", company="Acme"), "Doe"),
    (ContactItem("", "Jane", "", display_name="Dr. Jane Doe"), "Dr. Doe"),
    (ContactItem("", "", "", display_name="Prince Rogers Nelson"), "Prince Rogers Nelson"),
    (ContactItem("", "Ravi", "", display_name="Ravi", company="Umbrella"), "Umbrella"),
    (ContactItem("", "Cher", "", display_name="Cher"), "Cher"),
    (ContactItem("", "", "", company="  Initech   GmbH "), "Initech GmbH"),
    (ContactItem("", "", "", email="solo@nowhere.test", business_phone="+1 555"), "solo@nowhere.test"),
    (ContactItem("", "", "", mobile_phone="+49 170 1"), "+49 170 1"),
    (ContactItem("", "", "", street="1 Quay St\nFloor 2", city="Dublin", country="Ireland"),
     "1 Quay St, Floor 2, Dublin, Ireland"),
    (ContactItem("", "", "", notes="nothing to name it"), ""),
])
def test_last_name_order_family_fn_org_fn_given_email_phone_address(card, last_name):
    assert derived_last_name(card) == last_name


def test_scope_category_is_compared_case_insensitively_and_only_for_contacts():
    tagged = ContactItem("", surname="A", categories=("Customers", "salesforce"))
    assert in_contact_scope(tagged, "Salesforce") and not in_contact_scope(replace(tagged, categories=()), "Salesforce")
    assert in_contact_scope(meeting(), "Salesforce") and in_contact_scope(replace(tagged, categories=()), None)


def contact_describe(*extra: dict) -> dict:
    names = ("FirstName", "Email", "Phone", "MobilePhone", "Title", "Department", "MailingStreet", "MailingCity",
             "MailingState", "MailingPostalCode", "MailingCountry", "Description", "AccountId")
    fields = [{"name": n, "type": "string", "createable": True, "updateable": True, "nillable": True} for n in names]
    fields += [{"name": "LastName", "type": "string", "length": 80, "createable": True, "updateable": True,
                "nillable": False, "defaultedOnCreate": False},
               {"name": "OwnerId", "type": "reference", "createable": True, "nillable": False,
                "defaultedOnCreate": True},
               {"name": "DoNotCall", "type": "boolean", "createable": True, "nillable": False}, *extra]
    return {"name": "Contact", "fields": fields}


def _contact_world(table: MappingTable = CONTACT_MAPPING, *extra: dict) -> World:
    world = World()
    world.mappings = (bind_mapping(table, contact_describe(*extra)),)
    return world


def test_every_card_of_the_scope_address_book_syncs_without_the_category():
    untagged = ContactItem("/b/c.vcf", "Paula", "Partner", "paula@partner.test")
    assert not in_contact_scope(untagged, "Salesforce")
    assert in_contact_scope(replace(untagged, in_scope_book=True), "Salesforce")


def test_a_required_field_no_row_fills_is_reported_per_item_before_the_write():
    world = _contact_world(CONTACT_MAPPING, {"name": "Region__c", "type": "picklist", "createable": True,
                                             "nillable": False, "defaultedOnCreate": False})
    world.mailbox.put(CONTACTS, ContactItem("", "Jane", "Doe", "jane@client.test"))
    outcome = world.sync()
    [error] = outcome.errors
    assert (error.action, error.code, error.retried) == ("CreateInCrm", "invalid", False)
    assert error.message == "Salesforce requires Region__c on Contact, and this item has nothing to fill it with"
    assert world.crm.all("Contact") == [] and outcome.counts[CONTACTS].failed == 1


def test_an_update_that_would_blank_a_required_field_is_refused_and_salesforce_keeps_it():
    plain = MappingTable("contact_plain", CONTACTS, "Contact", (
        MappingRow("surname", "LastName"), MappingRow("job_title", "Title")))
    world = _contact_world(plain)
    card = world.mailbox.put(CONTACTS, ContactItem("", "Jane", "Doe", "jane@client.test"))
    world.sync()
    world.mailbox.edit(CONTACTS, card.item_id, surname="", job_title="CFO")
    outcome = world.sync()
    [record] = world.crm.all("Contact")
    assert record.fields["LastName"] == "Doe"
    assert [(e.action, e.message) for e in outcome.errors] == [
        ("UpdateCrm", "Salesforce requires LastName; the mailbox item leaves it empty, so the update is not sent")]


def test_the_derived_last_name_never_blanks_salesforce_when_the_family_name_is_removed():
    world = _contact_world()
    card = world.mailbox.put(CONTACTS, ContactItem("", "Jane", "Doe", "jane@client.test", company="Acme"))
    world.sync()
    world.mailbox.edit(CONTACTS, card.item_id, surname="")
    assert world.sync().errors == ()
    assert world.crm.all("Contact")[0].fields["LastName"] == "Acme"


def test_a_shared_meeting_deleted_by_one_attendee_stays_until_the_last_holder_deletes_it():
    world = World()
    bob_box, bob = world.second_mailbox("bob", "005000000000002")
    shared = dict(uid="shared-1", organizer="alice@example.com")
    ann_item = world.mailbox.put(CAL, meeting("Pricing call", **shared))
    bob_item = bob_box.put(CAL, meeting("Pricing call", **shared))
    world.sync()
    world.sync(bob_box, bob)
    assert len(world.events()) == 1
    bob_box.remove(CAL, bob_item.item_id)
    world.sync(bob_box, bob)
    assert len(world.events()) == 1
    world.mailbox.remove(CAL, ann_item.item_id)
    world.sync()
    assert world.events() == []


def test_crm_contacts_written_to_a_category_scoped_book_carry_the_category():
    world = _contact_world()
    world.policy = replace(world.policy, contact_category="Salesforce")
    world.crm.create("Contact", OWNER, LastName="Crm")
    world.mailbox.put(CONTACTS, ContactItem("", "Out", "Ofscope", "out@home.test"))
    world.sync()
    assert [(c.surname, c.categories) for c in world.mailbox.items[CONTACTS].values()] == [
        ("Ofscope", ()), ("Crm", ("Salesforce",))]
    assert [r.fields["LastName"] for r in world.crm.all("Contact")] == ["Crm"]



def test_linking_a_card_without_family_name_keeps_the_existing_contacts_last_name():
    world = _contact_world()
    world.crm.create("Contact", OWNER, FirstName="Jane", LastName="Doe", Email="jane@client.test")
    card = world.mailbox.put(CONTACTS, ContactItem("", "Jane", "", "JANE@client.test", display_name="Jane"))
    assert world.sync().errors == ()
    [record] = world.crm.all("Contact")
    assert record.fields["LastName"] == "Doe"
    assert world.mailbox.items[CONTACTS][card.item_id].surname == "Doe"
