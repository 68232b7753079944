"""Google's recurring events as the core's series model: ONE CalendarItem (master + RRULE + exceptions).

Google keeps the rule in the master's ``recurrence`` lines (RFC 5545 RRULE/EXDATE/RDATE) and each
changed or cancelled occurrence as its own event (``recurringEventId`` + ``originalStartTime``).
``events.instances`` with ``showDeleted`` lists every occurrence in the window, cancelled ones
included; an occurrence whose times, title or place differ from the master's is an exception.
Writing goes the other way: RRULE + EXDATE lines for cancelled occurrences, then the moved or
retitled occurrences patched one by one (calendar.py).
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from app.providers.google.events import instant, original_start, read_event, zone_name
from app.sync.errors import UnsupportedRecurrence
from app.sync.items import CalendarException, CalendarItem


def read_series(master: Mapping[str, Any], instances: Sequence[Mapping[str, Any]]) -> CalendarItem:
    item = read_event(master)
    rules, rdates, exdates = _split_lines(master.get("recurrence") or (), item.timezone)
    span = (item.end - item.start) if item.start and item.end else None
    exceptions: dict[datetime, CalendarException] = {d: CalendarException(d, cancelled=True) for d in exdates}
    for instance in instances:
        original = original_start(instance.get("originalStartTime"))
        if original is None:
            continue
        if instance.get("status") == "cancelled":
            exceptions[original] = CalendarException(original, cancelled=True)
            continue
        start, end = instant(instance.get("start")), instant(instance.get("end"))
        subject, location = str(instance.get("summary") or ""), str(instance.get("location") or "")
        moved = start is not None and (start != original or (span is not None and end is not None and end - start != span))
        if moved or subject != item.subject or location != item.location:
            exceptions[original] = CalendarException(
                original, start=start if moved else None, end=end if moved else None,
                subject=subject if subject != item.subject else None,
                location=location if location != item.location else None)
    return replace(item, rrule="\n".join(rules) or None, rdates=tuple(sorted(rdates)),
                   exceptions=tuple(exceptions[k] for k in sorted(exceptions)), version=series_version(master, instances))


def series_version(master: Mapping[str, Any], instances: Sequence[Mapping[str, Any]]) -> str:
    """The master's etag AND its instances' etags: editing or cancelling one occurrence in Google changes
    only that instance (its own event resource), never the master, yet it is a change of the series."""
    etag = str(master.get("etag") or "")
    if not instances:
        return etag
    stamps = sorted(f"{i.get('id')}={i.get('etag')}={i.get('status')}" for i in instances)
    return etag + ":" + hashlib.sha1("\n".join(stamps).encode()).hexdigest()[:16]


def recurrence_lines(item: CalendarItem) -> list[str]:
    """The master's ``recurrence``: the rule(s), RDATEs, and an EXDATE per cancelled occurrence."""
    rules = [line.strip().removeprefix("RRULE:") for line in (item.rrule or "").splitlines() if line.strip()]
    if not rules:
        raise UnsupportedRecurrence("a series needs an RRULE")
    lines = ["RRULE:" + rule for rule in rules]
    if item.rdates:
        lines.append("RDATE:" + ",".join(_utc_stamp(d) for d in item.rdates))
    cancelled = [e.recurrence_id for e in item.exceptions if e.cancelled]
    if cancelled:
        lines.append("EXDATE;VALUE=DATE:" + ",".join(f"{d:%Y%m%d}" for d in sorted(cancelled)) if item.all_day
                     else "EXDATE:" + ",".join(_utc_stamp(d) for d in sorted(cancelled)))
    return lines


def _split_lines(lines: Sequence[str], zone: str) -> tuple[list[str], list[datetime], list[datetime]]:
    rules: list[str] = []
    rdates: list[datetime] = []
    exdates: list[datetime] = []
    for line in lines:
        head, _, value = str(line).partition(":")
        name, *params = head.split(";")
        if name.upper() == "RRULE":
            rules.append(value)
            continue
        tzid = next((p.split("=", 1)[1] for p in params if p.upper().startswith("TZID=")), zone)
        stamps = [_parse_stamp(v, zone_name(tzid)) for v in value.split(",") if v.strip()]
        (rdates if name.upper() == "RDATE" else exdates if name.upper() == "EXDATE" else []).extend(stamps)
    return rules, rdates, exdates


def _parse_stamp(text: str, zone: str) -> datetime:
    text = text.strip()
    if text.endswith("Z"):
        return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    fmt = "%Y%m%dT%H%M%S" if "T" in text else "%Y%m%d"
    return datetime.strptime(text, fmt).replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)


def _utc_stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
