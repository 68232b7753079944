"""Turning a recurring series into its occurrences inside the sync window.

Each occurrence is keyed by its recurrence-id (the ORIGINAL start, in UTC), never by its
current start, so a moved or cancelled occurrence updates the same Salesforce Event instead
of creating a second one. WHICH instants a rule yields (ordinal BYDAY, BYSETPOS, UNTIL, RDATE,
local wall time across DST) is a maintained RFC 5545 library's job behind ``SeriesExpander``
(injected; the core stays standard-library only); this module applies the series' exact
duration and the overrides, including ones moved into the window from outside it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.sync.errors import UnsupportedRecurrence
from app.sync.items import CalendarException, CalendarItem, MailboxItem, occurrence_id

# More occurrences than this in one window (FREQ=MINUTELY…) would flood Salesforce: refused instead.
MAX_OCCURRENCES = 1000


class SeriesExpander(Protocol):
    """The instants of a series' recurrence set (RRULE + RDATE; EXDATEs arrive as cancelled exceptions)."""

    def instances(self, series: CalendarItem, low: datetime, high: datetime) -> Sequence[datetime]:
        """Original starts ``low <= start < high`` (aware), ascending; all-day ones at midnight UTC.

        Raises UnsupportedRecurrence (saying what) for a rule it cannot expand faithfully.
        """
        ...


def is_series(item: MailboxItem) -> bool:
    """A series master: a rule or extra dates, and not itself one occurrence."""
    return isinstance(item, CalendarItem) and item.recurrence_id is None and bool(item.rrule or item.rdates)


def expand_series(master: CalendarItem, window_start: datetime, window_end: datetime,
                  expander: SeriesExpander | None) -> list[CalendarItem]:
    """Occurrences whose original or actual start lies in the window (cancelled ones included)."""
    if expander is None:
        raise UnsupportedRecurrence("no series expander is configured")
    if not master.all_day and (master.start is None or master.end is None):
        raise UnsupportedRecurrence("a timed series needs a start and an end")
    rids = {_utc(r) for r in expander.instances(master, window_start, window_end)}
    if len(rids) > MAX_OCCURRENCES:
        raise UnsupportedRecurrence(f"{len(rids)} occurrences in the sync window (at most {MAX_OCCURRENCES} are mirrored)")
    # Overrides are occurrences too: moved into the window from outside it, or (as clients and the
    # reference show them) left behind by a rule that no longer yields their recurrence-id.
    rids |= {e.recurrence_id for e in master.exceptions if not e.cancelled}
    occurrences = (_occurrence(master, rid) for rid in sorted(rids))
    return [o for o in occurrences if _in_window(o, window_start, window_end)]


def series_length(master: CalendarItem) -> timedelta:
    """The exact duration every occurrence keeps (RFC 5545 §3.8.5.3): whole days when all-day."""
    if master.all_day and master.start_date is not None:
        days = (master.end_date - master.start_date).days if master.end_date else 1
        return timedelta(days=max(days, 1))
    assert master.start is not None and master.end is not None
    return max(_utc(master.end) - _utc(master.start), timedelta(0))


def nominal_end(start: datetime, duration: timedelta) -> datetime:
    """RFC 5545 §3.3.6/§3.8.5.3: a DURATION's days are nominal (same wall time N days later, a
    non-existent one moved forward), its hours and minutes exact."""
    zone = start.tzinfo
    wall = (start.replace(tzinfo=None) + timedelta(days=duration.days)).replace(tzinfo=zone)
    return (_utc(wall) + timedelta(seconds=duration.seconds)).astimezone(zone)


def _in_window(occurrence: CalendarItem, low: datetime, high: datetime) -> bool:
    assert occurrence.recurrence_id is not None
    actual = _utc(occurrence.start) if occurrence.start else occurrence.recurrence_id
    return low <= occurrence.recurrence_id < high or low <= actual < high


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def _occurrence(master: CalendarItem, rid: datetime) -> CalendarItem:
    length = series_length(master)
    base = replace(master, item_id=occurrence_id(master.item_id, rid), series_id=master.item_id,
                   recurrence_id=rid, rrule=None, rdates=(), exceptions=())
    if master.all_day:
        day = rid.date()
        base = replace(base, start_date=day, end_date=day + length, start=None, end=None)
    else:
        zone = _zone(master.timezone)
        start = rid.astimezone(zone)
        end = nominal_end(start, master.nominal_duration) if master.nominal_duration else (rid + length).astimezone(zone)
        base = replace(base, start=start, end=end)
    future = _governing_future(master.exceptions, rid)
    if future is not None:
        base = _apply(base, future, shift=True)
    exact = next((e for e in master.exceptions if e.recurrence_id == rid and e is not future), None)
    return _apply(base, exact, shift=False) if exact is not None else base


def _governing_future(exceptions: Sequence[CalendarException], rid: datetime) -> CalendarException | None:
    """The latest RANGE=THISANDFUTURE override at or before ``rid`` (RFC 5545 §3.2.13)."""
    earlier = [e for e in exceptions if e.this_and_future and e.recurrence_id <= rid]
    return max(earlier, key=lambda e: e.recurrence_id) if earlier else None


def _apply(base: CalendarItem, exception: CalendarException, shift: bool) -> CalendarItem:
    """An override's changes; a THISANDFUTURE one moves later occurrences by the same offset."""
    start, end = base.start, base.end
    if base.all_day and exception.start is not None and exception.end is not None and not shift:
        days = max((exception.end.date() - exception.start.date()).days, 1)  # moved all-day: midnight UTC
        base = replace(base, start_date=exception.start.date(), end_date=exception.start.date() + timedelta(days))
    elif exception.start is not None and exception.end is not None and start is not None:
        if shift and exception.recurrence_id != base.recurrence_id:
            start = (_utc(start) + (_utc(exception.start) - exception.recurrence_id)).astimezone(start.tzinfo)
            end = (_utc(start) + (_utc(exception.end) - _utc(exception.start))).astimezone(start.tzinfo)
        else:
            start, end = exception.start, exception.end
    return replace(
        base, cancelled=base.cancelled or exception.cancelled, start=start, end=end,
        subject=exception.subject if exception.subject is not None else base.subject,
        location=exception.location if exception.location is not None else base.location,
    )
