"""`Retry-After` read one way for every outside system (RFC 9110 §10.2.3): delta-seconds or an
HTTP date. Graph, Google and DAV servers send either; a reader that knows only seconds would
treat a date as unreadable and retry at once, straight into the throttle it was told about."""
from __future__ import annotations

import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any


def retry_after_seconds(value: Any, default: float | None = None,
                        now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from now; `default` when the header is absent or unreadable."""
    if value is None or value == "":
        return default
    text = value.decode() if isinstance(value, bytes) else str(value)
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(text).timestamp() - now())
    except (TypeError, ValueError, IndexError):
        return default
