"""When an Event happens: a calendar item's timing ⇄ the Salesforce Event (or Task) date fields.

Salesforce stores a timed Event as UTC StartDateTime/EndDateTime and an all-day Event as
IsAllDayEvent + ActivityDate + DurationInMinutes (1440 per day); the mailbox keeps the
wall-clock zone. The canonical value is the Salesforce shape, so DST is resolved exactly once,
when converting the aware mailbox datetime to UTC.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from app.sync.items import CalendarItem
from app.sync.transforms import (
    MINUTES_PER_DAY,
    Codec,
    DateCodec,
    FieldContext,
    format_sf_datetime,
    parse_sf_datetime,
)

TIMING_FIELDS = ("IsAllDayEvent", "StartDateTime", "EndDateTime", "ActivityDate", "DurationInMinutes")
TIMING_ATTRIBUTES = ("start", "end", "all_day", "start_date", "end_date", "timezone")


class EventTimingCodec(Codec):
    """start/end/all-day of a CalendarItem ⇄ the five Salesforce Event timing fields."""

    salesforce_types = frozenset({"boolean", "datetime", "date", "int"})

    def salesforce_fields(self, row: Any) -> tuple[str, ...]:
        return TIMING_FIELDS

    def mailbox_fields(self, row: Any) -> tuple[str, ...]:
        return TIMING_ATTRIBUTES

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        if item.all_day and item.start_date is not None:
            end = item.end_date or item.start_date + timedelta(days=1)
            days = max(1, (end - item.start_date).days)
            return {"all_day": True, "date": item.start_date.isoformat(), "days": days}
        return {"all_day": False, "start": format_sf_datetime(item.start), "end": format_sf_datetime(item.end)}

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> dict[str, Any]:
        if fields.get("IsAllDayEvent"):
            days = max(1, int(fields.get("DurationInMinutes") or MINUTES_PER_DAY) // MINUTES_PER_DAY)
            return {"all_day": True, "date": fields.get("ActivityDate"), "days": days}
        start, end = fields.get("StartDateTime"), fields.get("EndDateTime")
        return {
            "all_day": False,
            "start": format_sf_datetime(parse_sf_datetime(start)) if start else None,
            "end": format_sf_datetime(parse_sf_datetime(end)) if end else None,
        }

    def to_record(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        if value["all_day"]:
            return {"IsAllDayEvent": True, "ActivityDate": value["date"],
                    "DurationInMinutes": MINUTES_PER_DAY * value["days"]}
        return {"IsAllDayEvent": False, "StartDateTime": value["start"], "EndDateTime": value["end"]}

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        if value["all_day"]:
            first = date.fromisoformat(value["date"])
            return {"all_day": True, "start_date": first, "end_date": first + timedelta(days=value["days"]),
                    "start": None, "end": None}
        zone = ZoneInfo(ctx.timezone)
        return {"all_day": False, "start_date": None, "end_date": None, "timezone": ctx.timezone,
                "start": parse_sf_datetime(value["start"]).astimezone(zone),
                "end": parse_sf_datetime(value["end"]).astimezone(zone)}


class StartDateCodec(DateCodec):
    """The local day a calendar item starts on, e.g. for syncing calendar items as Tasks."""

    def mailbox_fields(self, row: Any) -> tuple[str, ...]:
        return ("start", "start_date", "all_day", "timezone")

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> str | None:
        if not isinstance(item, CalendarItem):
            return None
        if item.all_day and item.start_date is not None:
            return item.start_date.isoformat()
        if item.start is None:
            return None
        return item.start.astimezone(ZoneInfo(item.timezone or ctx.timezone)).date().isoformat()

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        if not value:
            return {}
        first = date.fromisoformat(value)
        return {"all_day": True, "start_date": first, "end_date": first + timedelta(days=1), "start": None, "end": None}
