"""The dateutil expander on rules the reference comparison does not cover: what it refuses (a
per-item error naming the rule, never one guessed record), UNTIL forms, and DST gaps and folds."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.recurrence import RruleExpander
from app.sync.errors import UnsupportedRecurrence
from app.sync.items import CalendarException, CalendarItem
from app.sync.recurrence import expand_series

BERLIN = ZoneInfo("Europe/Berlin")
LOW, HIGH = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def series(rrule: str, start: datetime = datetime(2026, 3, 2, 10, tzinfo=BERLIN),
           length: timedelta = timedelta(hours=1), **extra) -> CalendarItem:
    return CalendarItem("s.ics", "u", subject="S", start=start, end=start + length, timezone="Europe/Berlin",
                        rrule=rrule, **extra)


def starts(item: CalendarItem) -> list[str]:
    return [o.start.isoformat() for o in expand_series(item, LOW, HIGH, RruleExpander()) if o.start]


@pytest.mark.parametrize("rrule", ["FREQ=MONTHLY;RSCALE=HEBREW;BYMONTHDAY=1", "FREQ=YEARLY;SKIP=FORWARD",
                                   "FREQ=WEEKLY;X-MS-OLK-FOO=1", "INTERVAL=2", "FREQ=FORTNIGHTLY",
                                   "FREQ=DAILY;UNTIL=2026-13-45", "FREQ=MINUTELY"])
def test_a_rule_that_cannot_be_expanded_faithfully_is_refused_saying_so(rrule):
    with pytest.raises(UnsupportedRecurrence) as refused:
        expand_series(series(rrule, start=datetime(2016, 3, 2, 10, tzinfo=BERLIN)), LOW, HIGH, RruleExpander())
    assert str(refused.value)


@pytest.mark.parametrize(("until", "last"), [
    ("20260305T090000Z", "2026-03-05T10:00:00+01:00"),   # UTC UNTIL with a zoned start: inclusive
    ("20260305T085959Z", "2026-03-04T10:00:00+01:00"),
    ("20260305", "2026-03-05T10:00:00+01:00"),           # a DATE bounds its whole day
    ("20260305T100000", "2026-03-05T10:00:00+01:00"),    # floating UNTIL: the series' wall time
])
def test_until_forms(until, last):
    assert starts(series(f"FREQ=DAILY;UNTIL={until}"))[-1] == last


def test_a_start_in_the_spring_gap_moves_forward_by_the_gap_and_keeps_its_duration():
    item = series("FREQ=DAILY;COUNT=3", start=datetime(2026, 3, 28, 2, 30, tzinfo=BERLIN),
                  length=timedelta(minutes=45))
    occurrences = expand_series(item, LOW, HIGH, RruleExpander())
    assert [o.start.astimezone(UTC).isoformat() for o in occurrences] == [
        "2026-03-28T01:30:00+00:00", "2026-03-29T01:30:00+00:00", "2026-03-30T00:30:00+00:00"]
    assert occurrences[1].start.astimezone(BERLIN).hour == 3  # 02:30 does not exist: 03:30 CEST
    assert {o.end - o.start for o in occurrences} == {timedelta(minutes=45)}
    assert all(o.end.astimezone(UTC) > o.start.astimezone(UTC) for o in occurrences)


def test_an_ambiguous_start_in_the_autumn_fold_takes_the_first_instant():
    item = series("FREQ=DAILY;COUNT=2", start=datetime(2026, 10, 24, 2, 30, tzinfo=BERLIN))
    second = expand_series(item, LOW, HIGH, RruleExpander())[1]
    assert second.start.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, not CET
    assert second.end.astimezone(UTC) - second.start.astimezone(UTC) == timedelta(hours=1)


def test_an_override_moved_into_the_window_from_outside_it_is_an_occurrence():
    item = series("FREQ=MONTHLY;COUNT=3", start=datetime(2025, 11, 10, 10, tzinfo=BERLIN), exceptions=(
        CalendarException(datetime(2025, 11, 10, 9, tzinfo=UTC), start=datetime(2026, 1, 5, 10, tzinfo=BERLIN),
                          end=datetime(2026, 1, 5, 11, tzinfo=BERLIN)),))
    [moved, january] = expand_series(item, LOW, HIGH, RruleExpander())
    assert moved.recurrence_id == datetime(2025, 11, 10, 9, tzinfo=UTC)
    assert moved.start == datetime(2026, 1, 5, 10, tzinfo=BERLIN) and january.start.day == 10


def test_this_and_future_shifts_every_later_occurrence_and_later_overrides_still_apply():
    rid = datetime(2026, 3, 16, 9, tzinfo=UTC)
    item = series("FREQ=WEEKLY;COUNT=5", exceptions=(
        CalendarException(rid, start=datetime(2026, 3, 16, 11, tzinfo=BERLIN),
                          end=datetime(2026, 3, 16, 11, 30, tzinfo=BERLIN), subject="S2", this_and_future=True),
        CalendarException(datetime(2026, 3, 30, 8, tzinfo=UTC), location="Room 2")))
    got = [(o.start.astimezone(BERLIN).strftime("%d %H:%M"), o.end - o.start, o.subject, o.location)
           for o in expand_series(item, LOW, HIGH, RruleExpander())]
    half = timedelta(minutes=30)
    assert got == [("02 10:00", timedelta(hours=1), "S", ""), ("09 10:00", timedelta(hours=1), "S", ""),
                   ("16 11:00", half, "S2", ""), ("23 11:00", half, "S2", ""), ("30 11:00", half, "S2", "Room 2")]


def test_all_day_series_occurrences_are_whole_days():
    item = CalendarItem("a.ics", "u", all_day=True, start_date=date(2026, 3, 27), end_date=date(2026, 3, 29),
                        rrule="FREQ=WEEKLY;COUNT=2")
    got = [(o.start_date, o.end_date) for o in expand_series(item, LOW, HIGH, RruleExpander())]
    assert got == [(date(2026, 3, 27), date(2026, 3, 29)), (date(2026, 4, 3), date(2026, 4, 5))]
