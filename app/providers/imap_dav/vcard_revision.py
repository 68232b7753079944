"""A card's REV as the instant it was last modified: what last-writer-wins compares.

REV is a timestamp (RFC 6350 §6.7.4: basic form ``19951031T222710Z``; vCard 3.0, RFC 2426
§3.6.4, also the extended ``1995-10-31T22:27:10Z``). Only a REV naming an instant counts: a
bare date or a time without ``Z``/offset is not one, and a wrong time is worse than none.
"""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_TIMESTAMP = re.compile(
    r"^(\d{4})-?(\d{2})-?(\d{2})T(\d{2}):?(\d{2}):?(\d{2})(?:[.,]\d+)?(Z|[+-]\d{2}(?::?\d{2})?)$")


def revision_time(text: str | None) -> datetime | None:
    """The REV value as aware UTC, or None when it is absent or names no instant."""
    match = _TIMESTAMP.match((text or "").strip().upper())
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    try:
        moment = datetime(year, month, day, hour, minute, second, tzinfo=_zone(match.group(7)))
    except ValueError:
        return None
    return moment.astimezone(UTC)


def _zone(designator: str) -> timezone:
    if designator == "Z":
        return UTC
    sign = -1 if designator[0] == "-" else 1
    digits = designator[1:].replace(":", "")
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:4] or 0)))
