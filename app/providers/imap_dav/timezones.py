"""Naming the time zone of an iCalendar date-time with an IANA id.

Outlook writes Windows names (``W. Europe Standard Time``, resolved by CLDR's windowsZones
table that ``icalendar`` ships) or ``Customized Time Zone`` whose only meaning is its
embedded VTIMEZONE: that one is matched to the IANA zone with the same offsets all year.
TZIDs ``icalendar`` leaves unresolved (no VTIMEZONE sent) are named by ``zone_for_tzid``:
Exchange's ``tzone://Microsoft/…``, vendor-prefixed IANA ids, and Windows display names
such as ``(UTC+01:00) Amsterdam, Berlin, …``.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, tzinfo
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from icalendar.timezone.windows_to_olson import WINDOWS_TO_OLSON

# Where several zones share one year's offsets, name the one most users mean (Outlook's own
# defaults for the largest markets), then CLDR's order.
PREFERRED_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles",
                   "Europe/London", "Europe/Berlin", "Europe/Paris", "Europe/Helsinki", "Europe/Moscow",
                   "Asia/Kolkata", "Asia/Shanghai", "Asia/Tokyo", "Asia/Singapore", "Australia/Sydney",
                   "America/Sao_Paulo", "America/Mexico_City", "America/Toronto", "Pacific/Auckland")
UTC_NAMES = frozenset({"UTC", "Etc/UTC", "GMT", "Z", "Etc/GMT", "Coordinated Universal Time"})
# Windows display names that name no city (the others are matched by their cities).
DISPLAY_REGIONS = {"eastern time": "America/New_York", "central time": "America/Chicago",
                   "mountain time": "America/Denver", "pacific time": "America/Los_Angeles",
                   "alaska": "America/Anchorage", "hawaii": "Pacific/Honolulu", "atlantic time": "America/Halifax",
                   "coordinated universal time": "UTC", "arizona": "America/Phoenix"}
DISPLAY_NAME = re.compile(r"^\((?:UTC|GMT)(?:([+-])(\d{1,2}):?(\d{2}))?\)\s*(.*)$", re.IGNORECASE)


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


def zone_for_tzid(tzid: str) -> str | None:
    """IANA id for a TZID that came without a VTIMEZONE ``icalendar`` could use; None when unknown."""
    name = tzid.strip().strip('"')
    name = name.removeprefix("tzone://Microsoft/")
    if name in UTC_NAMES or name.lower() == "utc":
        return "UTC"
    for candidate in (name, WINDOWS_TO_OLSON.get(name, "")):
        if candidate and _is_zone(candidate):
            return "UTC" if candidate in UTC_NAMES else candidate
    display = DISPLAY_NAME.match(name)
    if display:
        return _zone_for_display_name(display)
    parts = name.split("/")  # vendor prefixes: /mozilla.org/20050126_1/Europe/Berlin
    suffixes = ("/".join(parts[i:]) for i in range(1, len(parts)))
    return next((suffix for suffix in suffixes if suffix and _is_zone(suffix)), None)


def _zone_for_display_name(display: re.Match[str]) -> str | None:
    sign, hours, minutes, places = display.groups()
    lowered = places.lower()
    for region, zone_name in DISPLAY_REGIONS.items():
        if lowered.startswith(region):
            return zone_name
    cities = _zones_by_city()
    for place in re.split(r"[,;]\s*|\s+-\s+", places):
        found = cities.get(place.strip().lower().replace(" ", "_"))
        if found:
            return found
    if not hours:
        return "UTC" if not places or "utc" in lowered or "gmt" in lowered else None
    offset = timedelta(hours=int(hours), minutes=int(minutes)) * (-1 if sign == "-" else 1)
    return _fixed_offset_zone(offset)


@lru_cache(maxsize=1)
def _zones_by_city() -> dict[str, str]:
    """``amsterdam`` → ``Europe/Amsterdam`` for every IANA zone's last component (first one wins)."""
    found: dict[str, str] = {}
    for name in sorted(available_timezones()):
        if "/" in name and not name.startswith(("Etc/", "SystemV/", "US/")):
            found.setdefault(name.rsplit("/", 1)[1].lower(), name)
    return found


def _is_zone(name: str) -> bool:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


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
