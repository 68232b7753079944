"""Our occurrences (CalDAV reader → core → dateutil expander) equal ``recurring_ical_events``'s, the
reference implementation, on real-world-shaped series: same starts, same ends, same count (ends
RFC-exact where the reference keeps wall-clock ends across DST, see ``EXACT_DURATION``)."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.providers.imap_dav.ical_event import read_event
from app.recurrence import RruleExpander
from app.sync.items import CalendarItem
from app.sync.recurrence import expand_series, is_series
from tests.recurrence_corpus import CASES, EXACT_DURATION, Span, expected, reference, starts_in_window

LOW, HIGH = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 1, 1, tzinfo=UTC)


def ours(ics: str, owner_zone: str) -> list[Span]:
    """Our occurrences starting in the window, cancelled ones left out (as the reference does)."""
    item = read_event("/cal/x.ics", "etag", ics, owner_zone)
    assert item is not None
    occurrences = expand_series(item, LOW, HIGH, RruleExpander()) if is_series(item) else [item]
    return sorted(_our_span(o) for o in occurrences if not o.cancelled and starts_in_window(_our_span(o), LOW, HIGH))


def _our_span(o: CalendarItem) -> Span:
    if o.all_day:
        assert o.start_date is not None and o.end_date is not None
        return o.start_date, o.end_date
    assert o.start is not None and o.end is not None
    return o.start.astimezone(UTC), o.end.astimezone(UTC)


@pytest.mark.parametrize(("name", "owner_zone", "ics"), CASES, ids=[c[0] for c in CASES])
def test_occurrences_equal_the_reference_implementation(name, owner_zone, ics):
    want = expected(name, owner_zone, ics, LOW, HIGH)
    assert want, "the case must produce occurrences in the window"
    assert ours(ics, owner_zone) == want
    if name in EXACT_DURATION:  # the reference differs in the ends only
        assert [s for s, _ in reference(ics, owner_zone, LOW, HIGH)] == [s for s, _ in want]


@pytest.mark.parametrize(("name", "owner_zone", "ics"), CASES, ids=[c[0] for c in CASES])
def test_every_occurrence_ends_after_it_starts_and_keeps_the_series_length(name, owner_zone, ics):
    spans = ours(ics, owner_zone)
    assert all(end > start for start, end in spans)
