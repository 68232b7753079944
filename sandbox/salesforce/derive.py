"""Fields Salesforce fills in itself: defaults, compound names, IsClosed, Event timing.

Event rules: StartDateTime and ActivityDateTime mirror each other; EndDateTime and
DurationInMinutes are kept consistent; all-day events are anchored on ActivityDate.
"""
from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from .errors import RecordError
from .schema import ObjectDef
from .store import Org, Record
from .values import format_datetime, parse_datetime

MAX_EVENT_MINUTES = 14 * 24 * 60


def apply_defaults(obj: ObjectDef, record: Record) -> None:
    """Defaulted-on-create values for fields the caller did not send."""
    for f in obj.fields.values():
        if f.default is not None and f.name not in record:
            record[f.name] = f.default


def derive(org: Org, obj: ObjectDef, record: Record, touched: set[str],
           creating: bool) -> list[RecordError]:
    """Compute derived fields in place; returns errors for impossible combinations."""
    kind = obj.name
    if kind in ("Contact", "Lead", "User"):
        record["Name"] = _full_name(record)
    elif kind == "Account":
        if record.get("LastName") and (creating or record.get("IsPersonAccount")):
            record["IsPersonAccount"] = True
            record["Name"] = _full_name(record)
        elif record.get("Name") in (None, ""):
            return [RecordError("REQUIRED_FIELD_MISSING",
                                "Required fields are missing: [Name]", ["Name"])]
    elif kind == "Task":
        _derive_task(record)
    elif kind == "Opportunity":
        record["IsClosed"] = record.get("StageName") in ("Closed Won", "Closed Lost")
        record["IsWon"] = record.get("StageName") == "Closed Won"
    elif kind == "Case":
        record["IsClosed"] = record.get("Status") == "Closed"
        if creating:
            record["CaseNumber"] = f"{org.next_autonumber('Case'):08d}"
    elif kind == "Event":
        return _derive_event(record, touched, creating)
    return []


def _full_name(record: Record) -> str:
    return " ".join(p for p in (record.get("FirstName"), record.get("LastName")) if p)


def _derive_task(record: Record) -> None:
    closed = record.get("Status") == "Completed"
    if closed and not record.get("IsClosed"):
        record["CompletedDateTime"] = format_datetime(datetime.now(UTC))
    record["IsClosed"] = closed
    record.setdefault("TaskSubtype", "Task")


def _missing(name: str) -> list[RecordError]:
    return [RecordError("REQUIRED_FIELD_MISSING", f"Required fields are missing: [{name}]",
                        [name])]


def _derive_event(record: Record, touched: set[str], creating: bool) -> list[RecordError]:
    if record.get("IsAllDayEvent"):
        return _derive_all_day(record, touched)
    start_raw = record.get("StartDateTime") if "StartDateTime" in touched or \
        "ActivityDateTime" not in touched else record.get("ActivityDateTime")
    start_raw = start_raw or record.get("ActivityDateTime")
    if not start_raw:
        return _missing("ActivityDateTime")
    start = parse_datetime(start_raw)
    minutes = _event_minutes(record, touched, start)
    if minutes is None:
        return _missing("DurationInMinutes")
    if minutes < 0:
        return [RecordError("FIELD_INTEGRITY_EXCEPTION",
                            "End Date Time: End time must be after start time",
                            ["EndDateTime"])]
    if minutes > MAX_EVENT_MINUTES:
        return [RecordError("FIELD_INTEGRITY_EXCEPTION",
                            "Event duration cannot exceed 14 days", ["DurationInMinutes"])]
    _set_timing(record, start, minutes)
    return []


def _event_minutes(record: Record, touched: set[str], start: datetime) -> int | None:
    if "EndDateTime" in touched and record.get("EndDateTime"):
        delta = parse_datetime(record["EndDateTime"]) - start
        return int(delta.total_seconds() // 60)
    if record.get("DurationInMinutes") is not None:
        return int(record["DurationInMinutes"])
    if record.get("EndDateTime"):
        return int((parse_datetime(record["EndDateTime"]) - start).total_seconds() // 60)
    return None


def _set_timing(record: Record, start: datetime, minutes: int) -> None:
    record["StartDateTime"] = record["ActivityDateTime"] = format_datetime(start)
    record["EndDateTime"] = format_datetime(start + timedelta(minutes=minutes))
    record["DurationInMinutes"] = minutes
    record["ActivityDate"] = start.date().isoformat()


def _derive_all_day(record: Record, touched: set[str]) -> list[RecordError]:
    day_raw: Any = record.get("ActivityDate")
    if "ActivityDate" not in touched and "StartDateTime" in touched and record["StartDateTime"]:
        day_raw = record["StartDateTime"][:10]
    if not day_raw:
        return _missing("ActivityDate")
    day = datetime.combine(datetime.fromisoformat(day_raw).date(), time(), UTC)
    days = 1
    if "EndDateTime" in touched and record.get("EndDateTime"):
        days = (parse_datetime(record["EndDateTime"]).date() - day.date()).days + 1
    elif record.get("DurationInMinutes"):
        days = max(1, int(record["DurationInMinutes"]) // 1440)
    if days < 1 or days > 14:
        return [RecordError("FIELD_INTEGRITY_EXCEPTION",
                            "Event duration cannot exceed 14 days", ["DurationInMinutes"])]
    record["StartDateTime"] = record["ActivityDateTime"] = format_datetime(day)
    record["EndDateTime"] = format_datetime(day + timedelta(days=days - 1))
    record["DurationInMinutes"] = days * 1440
    record["ActivityDate"] = day.date().isoformat()
    return []
