"""A write the planner refuses is a failed item in the ID map (what GET …/failed-items lists): stored
with its reason, not retried unchanged, tried again on replay (and stored again while still refused),
cleared once the item syncs. The end-to-end proofs are in tests/e2e/test_refusals_e2e.py."""
from __future__ import annotations

from dataclasses import replace

from app.sync import ContactItem, FolderKind, MappingRow, MappingTable, bind_mapping
from app.sync.idmap import IdMapEntry
from tests.unit.sync.sync_world import World, event_describe, meeting

CONTACTS = FolderKind.CONTACTS
PLAIN = MappingTable("contact_plain", CONTACTS, "Contact", (
    MappingRow("surname", "LastName"), MappingRow("job_title", "Title")))
DESCRIBE = {"name": "Contact", "fields": [
    {"name": "Title", "type": "string", "createable": True, "updateable": True, "nillable": True},
    {"name": "LastName", "type": "string", "createable": True, "updateable": True, "nillable": False,
     "defaultedOnCreate": False}]}


def failed(world: World) -> list[IdMapEntry]:
    return [e for e in world.id_map.rows.values() if e.last_error]


def replay(world: World) -> None:
    world.id_map.put([replace(e, attempts=0) for e in failed(world)])   # what POST …/failed-items/replay does


def test_a_refused_update_is_a_failed_item_replayed_while_refused_and_cleared_when_fixed():
    world = World()
    world.mappings = (bind_mapping(PLAIN, DESCRIBE),)
    card = world.mailbox.put(CONTACTS, ContactItem("", "Jane", "Doe", "jane@client.test"))
    world.sync()
    world.mailbox.edit(CONTACTS, card.item_id, surname="", job_title="CFO")
    world.sync()
    [entry] = failed(world)
    assert entry.last_error == ("invalid: Salesforce requires LastName; the mailbox item leaves it empty, "
                                "so the update is not sent")
    assert entry.attempts >= world.policy.max_attempts and entry.crm_id == world.crm.all("Contact")[0].record_id
    assert world.sync().errors == ()             # a dead letter: not retried unchanged
    replay(world)
    assert [e.action for e in world.sync().errors] == ["UpdateCrm"]
    assert [e.sync_key for e in failed(world)] == [entry.sync_key]
    world.mailbox.edit(CONTACTS, card.item_id, surname="Dough")
    assert world.sync().errors == () and failed(world) == []
    assert {k: world.crm.all("Contact")[0].fields[k] for k in ("LastName", "Title")} == {
        "LastName": "Dough", "Title": "CFO"}


def test_refused_occurrences_are_failed_items_that_leave_with_their_series():
    describe = event_describe()
    describe["fields"].append({"name": "Region__c", "type": "picklist", "createable": True, "nillable": False,
                               "defaultedOnCreate": False})
    world = World(describe=describe)
    series = world.mailbox.put(FolderKind.CALENDAR, meeting("Stand-up", rrule="FREQ=WEEKLY;COUNT=3"))
    assert [e.code for e in world.sync().errors] == ["invalid"] * 3
    assert len(failed(world)) == 3 and {e.series_id for e in failed(world)} == {series.item_id}
    replay(world)
    assert len(world.sync().errors) == 3 and len(failed(world)) == 3    # still refused: listed again, once each
    world.mailbox.remove(FolderKind.CALENDAR, series.item_id)
    world.sync()
    assert failed(world) == [] and world.events() == []
