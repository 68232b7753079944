"""Calendar API answers as the core's coded errors (app/sync/errors.py) - the Google adapter's one table.

Google's error body is ``{"error": {"code", "message", "errors": [{"domain", "reason", "message"}]}}``
("Handle API errors", Calendar API guides): 403/429 ``rateLimitExceeded``/``userRateLimitExceeded``/
``quotaExceeded`` are retried with backoff, 410 ``fullSyncRequired`` wipes the sync token, 410
``deleted`` means the event is already gone, 412 ``conditionNotMet`` means someone changed it since
it was read (the next session reads it again).
"""
from __future__ import annotations

import json
from typing import Any

from googleapiclient.errors import HttpError

from app.providers.retry_after import retry_after_seconds
from app.sync.errors import (
    AuthFailure,
    CursorExpired,
    InvalidData,
    NotFound,
    PermissionDenied,
    SyncError,
    TemporaryFailure,
    Throttled,
)

QUOTA_REASONS = frozenset({"rateLimitExceeded", "userRateLimitExceeded", "quotaExceeded", "dailyLimitExceeded"})
DEFAULT_RETRY_AFTER = 30.0


def google_error(exc: HttpError, what: str, api: str = "Calendar") -> SyncError:
    """The core's error for one failed ``api`` call (``what`` names the call in the message)."""
    status = int(exc.resp.status)
    reason, message = reason_and_message(exc.content)
    text = f"Google {api} {what}: {status} {reason} {message}".strip()
    if status == 410 and reason != "deleted":
        return CursorExpired(text)
    if status == 429 or (status == 403 and reason in QUOTA_REASONS):
        return Throttled(text, retry_after=_seconds(exc.resp.get("retry-after")))
    if status >= 500 or status == 412:
        return TemporaryFailure(text, retry_after=_seconds(exc.resp.get("retry-after")) if status != 412 else None)
    if status == 401:
        return AuthFailure(text)
    if status == 403:
        return PermissionDenied(text + f" (is the {api} scope granted to the service account's client id "
                                       "under domain-wide delegation?)")
    if status in (404, 410):
        return NotFound(text)
    return InvalidData(text)


def reason_and_message(content: Any) -> tuple[str, str]:
    try:
        error = json.loads(content or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        return "", ""
    if not isinstance(error, dict):
        return "", str(error)
    reasons = [str(e.get("reason") or "") for e in error.get("errors") or () if isinstance(e, dict)]
    return (reasons[0] if reasons else ""), str(error.get("message") or "")


def _seconds(value: Any) -> float | None:
    return retry_after_seconds(value, DEFAULT_RETRY_AFTER)
