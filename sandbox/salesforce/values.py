"""Conversion between JSON input, stored values and Salesforce's wire formats.

Stored values are JSON-ready: datetimes as `2026-11-23T10:00:00.000+0000`, dates as
`2026-11-23`, so records can be returned and persisted unchanged.
"""
from __future__ import annotations

import binascii
import re
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from .errors import ApiError, json_parser_error
from .schema import TEXT_TYPES, FieldDef

_DT_RE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$")


def parse_datetime(text: str) -> datetime:
    """Parse the ISO-8601 forms Salesforce accepts; no zone means UTC. Raises ValueError."""
    m = _DT_RE.match(text.strip())
    if not m:
        raise ValueError(text)
    y, mo, d, h, mi, sec, frac, zone = m.groups()
    micro = int((frac or "0")[:6].ljust(6, "0"))
    tz = UTC
    if zone and zone != "Z":
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        tz = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    value = datetime(int(y), int(mo), int(d), int(h), int(mi), int(sec or 0), micro, tz)
    return value.astimezone(UTC)


def parse_date(text: str) -> date:
    """Parse YYYY-MM-DD. Raises ValueError."""
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()):
        raise ValueError(text)
    return date.fromisoformat(text.strip())


def format_datetime(value: datetime) -> str:
    """Salesforce's datetime wire format (UTC, milliseconds, +0000)."""
    value = value.astimezone(UTC)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}+0000"


def _deserialize_error(kind: str, raw: Any) -> ApiError:
    token = "VALUE_STRING" if isinstance(raw, str) else "VALUE_NUMBER_INT" \
        if isinstance(raw, int) else "START_OBJECT" if isinstance(raw, dict) else "VALUE"
    return json_parser_error(
        f"Cannot deserialize instance of {kind} from {token} value {raw} or request may "
        "be missing a required field")


def coerce(f: FieldDef, raw: Any) -> Any:
    """Convert one JSON input value to the stored form. Raises ApiError(JSON_PARSER_ERROR)."""
    if raw is None:
        return None
    kind = f.type
    try:
        if kind in TEXT_TYPES or kind in ("id", "reference"):
            if isinstance(raw, (dict, list)):
                raise ValueError
            return raw if isinstance(raw, str) else str(raw).lower() \
                if isinstance(raw, bool) else str(raw)
        if kind == "boolean":
            if isinstance(raw, bool):
                return raw
            if isinstance(raw, str) and raw.lower() in ("true", "false"):
                return raw.lower() == "true"
            raise ValueError
        if kind == "datetime":
            return format_datetime(parse_datetime(str(raw)))
        if kind == "date":
            text = str(raw)
            return parse_date(text[:10] if "T" in text else text).isoformat()
        if kind == "int":
            if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                raise ValueError
            return int(raw)
        if kind == "base64":
            if not isinstance(raw, str):
                raise ValueError
            binascii.a2b_base64(raw.encode("ascii"), strict_mode=True)
            return raw
        if kind in ("double", "currency", "percent"):
            if isinstance(raw, bool):
                raise ValueError
            return float(raw)
    except (ValueError, TypeError):
        raise _deserialize_error(kind, raw) from None
    return raw


def as_python(f: FieldDef | None, value: Any) -> Any:
    """Stored value to a comparable Python value (datetime/date/str/number/bool)."""
    if value is None or f is None:
        return value
    if f.type == "datetime":
        return parse_datetime(value)
    if f.type == "date":
        return date.fromisoformat(value)
    return value
