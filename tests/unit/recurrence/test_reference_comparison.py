"""Our occurrences (CalDAV reader → core → dateutil expander) equal ``recurring_ical_events``'s, the
reference implementation, on real-world-shaped series: same starts, same ends, same count.

One documented difference: an occurrence whose wall-clock end falls across a DST change. RFC 5545
§3.8.5.3 gives every instance the EXACT duration DTEND - DTSTART; the reference keeps the wall-clock
end instead (a 02:30-03:15 meeting on the spring-gap day would end before it starts). There we
match its starts and assert the exact duration."""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from icalendar import Calendar

from app.providers.imap_dav.ical_event import read_event
from app.recurrence import RruleExpander
from app.sync.items import CalendarItem
from app.sync.recurrence import expand_series, is_series
from tests.recurrence_corpus import CASES, DST_FOLD_DAILY, DST_GAP_DAILY

REFERENCE_KEEPS_WALL_CLOCK_END = {DST_GAP_DAILY[0]: timedelta(minutes=45), DST_FOLD_DAILY[0]: timedelta(minutes=30)}

LOW, HIGH = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)
Span = tuple[datetime, datetime] | tuple[date, date]


def ours(ics: str, owner_zone: str) -> list[Span]:
    item = read_event("/cal/x.ics", "etag", ics, owner_zone)
    assert item is not None
    occurrences = expand_series(item, LOW, HIGH, RruleExpander()) if is_series(item) else [item]
    return sorted(_our_span(o) for o in occurrences if not o.cancelled and _starts_in_window(_our_span(o)))


def _our_span(o: CalendarItem) -> Span:
    if o.all_day:
        assert o.start_date is not None and o.end_date is not None
        return o.start_date, o.end_date
    assert o.start is not None and o.end is not None
    return o.start.astimezone(UTC), o.end.astimezone(UTC)


def reference(ics: str, owner_zone: str) -> list[Span]:
    found = recurring_ical_events.of(Calendar.from_ical(ics)).between(LOW - timedelta(days=3), HIGH)
    spans = [_reference_span(c, ZoneInfo(owner_zone)) for c in found if str(c.get("STATUS", "")) != "CANCELLED"]
    return sorted(s for s in spans if _starts_in_window(s))


def _reference_span(component, floating: ZoneInfo) -> Span:
    start = component.decoded("DTSTART")
    if "DTEND" in component:
        end = component.decoded("DTEND")
    else:
        end = start + (component.decoded("DURATION") if "DURATION" in component else timedelta(0))
    if not isinstance(start, datetime):
        return start, end
    return _utc(start, floating), _utc(end, floating)


def _utc(value: datetime, floating: ZoneInfo) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=floating)).astimezone(UTC)


def _starts_in_window(span: Span) -> bool:
    start = span[0]
    start = start if isinstance(start, datetime) else datetime.combine(start, time(), UTC)
    return LOW <= start < HIGH


@pytest.mark.parametrize(("name", "owner_zone", "ics"), CASES, ids=[c[0] for c in CASES])
def test_occurrences_equal_the_reference_implementation(name, owner_zone, ics):
    expected, got = reference(ics, owner_zone), ours(ics, owner_zone)
    assert expected, "the case must produce occurrences in the window"
    if name in REFERENCE_KEEPS_WALL_CLOCK_END:
        assert [s for s, _ in got] == [s for s, _ in expected]
        assert {end - start for start, end in got} == {REFERENCE_KEEPS_WALL_CLOCK_END[name]}
    else:
        assert got == expected


@pytest.mark.parametrize(("name", "owner_zone", "ics"), CASES, ids=[c[0] for c in CASES])
def test_every_occurrence_ends_after_it_starts_and_keeps_the_series_length(name, owner_zone, ics):
    spans = ours(ics, owner_zone)
    assert all(end > start for start, end in spans)
