"""A session's Event work is done once: each series expanded once, all attendee relations in one call."""
from __future__ import annotations

import pytest

from app.sync import Attendee, FolderKind, identity
from tests.unit.sync.sync_world import World, meeting

CAL = FolderKind.CALENDAR
INVITEES = (Attendee("carol@client.com"), Attendee("dan@client.com"))


@pytest.fixture
def world() -> World:
    world = World()
    world.crm.people = {"carol@client.com": "003CAROL", "dan@client.com": "003DAN"}
    return world


def test_a_series_is_expanded_once_per_session(world, monkeypatch):
    expanded = []
    real = identity.expand_series

    def counting(master, low, high, expander):
        expanded.append(master.uid)
        return real(master, low, high, expander)

    monkeypatch.setattr(identity, "expand_series", counting)   # a spy: the real expansion still runs
    world.mailbox.put(CAL, meeting("Weekly", rrule="FREQ=WEEKLY;COUNT=4"))
    outcome = world.sync()
    assert expanded == ["uid-Weekly"]        # look-ups and plan share one expansion
    assert outcome.counts[CAL].created == 4 and len(world.events()) == 4


def test_attendee_relations_of_every_new_event_go_in_one_port_call(world):
    for n in range(12):
        world.mailbox.put(CAL, meeting(f"Call {n}", attendees=INVITEES))
    world.sync()
    assert world.crm.calls.count("replace_event_relations") == 1
    assert len(world.events()) == 12
    assert all([r.relation_id for r in world.crm.relations[e.record_id]] == ["003CAROL", "003DAN"]
               for e in world.events())


def test_a_rejected_relation_fails_only_its_own_event_and_is_retried(world):
    items = [world.mailbox.put(CAL, meeting(f"Call {n}", attendees=INVITEES)) for n in range(3)]
    world.sync()
    world.crm.faults.reject("replace_event_relations", lambda change: change.relations[0].relation_id == "003DAN",
                            "temporary")
    world.mailbox.edit(CAL, items[0].item_id, attendees=INVITEES[1:])     # Carol uninvited: Dan only
    world.mailbox.edit(CAL, items[1].item_id, attendees=INVITEES[:1])     # Dan uninvited: Carol only
    outcome = world.sync()
    assert [e.code for e in outcome.errors] == ["temporary"] and outcome.counts[CAL].updated == 1
    world.crm.faults.clear()
    assert world.sync().ok
    relations = {e.fields["Subject"]: [r.relation_id for r in world.crm.relations[e.record_id]]
                 for e in world.events()}
    assert relations == {"Call 0": ["003DAN"], "Call 1": ["003CAROL"], "Call 2": ["003CAROL", "003DAN"]}
