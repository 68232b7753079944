"""Recurring series: one Event per occurrence keyed by recurrence-id, never a duplicate."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.recurrence import RruleExpander
from app.sync import CalendarException, CalendarItem, FolderKind
from app.sync.errors import UnsupportedRecurrence
from app.sync.recurrence import expand_series
from tests.unit.sync.sync_world import World

BERLIN = ZoneInfo("Europe/Berlin")
CAL = FolderKind.CALENDAR
MARCH_NOW = datetime(2026, 3, 20, 8, tzinfo=UTC)


def weekly_series(count: int = 4) -> CalendarItem:
    """Thursdays 10:00 Berlin from 19 March 2026: crosses the 29 March DST change."""
    return CalendarItem("", "series-1", subject="Stand-up", start=datetime(2026, 3, 19, 10, tzinfo=BERLIN),
                        end=datetime(2026, 3, 19, 10, 30, tzinfo=BERLIN), timezone="Europe/Berlin",
                        rrule=f"FREQ=WEEKLY;BYDAY=TH;COUNT={count}")


def rid(day: int, month: int = 3, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def world() -> World:
    w = World()
    w.session = replace(w.session, now=MARCH_NOW)
    return w


def starts(world: World) -> list[str]:
    return sorted(r.fields["StartDateTime"] for r in world.events())


def test_weekly_series_expands_to_one_event_per_occurrence_at_local_ten_oclock_across_dst(world):
    world.mailbox.put(CAL, weekly_series())
    world.sync()
    assert starts(world) == ["2026-03-19T09:00:00.000+0000", "2026-03-26T09:00:00.000+0000",
                             "2026-04-02T08:00:00.000+0000", "2026-04-09T08:00:00.000+0000"]


def test_moved_occurrence_updates_its_event_instead_of_creating_a_second_one(world):
    series = world.mailbox.put(CAL, weekly_series())
    world.sync()
    moved = CalendarException(rid(26), start=datetime(2026, 3, 26, 14, tzinfo=BERLIN),
                              end=datetime(2026, 3, 26, 15, tzinfo=BERLIN), subject="Stand-up (moved)")
    world.mailbox.edit(CAL, series.item_id, exceptions=(moved,))
    outcome = world.sync()
    assert len(world.events()) == 4 and outcome.counts[CAL].created == 0
    [event] = [r for r in world.events() if r.fields["Subject"] == "Stand-up (moved)"]
    assert event.fields["StartDateTime"] == "2026-03-26T13:00:00.000+0000"


def test_cancelled_occurrence_deletes_only_its_event(world):
    series = world.mailbox.put(CAL, weekly_series())
    world.sync()
    world.mailbox.edit(CAL, series.item_id, exceptions=(CalendarException(rid(2, 4, 8), cancelled=True),))
    world.sync()
    assert starts(world) == ["2026-03-19T09:00:00.000+0000", "2026-03-26T09:00:00.000+0000",
                             "2026-04-09T08:00:00.000+0000"]
    world.mailbox.edit(CAL, series.item_id, subject="Daily stand-up")  # later master edits keep it cancelled
    world.sync()
    assert len(world.events()) == 3 and {r.fields["Subject"] for r in world.events()} == {"Daily stand-up"}


def test_salesforce_edit_of_one_occurrence_becomes_an_exception_without_new_events(world):
    series = world.mailbox.put(CAL, weekly_series())
    world.sync()
    [second] = [r for r in world.events() if r.fields["StartDateTime"].startswith("2026-03-26")]
    world.crm.edit("Event", second.record_id, Subject="Stand-up with customer")
    world.sync()
    world.sync()
    master = world.mailbox.items[CAL][series.item_id]
    assert [(e.recurrence_id, e.subject) for e in master.exceptions] == [(rid(26), "Stand-up with customer")]
    assert len(world.events()) == 4


def test_shortened_series_deletes_the_events_of_occurrences_that_no_longer_exist(world):
    series = world.mailbox.put(CAL, weekly_series(count=4))
    world.sync()
    world.mailbox.edit(CAL, series.item_id, rrule="FREQ=WEEKLY;BYDAY=TH;COUNT=2")
    world.sync()
    assert starts(world) == ["2026-03-19T09:00:00.000+0000", "2026-03-26T09:00:00.000+0000"]


def test_occurrences_outside_the_window_are_not_created(world):
    world.mailbox.put(CAL, replace(weekly_series(), rrule="FREQ=WEEKLY;BYDAY=TH"))
    world.sync()
    last = max(r.fields["StartDateTime"] for r in world.events())
    assert len(world.events()) == 9 and last < (MARCH_NOW + timedelta(days=60)).isoformat()


def test_last_weekday_of_the_month_series_becomes_one_event_per_month(world):
    world.mailbox.put(CAL, replace(weekly_series(), rrule="FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=3"))
    world.sync()
    assert starts(world) == ["2026-03-19T09:00:00.000+0000", "2026-03-31T08:00:00.000+0000",
                             "2026-04-30T08:00:00.000+0000"]


def test_series_the_product_cannot_expand_is_a_per_item_error_not_one_record(world):
    world.mailbox.put(CAL, replace(weekly_series(), rrule="FREQ=MONTHLY;RSCALE=HEBREW;BYMONTHDAY=1"))
    outcome = world.sync()
    assert world.events() == []
    [error] = outcome.errors
    assert error.code == "unsupported_recurrence" and "RSCALE" in error.message and "Stand-up" in error.message
    assert not error.retried


def test_series_without_an_expander_is_refused_not_guessed():
    master = weekly_series()
    with pytest.raises(UnsupportedRecurrence):
        expand_series(master, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC), None)


def test_monthly_rule_on_the_31st_skips_short_months():
    master = CalendarItem("s", "u", start=datetime(2026, 1, 31, 9, tzinfo=UTC),
                          end=datetime(2026, 1, 31, 10, tzinfo=UTC), rrule="FREQ=MONTHLY;COUNT=3")
    occurrences = expand_series(master, datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC),
                                RruleExpander())
    assert [o.start.date().isoformat() for o in occurrences] == ["2026-01-31", "2026-03-31", "2026-05-31"]


def test_salesforce_edit_of_an_occurrence_field_an_exception_cannot_carry_is_not_claimed_as_synced(world):
    series = world.mailbox.put(CAL, weekly_series())
    world.sync()
    [second] = [r for r in world.events() if r.fields["StartDateTime"].startswith("2026-03-26")]
    world.crm.edit("Event", second.record_id, Description="Notes only Salesforce keeps")
    world.sync()
    assert world.mailbox.items[CAL][series.item_id].exceptions == ()
    world.mailbox.edit(CAL, series.item_id, body_text="Series agenda")  # the series owns the field again
    world.sync()
    assert {r.fields["Description"] for r in world.events()} == {"Series agenda"}
