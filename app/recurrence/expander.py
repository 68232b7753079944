"""A series' instants through ``dateutil.rrule``, in the series' own wall-clock time.

Rules are expanded on naive local times (so a weekly 10:00 Europe/Berlin meeting stays at 10:00
across DST) and only then given their zone with ``fold=0``: per RFC 5545 §3.3.5 a local time
that does not exist (spring gap) moves forward by the gap and an ambiguous one (autumn fold)
takes the first instant, which is exactly what zoneinfo does for ``fold=0``.
"""
from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil.rrule import rrule, rruleset, rrulestr

from app.sync.errors import UnsupportedRecurrence
from app.sync.items import CalendarItem

# Instants walked before the window at most: a rule that fires more often than this over the
# years before the window (FREQ=MINUTELY since 2010) is refused rather than left to stall a session.
MAX_WALKED = 200_000
UNTIL_PART = re.compile(r"(?i)(^|;)UNTIL=([0-9TZ]+)")


class RruleExpander:
    """``SeriesExpander`` on python-dateutil (RRULE with every RFC 5545 part dateutil knows, RDATE)."""

    def instances(self, series: CalendarItem, low: datetime, high: datetime) -> Sequence[datetime]:
        zone = _zone(series)
        first = _wall_start(series, zone)
        recurrence = rruleset()
        rules = [_rule(text, first, zone, series.all_day)  # a rare 2nd RRULE comes on its own line
                 for text in filter(None, (line.strip() for line in (series.rrule or "").splitlines()))]
        for rule, _ in rules:
            recurrence.rrule(rule)
        untils = [until for _, until in rules if until is not None]
        if not untils or first <= max(untils):
            recurrence.rdate(first)  # DTSTART is the first instance (RFC 5545 §3.8.5.3) unless UNTIL ends before it
        for extra in series.rdates:
            recurrence.rdate(_wall(extra, zone, series.all_day))
        return list(_between(recurrence, zone, series.all_day, low.astimezone(UTC), high.astimezone(UTC)))


def _zone(series: CalendarItem) -> tzinfo:
    if series.all_day:
        return UTC
    try:
        return ZoneInfo(series.timezone or "UTC")
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise UnsupportedRecurrence(f"unknown time zone {series.timezone!r}") from exc


def _wall_start(series: CalendarItem, zone: tzinfo) -> datetime:
    if series.all_day:
        if series.start_date is None:
            raise UnsupportedRecurrence("an all-day series needs a start date")
        return datetime.combine(series.start_date, time())
    if series.start is None:
        raise UnsupportedRecurrence("a timed series needs a start")
    return series.start.astimezone(zone).replace(tzinfo=None)


def _wall(instant: datetime, zone: tzinfo, all_day: bool) -> datetime:
    if all_day:
        return datetime.combine(instant.astimezone(UTC).date(), time())
    return instant.astimezone(zone).replace(tzinfo=None)


def _rule(text: str, first: datetime, zone: tzinfo, all_day: bool) -> tuple[rrule, datetime | None]:
    """The RRULE on naive wall time, and its UNTIL (UTC, floating or a DATE) as the same naive wall time."""
    body = text.strip().removeprefix("RRULE:")
    match = UNTIL_PART.search(body)
    until = None
    if match:
        until = _wall_until(match.group(2).upper(), zone, all_day)
        body = body[:match.start(2)] + until.strftime("%Y%m%dT%H%M%S") + body[match.end(2):]
    try:
        parsed = rrulestr(f"RRULE:{body}", dtstart=first)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise UnsupportedRecurrence(f"recurrence rule {text!r} cannot be expanded: {exc}") from exc
    if not isinstance(parsed, rrule):
        raise UnsupportedRecurrence(f"recurrence rule {text!r} cannot be expanded")
    return parsed, until


def _wall_until(value: str, zone: tzinfo, all_day: bool) -> datetime:
    """RFC 5545 UNTIL: UTC with a zoned DTSTART; a DATE includes its whole day."""
    try:
        if len(value) == 8:
            day = date(int(value[:4]), int(value[4:6]), int(value[6:]))
            return datetime.combine(day, time() if all_day else time(23, 59, 59))
        moment = datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S")
    except ValueError as exc:
        raise UnsupportedRecurrence(f"UNTIL={value} is not a date or date-time") from exc
    if not value.endswith("Z"):
        return moment  # floating: already the series' wall time
    return _wall(moment.replace(tzinfo=UTC), zone, all_day)


def _between(recurrence: rruleset, zone: tzinfo, all_day: bool, low: datetime,
             high: datetime) -> Iterator[datetime]:
    for walked, wall in enumerate(recurrence):
        instant = wall.replace(tzinfo=UTC if all_day else zone).astimezone(UTC)  # fold=0: RFC 5545 §3.3.5
        if instant > high + timedelta(days=1):  # wall time is ordered; offsets differ by under a day
            return
        if low <= instant < high:
            yield instant
        elif walked > MAX_WALKED:
            raise UnsupportedRecurrence(f"the rule yields more than {MAX_WALKED} instances before the sync window")
