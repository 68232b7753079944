"""Expanding a recurring series into occurrences inside the sync window.

Each occurrence is keyed by its recurrence-id (the ORIGINAL start, in UTC), never by its
current start, so a moved or cancelled occurrence updates the same Salesforce Event instead
of creating a second one. Rules are expanded in the series' own wall time, so a weekly
10:00 Europe/Berlin meeting stays at 10:00 local across a DST change.
"""
from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from app.sync.items import CalendarException, CalendarItem, occurrence_id

MAX_GENERATED = 5000
WEEKDAYS = {"MO": 0, "TU": 1, "WE": 2, "TH": 3, "FR": 4, "SA": 5, "SU": 6}
SUPPORTED_FREQS = frozenset({"DAILY", "WEEKLY", "MONTHLY", "YEARLY"})


class UnsupportedRule(ValueError):
    """The RRULE uses parts we do not expand (BYSETPOS, ordinal BYDAY…)."""


@dataclass(frozen=True)
class RecurrenceRule:
    """The subset of RFC 5545 RRULE that mailbox series use in practice."""

    freq: str
    interval: int = 1
    count: int | None = None
    until: datetime | None = None
    by_day: tuple[int, ...] = ()
    by_month_day: tuple[int, ...] = ()


def parse_rrule(text: str) -> RecurrenceRule:
    """Parse ``FREQ=WEEKLY;BYDAY=MO,WE;COUNT=10``; raises UnsupportedRule for the rest."""
    parts = dict(p.split("=", 1) for p in text.strip().removeprefix("RRULE:").split(";") if p)
    freq = parts.pop("FREQ", "")
    if freq not in SUPPORTED_FREQS:
        raise UnsupportedRule(f"FREQ={freq}")
    interval = int(parts.pop("INTERVAL", "1"))
    count = int(parts.pop("COUNT")) if "COUNT" in parts else None
    until = _parse_until(parts.pop("UNTIL")) if "UNTIL" in parts else None
    days = tuple(_weekday(d) for d in parts.pop("BYDAY", "").split(",") if d)
    month_days = tuple(int(d) for d in parts.pop("BYMONTHDAY", "").split(",") if d)
    parts.pop("WKST", None)
    if parts:
        raise UnsupportedRule(",".join(sorted(parts)))
    return RecurrenceRule(freq, max(interval, 1), count, until, days, month_days)


def _weekday(token: str) -> int:
    if token not in WEEKDAYS:
        raise UnsupportedRule(f"BYDAY={token}")
    return WEEKDAYS[token]


def _parse_until(value: str) -> datetime:
    if len(value) == 8:
        return datetime.combine(date(int(value[:4]), int(value[4:6]), int(value[6:])), time.max, UTC)
    return datetime.strptime(value.rstrip("Z"), "%Y%m%dT%H%M%S").replace(tzinfo=UTC)


def local_starts(rule: RecurrenceRule, first: datetime) -> Iterator[datetime]:
    """Naive wall-time starts of the series, in order, honouring COUNT (not UNTIL)."""
    produced = 0
    for candidate in _candidates(rule, first):
        if candidate < first:
            continue
        if rule.count is not None and produced >= rule.count:
            return
        produced += 1
        yield candidate


def _candidates(rule: RecurrenceRule, first: datetime) -> Iterator[datetime]:
    for step in range(MAX_GENERATED):
        if rule.freq == "DAILY":
            yield first + timedelta(days=step * rule.interval)
        elif rule.freq == "WEEKLY":
            week = first - timedelta(days=first.weekday()) + timedelta(weeks=step * rule.interval)
            for day in sorted(rule.by_day or (first.weekday(),)):
                yield week + timedelta(days=day)
        elif rule.freq == "MONTHLY":
            yield from _month_days(rule, first, _add_months(first, step * rule.interval))
        else:
            yield from _month_days(RecurrenceRule("YEARLY", by_month_day=(first.day,)), first,
                                   _add_months(first, 12 * step * rule.interval))


def _add_months(first: datetime, months: int) -> tuple[int, int]:
    index = first.year * 12 + first.month - 1 + months
    return index // 12, index % 12 + 1


def _month_days(rule: RecurrenceRule, first: datetime, year_month: tuple[int, int]) -> Iterator[datetime]:
    year, month = year_month
    last = calendar.monthrange(year, month)[1]
    for day in sorted(rule.by_month_day or (first.day,)):
        day = last + day + 1 if day < 0 else day
        if 1 <= day <= last:  # RFC 5545: invalid dates (Feb 30) are skipped, not clamped
            yield first.replace(year=year, month=month, day=day)


def expand_series(master: CalendarItem, window_start: datetime, window_end: datetime) -> list[CalendarItem]:
    """Occurrences whose original or actual start lies in the window (cancelled ones included).

    Raises UnsupportedRule when the RRULE cannot be expanded; callers then sync the master alone.
    """
    rule = parse_rrule(master.rrule or "")
    zone = ZoneInfo(master.timezone or "UTC")
    first, length = _series_origin(master, zone)
    by_rid = {_utc(e.recurrence_id): e for e in master.exceptions}
    horizon = max([window_end, *by_rid.keys()])
    result = []
    for wall in local_starts(rule, first):
        start = wall.replace(tzinfo=zone)
        rid = _utc(start)
        if rid > horizon or (rule.until is not None and rid > rule.until):
            break
        occurrence = _occurrence(master, rid, start, length, by_rid.get(rid))
        actual = _utc(occurrence.start or rid)
        if window_start <= rid < window_end or window_start <= actual < window_end:
            result.append(occurrence)
    return result


def _series_origin(master: CalendarItem, zone: ZoneInfo) -> tuple[datetime, timedelta]:
    if master.all_day and master.start_date is not None:
        end = master.end_date or master.start_date + timedelta(days=1)
        return datetime.combine(master.start_date, time()), end - master.start_date
    assert master.start is not None and master.end is not None, "timed series needs start/end"
    wall_start = master.start.astimezone(zone).replace(tzinfo=None)
    wall_end = master.end.astimezone(zone).replace(tzinfo=None)
    return wall_start, wall_end - wall_start


def _utc(value: datetime) -> datetime:
    return value.astimezone(UTC)


def _occurrence(master: CalendarItem, rid: datetime, start: datetime, length: timedelta,
                exception: CalendarException | None) -> CalendarItem:
    base = replace(master, item_id=occurrence_id(master.item_id, rid), series_id=master.item_id,
                   recurrence_id=rid, rrule=None, exceptions=())
    if master.all_day:
        day = start.date()
        base = replace(base, start_date=day, end_date=day + length, start=None, end=None)
    else:
        wall_end = start.replace(tzinfo=None) + length
        base = replace(base, start=start, end=wall_end.replace(tzinfo=start.tzinfo))
    if exception is None:
        return base
    return replace(
        base,
        cancelled=master.cancelled or exception.cancelled,
        start=exception.start or base.start,
        end=exception.end or base.end,
        subject=exception.subject if exception.subject is not None else base.subject,
        location=exception.location if exception.location is not None else base.location,
    )
