"""Mapping tables are plain data and are validated against the org's describe."""
from __future__ import annotations

from app.sync import (
    CALENDAR_AS_TASK_MAPPING,
    CONTACT_MAPPING,
    EVENT_MAPPING,
    TASK_MAPPING,
    Direction,
    MappingRow,
    MappingTable,
    validate_mapping,
)
from app.sync.errors import Reaction, reaction_for
from tests.unit.sync.sync_world import event_describe


def test_default_tables_survive_a_round_trip_through_plain_dicts():
    for table in (EVENT_MAPPING, TASK_MAPPING, CONTACT_MAPPING, CALENDAR_AS_TASK_MAPPING):
        assert MappingTable.from_dict(table.to_dict()) == table


def test_default_event_table_is_valid_against_an_event_describe():
    assert validate_mapping(EVENT_MAPPING, event_describe()) == []


def _with_row(row: MappingRow) -> MappingTable:
    return MappingTable("custom", EVENT_MAPPING.kind, "Event", EVENT_MAPPING.rows + (row,))


def test_unknown_salesforce_field_is_reported_on_its_row():
    errors = validate_mapping(_with_row(MappingRow("location", "Room__c")), event_describe())
    assert [(e.row, e.problem, e.salesforce_field) for e in errors] == [
        (len(EVENT_MAPPING.rows), "unknown_field", "Room__c"), (len(EVENT_MAPPING.rows), "duplicate_row", "Room__c")]


def test_type_mismatch_is_reported():
    describe = event_describe()
    describe["fields"].append({"name": "Room__c", "type": "double", "updateable": True, "createable": True})
    table = MappingTable("t", EVENT_MAPPING.kind, "Event", (MappingRow("location", "Room__c"),))
    assert [e.problem for e in validate_mapping(table, describe)] == ["type_mismatch"]


def test_non_updateable_field_is_reported_only_when_we_would_write_it():
    describe = event_describe()
    describe["fields"].append({"name": "Created__c", "type": "string", "length": 80, "updateable": False})
    writes = MappingTable("t", EVENT_MAPPING.kind, "Event", (MappingRow("location", "Created__c"),))
    reads = MappingTable("t", EVENT_MAPPING.kind, "Event", (MappingRow("location", "Created__c", Direction.TO_MAILBOX),))
    assert [e.problem for e in validate_mapping(writes, describe)] == ["not_updateable"]
    assert validate_mapping(reads, describe) == []


def test_unknown_mailbox_field_transform_and_picklist_value_are_reported():
    table = MappingTable("t", EVENT_MAPPING.kind, "Event", (
        MappingRow("colour", "Subject"),
        MappingRow("subject", "Subject", transform="rot13"),
        MappingRow("show_as", "ShowAs", transform="picklist", options={"values": {"busy": "Occupied"}}),
    ))
    assert [e.problem for e in validate_mapping(table, event_describe())] == [
        "unknown_mailbox_field", "unknown_transform", "unknown_picklist_value"]


def test_calendar_items_sync_as_tasks_by_choosing_another_table():
    describe = {"fields": [{"name": "Subject", "type": "string", "length": 255},
                           {"name": "ActivityDate", "type": "date"},
                           {"name": "Description", "type": "textarea", "length": 32000}]}
    assert validate_mapping(CALENDAR_AS_TASK_MAPPING, describe) == []


def test_error_reactions_are_a_table():
    assert reaction_for("cursor_expired") is Reaction.FULL_RESYNC
    assert reaction_for("auth") is Reaction.NEEDS_REAUTH
    assert reaction_for("temporary") is Reaction.RETRY_LATER
    assert reaction_for("invalid") is Reaction.MARK_FAILED
    assert reaction_for("something new") is Reaction.RETRY_LATER
