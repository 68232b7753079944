"""Describe cached per org, and write preparation from real field metadata."""
from __future__ import annotations

from app.providers.salesforce.describe import describe, forget_describe, prepare_for_write
from app.providers.salesforce.writes import RecordWriter


def test_second_describe_is_served_from_the_cache(world):
    client = world.client()
    before = world.emu.api_calls(world.org)
    first = describe(client, "Event")
    second = describe(world.client(), "Event")
    assert world.emu.api_calls(world.org) - before == 1
    assert first == second
    subject = first.field("subject")
    assert (subject.length, subject.createable, subject.type) == (255, True, "combobox")
    assert first.field("Syncline_Key__c").external_id
    assert "Busy" in first.field("ShowAs").picklist_values
    assert set(first.field("WhoId").reference_to) == {"Contact", "Lead"}
    assert not first.field("CreatedDate").createable


def test_cache_is_per_org_and_can_be_dropped(world, sf_emulator, sf_runtime):
    from tests.providers.salesforce.conftest import make_world
    client = world.client()
    world.emu.add_field(world.org, "Contact", "Tier__c", "string", length=10)
    assert describe(client, "Contact").field("Tier__c").length == 10
    other = make_world(sf_emulator, sf_runtime)
    assert describe(other.client(), "Contact").field("Tier__c") is None
    world.emu.add_field(world.org, "Contact", "Tier2__c", "string", length=5)
    forget_describe(client, "Contact")
    assert describe(client, "Contact").field("Tier2__c").length == 5


def test_prepare_for_write_truncates_and_drops_read_only_fields(world):
    client = world.client()
    meta = describe(client, "Contact")
    raw = {"LastName": "L" * 200, "Title": "T" * 300, "CreatedDate": "2020-01-01T00:00:00Z",
           "Name": "calculated", "NotAField__c": "x", "email": "a@b.test"}
    prepared = prepare_for_write(meta, raw, creating=True)
    assert prepared == {"LastName": "L" * 80, "Title": "T" * 128, "Email": "a@b.test"}
    result = RecordWriter(client).create("Contact", [prepared])[0]
    assert result.success
    updated = prepare_for_write(meta, {"Id": result.id, "Title": "x" * 999, "IsDeleted": True}, creating=False)
    assert updated == {"Id": result.id, "Title": "x" * 128}
    assert RecordWriter(client).update("Contact", [updated])[0].success


def test_a_fresh_describe_refreshes_the_cache_so_the_session_describes_each_object_once(world):
    """A session checks its fields with a fresh describe, then binds its mappings from the cache:
    one describe call per object, and the cache holds what the fresh call saw."""
    from app.providers.salesforce.field_setup import fresh_describe
    client = world.client()
    describe(client, "Contact")                       # a stale entry, from before the field
    world.emu.add_field(world.org, "Contact", "Tier3__c", "string", length=7)
    before = world.emu.api_calls(world.org)
    assert fresh_describe(client, "Contact").field("Tier3__c").length == 7
    assert describe(world.client(), "Contact").field("Tier3__c").length == 7
    assert world.emu.api_calls(world.org) - before == 1
