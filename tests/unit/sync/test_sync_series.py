"""A Salesforce Event that becomes a series keeps its record and its mailbox item (in-memory org).

Salesforce Classic makes IsRecurrence create-only, but an org (or its Lightning event series) can
turn one Event into a series; whatever does it, the Event's links must survive and the mailbox
item must become the series instead of being duplicated.
"""
from __future__ import annotations

from datetime import timedelta

from app.sync.transforms import format_sf_datetime
from tests.unit.sync.sync_world import NOW, OWNER, World

START = NOW + timedelta(days=2)


def _timing(start):
    return {"StartDateTime": format_sf_datetime(start), "EndDateTime": format_sf_datetime(start + timedelta(hours=1)),
            "IsAllDayEvent": False}


def test_a_salesforce_event_that_becomes_a_series_turns_its_mailbox_item_into_the_series():
    world = World()
    event = world.crm.create("Event", OWNER, Subject="Onboarding", WhatId="001000000000009", IsRecurrence=False,
                             **_timing(START))
    world.sync()
    [item] = world.calendar()
    world.crm.edit("Event", event.record_id, IsRecurrence=True, RecurrenceType="RecursDaily", RecurrenceInterval=1,
                   RecurrenceStartDateTime=format_sf_datetime(START),
                   RecurrenceEndDateOnly=(START + timedelta(days=2)).date().isoformat(), RecurrenceTimeZoneSidKey="UTC")
    for day in range(3):
        world.crm.create("Event", OWNER, Subject="Onboarding", RecurrenceActivityId=event.record_id,
                         IsRecurrence=False, **_timing(START + timedelta(days=day)))
    outcome = world.sync()
    assert outcome.ok, outcome.errors
    [series] = world.calendar()
    assert series.item_id == item.item_id and series.rrule and series.rrule.startswith("FREQ=DAILY")
    assert len(world.events()) == 4 and world.crm.records["Event"][event.record_id].fields["WhatId"]
    again = world.sync()
    assert again.counts[world.mappings[0].table.kind].created == 0 and len(world.calendar()) == 1
