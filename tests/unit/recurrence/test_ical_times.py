"""Reading and writing CalDAV times (RFC 5545 §3.3.5, §3.6.1): floating times in the owner's zone,
DATE vs DATE-TIME ends, DURATION, missing or backwards ends, zones named only by Exchange, and
writing a series back without drift."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.providers.imap_dav.ical_event import read_event, write_event
from app.providers.imap_dav.ical_task import read_task, write_task
from tests.recurrence_corpus import (
    FLOATING_WEEKLY,
    MIXED_VALUE_TYPES,
    NOMINAL_DAY_DURATION,
    OUTLOOK_WEEKLY_DST,
    RDATE_AND_EXDATE,
    THIS_AND_FUTURE,
    TWO_RULES_AND_EXRULE,
    vcalendar,
)

CHICAGO = ZoneInfo("America/Chicago")


def read(lines: str, owner: str = "UTC"):
    item = read_event("/cal/e.ics", "etag", vcalendar(f"UID:e\nSUMMARY:E\n{lines.strip()}"), owner)
    assert item is not None
    return item


def test_floating_time_is_the_owners_wall_clock_time_not_utc():
    item = read("DTSTART:20260710T090000\nDTEND:20260710T100000", owner="America/Chicago")
    assert item.start == datetime(2026, 7, 10, 9, tzinfo=CHICAGO) and item.timezone == "America/Chicago"
    assert item.start.astimezone(UTC).hour == 14


@pytest.mark.parametrize(("lines", "span"), [
    ("DTSTART;VALUE=DATE:20260401\nDTEND;VALUE=DATE:20260403", (date(2026, 4, 1), date(2026, 4, 3))),
    ("DTSTART;VALUE=DATE:20260401", (date(2026, 4, 1), date(2026, 4, 2))),                   # missing: one day
    ("DTSTART;VALUE=DATE:20260401\nDTEND:20260403T000000", (date(2026, 4, 1), date(2026, 4, 3))),
    ("DTSTART;VALUE=DATE:20260401\nDTEND:20260402T120000", (date(2026, 4, 1), date(2026, 4, 3))),
    ("DTSTART;VALUE=DATE:20260401\nDURATION:P3D", (date(2026, 4, 1), date(2026, 4, 4))),
    ("DTSTART;VALUE=DATE:20260401\nDTEND;VALUE=DATE:20260401", (date(2026, 4, 1), date(2026, 4, 2))),  # repaired
])
def test_all_day_spans(lines, span):
    item = read(lines)
    assert item.all_day and (item.start_date, item.end_date) == span


@pytest.mark.parametrize(("lines", "end"), [
    ("DTSTART;TZID=Europe/Berlin:20260401T100000", "2026-04-01T10:00:00+02:00"),                # missing: zero
    ("DTSTART;TZID=Europe/Berlin:20260401T100000\nDTEND;TZID=Europe/Berlin:20260401T090000",
     "2026-04-01T10:00:00+02:00"),                                                              # backwards: repaired
    ("DTSTART;TZID=Europe/Berlin:20260401T100000\nDTEND:20260401T093000Z", "2026-04-01T11:30:00+02:00"),
    ("DTSTART;TZID=Europe/Berlin:20260401T100000\nDURATION:PT90M", "2026-04-01T11:30:00+02:00"),
    ("DTSTART;TZID=Europe/Berlin:20260328T100000\nDURATION:P1D", "2026-03-29T10:00:00+02:00"),  # nominal day
    ("DTSTART;TZID=Europe/Berlin:20260401T100000\nDTEND;VALUE=DATE:20260402", "2026-04-02T00:00:00+02:00"),
])
def test_timed_ends(lines, end):
    item = read(lines)
    assert not item.all_day and item.end.isoformat() == end and item.end >= item.start


def test_outlook_midnight_to_midnight_flagged_all_day_is_all_day():
    item = read("DTSTART;TZID=Europe/Berlin:20260401T000000\nDTEND;TZID=Europe/Berlin:20260403T000000\n"
                "X-MICROSOFT-CDO-ALLDAYEVENT:TRUE")
    assert item.all_day and (item.start_date, item.end_date) == (date(2026, 4, 1), date(2026, 4, 3))


def test_a_date_recurrence_id_on_a_timed_series_names_that_days_occurrence():
    ics = vcalendar("UID:r\nSUMMARY:S\nDTSTART;TZID=Europe/Berlin:20260302T100000\n"
                    "DTEND;TZID=Europe/Berlin:20260302T110000\nRRULE:FREQ=DAILY;COUNT=5",
                    "UID:r\nSUMMARY:S\nRECURRENCE-ID;VALUE=DATE:20260304\n"
                    "DTSTART;TZID=Europe/Berlin:20260304T150000\nDTEND;TZID=Europe/Berlin:20260304T160000")
    item = read_event("/cal/r.ics", "etag", ics, "UTC")
    [moved] = item.exceptions
    assert moved.recurrence_id == datetime(2026, 3, 4, 9, tzinfo=UTC)
    assert moved.start == datetime(2026, 3, 4, 15, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.mark.parametrize(("tzid", "zone"), [
    ('"(UTC-05:00) Eastern Time (US & Canada)"', "America/New_York"),
    ('"(UTC+01:00) Amsterdam, Berlin, Bern, Rome, Stockholm, Vienna"', "Europe/Amsterdam"),
    ('"tzone://Microsoft/Utc"', "UTC"),
    ("/freeassociation.sourceforge.net/Tzfile/Europe/London", "Europe/London"),
    ("Pacific Standard Time", "America/Los_Angeles"),
])
def test_zones_named_without_a_vtimezone(tzid, zone):
    item = read(f"DTSTART;TZID={tzid}:20260710T090000\nDTEND;TZID={tzid}:20260710T100000", owner="Asia/Tokyo")
    assert item.timezone == zone and item.start == datetime(2026, 7, 10, 9, tzinfo=ZoneInfo(zone))


@pytest.mark.parametrize(("name", "owner", "ics"), [FLOATING_WEEKLY, OUTLOOK_WEEKLY_DST, RDATE_AND_EXDATE,
                                                    THIS_AND_FUTURE, NOMINAL_DAY_DURATION, TWO_RULES_AND_EXRULE,
                                                    MIXED_VALUE_TYPES],
                         ids=lambda v: v if len(v) < 60 else "")
def test_writing_a_series_back_reads_back_the_same_series(name, owner, ics):
    item = read_event("/cal/s.ics", "etag", ics, owner)
    again = read_event("/cal/s.ics", "etag", write_event(item, ics), owner)
    fresh = read_event("/cal/s.ics", "etag", write_event(item, None), owner)
    for copy in (again, fresh):
        assert copy is not None
        assert (copy.start, copy.end, copy.timezone, copy.rrule, copy.rdates, copy.nominal_duration) == \
               (item.start, item.end, item.timezone, item.rrule, item.rdates, item.nominal_duration)
        assert copy.exceptions == item.exceptions


def test_a_floating_series_stays_floating_when_written_back():
    _, owner, ics = FLOATING_WEEKLY
    item = read_event("/cal/s.ics", "etag", ics, owner)
    written = write_event(replace(item, subject="Gym (renamed)"), ics)
    assert "DTSTART:20260302T073000" in written and "TZID" not in written


def todo(lines: str) -> str:
    return ("BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:x\nBEGIN:VTODO\nUID:t\nDTSTAMP:20260101T000000Z\nSUMMARY:Call\n"
            f"{lines.strip()}\nEND:VTODO\nEND:VCALENDAR\n")


@pytest.mark.parametrize(("lines", "owner", "due"), [
    ("DUE;VALUE=DATE:20260310", "Europe/Berlin", date(2026, 3, 10)),
    ("DUE:20260310T230000Z", "Europe/Berlin", date(2026, 3, 11)),                 # UTC late evening: next day
    ("DUE;TZID=America/New_York:20260310T220000", "Europe/Berlin", date(2026, 3, 11)),
    ("DUE:20260310T230000", "Europe/Berlin", date(2026, 3, 10)),                  # floating: the owner's day
    ("DTSTART;VALUE=DATE:20260310\nDURATION:P2D", "UTC", date(2026, 3, 12)),      # RFC 5545 §3.6.2
    ("DTSTART:20260310T090000Z", "UTC", None),
])
def test_task_due_day_is_the_owners_day(lines, owner, due):
    task = read_task("/t.ics", "e", todo(lines), owner)
    assert task is not None and task.due_date == due


def test_task_written_back_keeps_an_unchanged_due_and_moves_a_changed_one_in_the_owners_zone():
    text = todo("DUE;TZID=America/New_York:20260310T220000")
    task = read_task("/t.ics", "e", text, "Europe/Berlin")
    assert "DUE;TZID=America/New_York:20260310T220000" in write_task(task, text, "t", "Europe/Berlin")
    moved = write_task(replace(task, due_date=date(2026, 3, 13)), text, "t", "Europe/Berlin")
    assert read_task("/t.ics", "e", moved, "Europe/Berlin").due_date == date(2026, 3, 13)
