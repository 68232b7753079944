"""Naming the time zone of an iCalendar date-time with an IANA id.

Outlook writes Windows names (``W. Europe Standard Time``, resolved by CLDR's windowsZones
table that ``icalendar`` ships) or ``Customized Time Zone`` whose only meaning is its
embedded VTIMEZONE: that one is matched to the IANA zone with the same offsets all year.
"""
from __future__ import annotations

from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# Where several zones share one year's offsets, name the one most users mean (Outlook's own
# defaults for the largest markets), then CLDR's order.
PREFERRED_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                   "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Helsinki", "Europe/Moscow",
                   "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney",
                   "America/Sao_Paulo", "America/Mexico_City", "America/Toronto", "Pacific/Auckland")
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "GMT", "Z", "Etc/GMT", "Coordinated Universal Time"})


def iana_zone_name(tz: tzinfo | None, near: datetime) -> str:
    """IANA id for ``tz`` around ``near``; fixed offsets become ``Etc/GMT±N`` or ``UTC``."""
    if tz is None:
        return "UTC"
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if key:
        key = WINDOWS_TO_OLSON.get(key, key)
        return "UTC" if key in UTC_NAMES else key
    signature = _offsets(tz, near.year)
    if all(offset == timedelta(0) for offset in signature[1]):
        return "UTC"
    return _zone_with_offsets(signature) or _fixed_offset_zone(signature[1][0])


def zone(name: str) -> tzinfo:
    """The tzinfo for an IANA id (or a Windows name); unknown names fall back to UTC."""
    try:
        return ZoneInfo(WINDOWS_TO_OLSON.get(name, name))
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _offsets(tz: tzinfo, year: int) -> tuple[int, tuple[timedelta, ...]]:
    """UTC offsets at noon UTC on every day of ``year``: a fingerprint of the zone's rules."""
    start = datetime(year, 1, 1, 12, tzinfo=UTC)
    days = tuple((start + timedelta(days=d)).astimezone(tz).utcoffset() or timedelta(0) for d in range(365))
    return year, days


@lru_cache(maxsize=256)
def _zone_with_offsets(signature: tuple[int, tuple[timedelta, ...]]) -> str | None:
    """The first CLDR-preferred IANA zone whose offsets match on every sampled day."""
    year, days = signature
    for name in dict.fromkeys(PREFERRED_ZONES + tuple(WINDOWS_TO_OLSON.values())):
        try:
            candidate = ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        if _offsets(candidate, year)[1] == days:
            return name
    return None


def _fixed_offset_zone(offset: timedelta) -> str:
    hours, rest = divmod(int(offset.total_seconds()), 3600)
    if rest:
        return "UTC"
    return f"Etc/GMT{'-' if hours > 0 else '+'}{abs(hours)}"  # POSIX sign is inverted
