"""Salesforce recurring series ⇄ mailbox series, through the real port against the emulator."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, timedelta

import pytest

from app.sync.transforms import format_sf_datetime, parse_sf_datetime
from tests.providers.salesforce.test_crm_port_world import CAL, NOW, PortWorld, meeting

FIRST = (NOW + timedelta(days=1)).astimezone(UTC)


@pytest.fixture
def pw(world) -> PortWorld:
    return PortWorld(world)


def _weekly_series(pw: PortWorld, weeks: int = 4, **extra) -> str:
    last = (FIRST + timedelta(weeks=weeks - 1)).date().isoformat()
    mask = 1 << ((FIRST.weekday() + 1) % 7)      # Sunday = 1 … Saturday = 64
    return pw.sf.emu.insert(pw.sf.org, "Event", {
        "Subject": "Account review", "Description": "agenda", "IsRecurrence": True,
        "StartDateTime": format_sf_datetime(FIRST), "EndDateTime": format_sf_datetime(FIRST + timedelta(hours=1)),
        "RecurrenceStartDateTime": format_sf_datetime(FIRST), "RecurrenceEndDateOnly": last,
        "RecurrenceType": "RecursWeekly", "RecurrenceInterval": 1, "RecurrenceDayOfWeekMask": mask,
        "RecurrenceTimeZoneSidKey": "UTC", "OwnerId": pw.sf.user, **extra})


def _children(pw: PortWorld, master: str) -> list[dict]:
    kids = [e for e in pw.events() if e.get("RecurrenceActivityId") == master]
    return sorted(kids, key=lambda e: e["StartDateTime"])


def test_a_salesforce_series_reaches_the_mailbox_as_one_series_with_its_moved_and_deleted_occurrences(pw):
    master = _weekly_series(pw)
    kids = _children(pw, master)
    moved_to = parse_sf_datetime(kids[1]["StartDateTime"]) + timedelta(hours=2)
    pw.edit_in_salesforce(kids[1]["Id"], StartDateTime=format_sf_datetime(moved_to),
                          EndDateTime=format_sf_datetime(moved_to + timedelta(hours=1)), Subject="Review (moved)")
    pw.delete_in_salesforce(kids[2]["Id"])
    pw.sync()
    [series] = pw.calendar()
    assert series.rrule and "FREQ=WEEKLY" in series.rrule and series.subject == "Account review"
    assert series.start == FIRST
    by_rid = {e.recurrence_id: e for e in series.exceptions}
    assert by_rid[FIRST + timedelta(weeks=2)].cancelled
    override = by_rid[FIRST + timedelta(weeks=1)]
    assert (override.start, override.subject) == (moved_to, "Review (moved)")
    assert len(by_rid) == 2
    again = pw.sync()
    assert again.counts[CAL].created == 0 and len(pw.calendar()) == 1
    assert len(pw.events()) == 4                    # master + 3 children: nothing was mirrored back as new


def test_edits_of_one_occurrence_and_of_the_series_reach_the_right_salesforce_records(pw):
    master = _weekly_series(pw)
    pw.sync()
    [series] = pw.calendar()
    kids = _children(pw, master)
    third = FIRST + timedelta(weeks=2)
    pw.mailbox.update_items(CAL, [_patch(series.item_id, third, subject="Review with CFO")])
    pw.sync()
    assert [k["Subject"] for k in _children(pw, master)] == [
        "Account review", "Account review", "Review with CFO", "Account review"]
    pw.mailbox.edit(CAL, series.item_id, body_text="new agenda")
    pw.sync()
    events = {e["Id"]: e for e in pw.events()}
    assert events[master]["Description"] == "new agenda"
    assert {events[k["Id"]]["Description"] for k in kids} == {"new agenda"}
    pw.edit_in_salesforce(kids[0]["Id"], Location="Room 9")
    pw.sync()
    [series] = pw.calendar()
    assert {e.recurrence_id: e.location for e in series.exceptions}[FIRST] == "Room 9"


def test_a_single_meeting_that_becomes_a_series_keeps_its_salesforce_event_and_links(pw):
    account = pw.sf.emu.insert(pw.sf.org, "Account", {"Name": "Globex"})
    item = pw.mailbox.put(CAL, meeting("Kick-off", days=1))
    pw.sync()
    [event] = pw.events()
    pw.edit_in_salesforce(event["Id"], WhatId=account)
    pw.sync()
    pw.mailbox.edit(CAL, item.item_id, rrule="FREQ=WEEKLY;COUNT=3")
    pw.sync()
    events = sorted(pw.events(), key=lambda e: e["StartDateTime"])
    assert len(events) == 3
    assert events[0]["Id"] == event["Id"] and events[0]["WhatId"] == account
    pw.mailbox.edit(CAL, item.item_id, rrule=None)          # and back to a single meeting
    pw.sync()
    [kept] = pw.events()
    assert (kept["Id"], kept["WhatId"]) == (event["Id"], account)


def _patch(series_id: str, rid, **changes):
    from app.sync.items import occurrence_id
    from app.sync.ports import ItemPatch
    return ItemPatch(occurrence_id(series_id, rid), changes)


def test_salesforce_edits_of_the_series_change_the_mailbox_series_not_every_occurrence(pw):
    master = _weekly_series(pw)
    pw.sync()
    [series] = pw.calendar()
    pw.mailbox.update_items(CAL, [_patch(series.item_id, FIRST + timedelta(weeks=1), subject="Own subject")])
    pw.sync()
    pw.edit_in_salesforce(master, Subject="Quarterly account review")
    pw.sync()
    [series] = pw.calendar()
    assert series.subject == "Quarterly account review"
    # Salesforce: a change of the series overrides that field on every occurrence, the edited one included
    assert [(e.recurrence_id, e.subject) for e in series.exceptions] == [
        (FIRST + timedelta(weeks=1), "Quarterly account review")]
    assert pw.sync().counts[CAL].updated == 0


def test_a_new_pattern_in_salesforce_moves_the_mailbox_series_and_relinks_the_new_occurrences(pw):
    master = _weekly_series(pw)
    pw.sync()
    pw.edit_in_salesforce(master, RecurrenceEndDateOnly=(FIRST + timedelta(weeks=5)).date().isoformat())
    pw.sync()
    [series] = pw.calendar()
    assert f"UNTIL={(FIRST + timedelta(weeks=5)).strftime('%Y%m%d')}" in (series.rrule or "")
    assert [e for e in series.exceptions if e.cancelled] == []
    kids = _children(pw, master)
    assert len(kids) == 6 and all(k["Syncline_Key__c"] is None for k in kids)
    third = FIRST + timedelta(weeks=2)
    pw.mailbox.update_items(CAL, [_patch(series.item_id, third, location="Room 3")])
    pw.sync()
    assert [k["Location"] for k in _children(pw, master)] == [None, None, "Room 3", None, None, None]
    assert pw.sync().counts[CAL].updated == 0


def test_deleting_the_series_on_either_side_deletes_it_with_all_its_occurrences(pw):
    master = _weekly_series(pw)
    pw.sync()
    pw.delete_in_salesforce(master)
    outcome = pw.sync()
    assert pw.calendar() == [] and outcome.ok
    _weekly_series(pw, Subject="Second series")
    pw.sync()
    [series] = pw.calendar()
    pw.mailbox.remove(CAL, series.item_id)
    outcome = pw.sync()
    assert pw.events() == [] and outcome.ok, outcome.errors


def test_the_last_occurrence_deleted_in_salesforce_is_not_shown_or_recreated(pw):
    master = _weekly_series(pw)
    last = _children(pw, master)[-1]
    pw.delete_in_salesforce(last["Id"])
    pw.sync()
    [series] = pw.calendar()
    assert [e.recurrence_id for e in series.exceptions if e.cancelled] == [FIRST + timedelta(weeks=3)]
    pw.mailbox.edit(CAL, series.item_id, location="Room 1")
    pw.sync()
    assert len(pw.events()) == 4 and {e["Location"] for e in pw.events()} == {"Room 1"}


def test_an_all_day_salesforce_series_keeps_its_deleted_day_out(pw):
    day = FIRST.date()
    master = pw.sf.emu.insert(pw.sf.org, "Event", {
        "Subject": "Trade fair", "IsRecurrence": True, "IsAllDayEvent": True, "ActivityDate": day.isoformat(),
        "DurationInMinutes": 1440, "RecurrenceStartDateTime": f"{day.isoformat()}T00:00:00Z",
        "RecurrenceEndDateOnly": (day + timedelta(days=3)).isoformat(), "RecurrenceType": "RecursDaily",
        "RecurrenceInterval": 1, "OwnerId": pw.sf.user})
    kids = _children(pw, master)
    assert len(kids) == 4
    pw.delete_in_salesforce(kids[2]["Id"])
    outcome = pw.sync()
    assert outcome.ok, outcome.errors
    [series] = pw.calendar()
    assert series.all_day and series.start_date == day and series.rrule == f"FREQ=DAILY;UNTIL={(day + timedelta(days=3)).strftime('%Y%m%d')}"
    assert [(e.recurrence_id.date(), e.cancelled) for e in series.exceptions] == [(day + timedelta(days=2), True)]
    assert pw.sync().counts[CAL].created == 0


def test_the_same_series_already_on_both_sides_is_linked_not_duplicated(pw):
    master = _weekly_series(pw)
    pw.mailbox.put(CAL, replace(meeting("Account review"), start=FIRST, end=FIRST + timedelta(hours=1),
                                rrule="FREQ=WEEKLY;COUNT=4"))
    outcome = pw.sync()
    assert outcome.ok, outcome.errors
    assert len(pw.calendar()) == 1
    assert len(pw.events()) == 5 and {e.get("RecurrenceActivityId") for e in pw.events()} == {None, master}
    again = pw.sync()
    assert again.counts[CAL].created == 0 and len(pw.calendar()) == 1 and len(pw.events()) == 5
