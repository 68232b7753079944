"""First contact never destroys data (issue 11, point 5).

Linking a mailbox item to an EXISTING Salesforce record (sync key, email, fuzzy match, a
relink after the ID map was lost, a colleague's copy of a shared meeting) has no agreed base:
an empty field on one side never blanks the other, both end up with the union, and only two
different values are a conflict, decided by the org policy on real modification times.
"""
from __future__ import annotations

from dataclasses import replace

import pytest

from app.sync import (
    CONTACT_MAPPING,
    ConflictPolicy,
    ContactItem,
    CrmRecord,
    FolderKind,
    PlanLookups,
    ResolveConflict,
    SyncPolicy,
    TaskItem,
    UpdateCrm,
    UpdateMailbox,
    bind_mapping,
    sync_key,
)
from app.sync.mapping import values_hashes
from tests.unit.sync.sync_world import NOW, OWNER, World, meeting
from tests.unit.sync.test_sync_plan import edited_item, edited_record, kinds, linked, plan, stored

CAL, CONTACTS, TASKS = FolderKind.CALENDAR, FolderKind.CONTACTS, FolderKind.TASKS
CONTACT_FIELDS = {"FirstName": "Maria", "LastName": "Anders", "Email": "maria@northwind.test"}


def _contact(world: World):
    [record] = world.crm.all("Contact")
    return record.fields


def _card(world: World) -> ContactItem:
    [card] = world.mailbox.items[CONTACTS].values()
    return card


@pytest.mark.parametrize("policy", list(ConflictPolicy))
def test_a_card_without_phone_and_title_never_blanks_them_and_gains_them(policy):
    world = World(policy=SyncPolicy(conflict=policy))
    world.crm.create("Contact", OWNER, **CONTACT_FIELDS, Phone="+1 206 555 0101", Title="Head of Purchasing")
    world.mailbox.put(CONTACTS, ContactItem("", "Maria", "Anders", "maria@northwind.test", company="Northwind"))
    outcome = world.sync()
    assert (_contact(world)["Phone"], _contact(world)["Title"]) == ("+1 206 555 0101", "Head of Purchasing")
    assert (_card(world).business_phone, _card(world).job_title) == ("+1 206 555 0101", "Head of Purchasing")
    assert not outcome.conflicts and not outcome.errors
    world.sync()
    assert len(world.crm.all("Contact")) == 1 and _contact(world)["Phone"] == "+1 206 555 0101"


@pytest.mark.parametrize("policy", list(ConflictPolicy))
def test_an_empty_salesforce_field_never_blanks_the_card_and_salesforce_gains_it(policy):
    world = World(policy=SyncPolicy(conflict=policy))
    world.crm.create("Contact", OWNER, **CONTACT_FIELDS, Title="Head of Purchasing")
    world.mailbox.put(CONTACTS, ContactItem("", "Maria", "Anders", "maria@northwind.test",
                                            mobile_phone="+49 170 555", notes="Met at the fair"))
    outcome = world.sync()
    assert (_contact(world)["MobilePhone"], _contact(world)["Description"]) == ("+49 170 555", "Met at the fair")
    assert (_card(world).mobile_phone, _card(world).job_title) == ("+49 170 555", "Head of Purchasing")
    assert not outcome.conflicts


def test_two_different_values_on_first_link_go_to_the_later_real_modification_time():
    world = World()
    world.mailbox.put(CONTACTS, ContactItem("", "Maria", "Anders", "maria@northwind.test", job_title="CFO"))
    world.crm.create("Contact", OWNER, **CONTACT_FIELDS, Title="Head of Purchasing")  # edited after the card
    [conflict] = world.sync().conflicts
    assert (conflict.field, conflict.winner) == ("job_title", "salesforce")
    assert conflict.mailbox_modified_at < conflict.salesforce_modified_at
    assert "first link" in conflict.reason and "Salesforce was modified last" in conflict.reason
    assert conflict.salesforce_modified_at.isoformat(timespec="seconds") in conflict.reason
    assert _card(world).job_title == _contact(world)["Title"] == "Head of Purchasing"


def test_without_a_mailbox_time_the_salesforce_value_is_kept_and_the_reason_says_why():
    world = World()
    world.mailbox.put(CONTACTS, ContactItem("", "Maria", "Anders", "maria@northwind.test", job_title="CFO"))
    world.crm.create("Contact", OWNER, **CONTACT_FIELDS, Title="Head of Purchasing")
    [item_id] = world.mailbox.items[CONTACTS]
    world.mailbox.items[CONTACTS][item_id] = replace(_card(world), job_title="CFO", modified_at=None)
    [conflict] = world.sync().conflicts
    assert conflict.winner == "salesforce" and conflict.mailbox_modified_at is None
    assert "mailbox item has no modification time" in conflict.reason and "modified last" not in conflict.reason
    assert _card(world).job_title == _contact(world)["Title"] == "Head of Purchasing"


def test_a_colleagues_copy_of_a_shared_meeting_never_blanks_the_events_description_and_location():
    world = World()
    world.mailbox.put(CAL, meeting("Renewal", uid="shared-1", location="Northwind HQ", body_text="Agenda: pricing"))
    world.sync()
    bob_mailbox, bob = world.second_mailbox("bob", "005000000000002")
    bob_mailbox.put(CAL, meeting("Renewal", uid="shared-1"))  # the invitee's copy: no location, no body
    outcome = world.sync(bob_mailbox, bob)
    [event] = world.events()
    assert (event.fields["Location"], event.fields["Description"]) == ("Northwind HQ", "Agenda: pricing")
    [copy] = world.calendar(bob_mailbox)
    assert (copy.location, copy.body_text) == ("Northwind HQ", "Agenda: pricing") and not outcome.conflicts


def test_a_task_linked_by_subject_and_due_date_keeps_its_salesforce_description():
    world = World()
    world.crm.create("Task", OWNER, Subject="Send the quote", ActivityDate=NOW.date().isoformat(),
                     Description="Volume tiers as agreed", Status="Not Started", Priority="Normal")
    world.mailbox.put(TASKS, TaskItem("", "Send the quote", due_date=NOW.date()))
    world.sync()
    [task] = world.crm.all("Task")
    [todo] = world.mailbox.items[TASKS].values()
    assert task.fields["Description"] == todo.body_text == "Volume tiers as agreed"


def test_relinking_after_the_id_map_was_lost_keeps_what_each_side_holds():
    world = World()
    item = world.mailbox.put(CAL, meeting("Renewal", location="Room 7"))
    world.sync()
    [event] = world.events()
    world.id_map.rows.clear()
    world.cursors = type(world.cursors)()   # a full resync: every item and record is listed again
    world.crm.edit("Event", event.record_id, Description="Bring the contract")
    world.mailbox.edit(CAL, item.item_id, subject="Renewal – final")  # the mailbox's edit is the later one
    outcome = world.sync()
    [event] = world.events()
    [copy] = world.calendar()
    assert event.fields["Description"] == copy.body_text == "Bring the contract"
    assert event.fields["Subject"] == copy.subject == "Renewal – final"
    assert event.fields["Location"] == copy.location == "Room 7" and len(world.events()) == 1
    assert [c.field for c in outcome.conflicts] == ["subject"] and outcome.conflicts[0].winner == "mailbox"


def test_a_row_without_an_agreed_value_is_not_blanked_by_an_edit_of_another_field():
    """A pair linked before a row was mapped (or whose base lost the row): the mailbox changing
    its subject must not send the mailbox's empty location over Salesforce's."""
    item = stored(meeting("Base"))
    entry, record = linked(item)
    entry = replace(entry, field_hashes={k: v for k, v in entry.field_hashes.items() if k != "location"})
    actions = plan([edited_item(item, subject="New")], [], [entry])
    [update] = [a for a in actions if isinstance(a, UpdateCrm)]
    assert update.fields == {"Subject": "New"}


def test_later_syncs_decide_a_conflict_only_for_a_side_that_changed_since_the_base():
    item = stored(meeting("Base", location="Room 1"))
    entry, record = linked(item)
    actions = plan([edited_item(item, subject="Mailbox subject", minutes=1)],
                   [edited_record(record, Location="Room 2", minutes=9)], [entry])
    assert not [a for a in actions if isinstance(a, ResolveConflict)]
    assert next(a for a in actions if isinstance(a, UpdateCrm)).fields == {"Subject": "Mailbox subject"}
    assert next(a for a in actions if isinstance(a, UpdateMailbox)).patch.changes == {"location": "Room 2"}


def test_a_later_conflict_without_a_salesforce_time_claims_none():
    item = stored(meeting("Base"))
    entry, record = linked(item)
    actions = plan([edited_item(item, subject="From the mailbox")],
                   [replace(edited_record(record, Subject="From Salesforce"), modified_at=None)], [entry])
    [conflict] = [a.conflict for a in actions if isinstance(a, ResolveConflict)]
    assert conflict.winner == "salesforce" and conflict.salesforce_modified_at is None
    assert "Salesforce record has no modification time" in conflict.reason and "modified last" not in conflict.reason


def test_link_by_sync_key_writes_only_what_the_record_lacks():
    item = stored(meeting("Renewal", location="Room 7"))
    _, record = linked(replace(item, location="", body_text="From Salesforce"), record_id="00UOTHER")
    key = sync_key("org1", f"ical:{item.uid}")
    actions = plan([item], lookups=PlanLookups(existing_by_key={key: record}))
    assert kinds(actions) == ["UpdateCrm", "UpdateMailbox"]
    assert actions[0].fields == {"Location": "Room 7"}
    assert actions[1].patch.changes == {"body_text": "From Salesforce", "body_html": ""}


def test_the_agreed_base_after_a_union_holds_both_sides_values():
    contacts = bind_mapping(CONTACT_MAPPING)
    card = ContactItem("card-1", "Maria", "Anders", "maria@northwind.test", version="v1", modified_at=NOW)
    record = CrmRecord("Contact", "003X", {**CONTACT_FIELDS, "Phone": "+1 206", "OwnerId": OWNER}, "cv1", NOW)
    key = sync_key("org1", "email:maria@northwind.test")   # a card's org-wide identity is its address
    actions = plan([card], lookups=PlanLookups(fuzzy_candidates={key: (record,)}), mapping=contacts)
    after = actions[-1].entry
    expected = values_hashes({"business_phone": "+1 206", "surname": "Anders", "email": "maria@northwind.test"})
    assert {k: after.field_hashes[k] for k in expected} == expected


def test_a_colleagues_create_racing_the_first_one_never_blanks_the_event(monkeypatch):
    """Both sessions looked the shared meeting's key up before either created it: the second
    create becomes an upsert onto the first one's Event, and it carries no empty fields."""
    world = World()
    world.mailbox.put(CAL, meeting("Renewal", uid="shared-2", location="Northwind HQ", body_text="Agenda"))
    bob_mailbox, bob = world.second_mailbox("bob", "005000000000002")
    bob_mailbox.put(CAL, meeting("Renewal", uid="shared-2"))
    world.sync()
    real, calls = world.crm.find_by_sync_keys, []

    def stale_first_lookup(object_type, keys):  # Bob's look-up ran before Ann's create landed
        calls.append(keys)
        return {} if len(calls) == 1 else real(object_type, keys)

    monkeypatch.setattr(world.crm, "find_by_sync_keys", stale_first_lookup)
    world.sync(bob_mailbox, bob)
    [event] = world.events()
    assert (event.fields["Location"], event.fields["Description"]) == ("Northwind HQ", "Agenda")
