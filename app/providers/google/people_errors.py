"""People API answers as the core's coded errors. Its errors are ``google.rpc.Status`` bodies
(``{"error": {"code", "message", "status", "details": [ErrorInfo…]}}``); the ones that matter here:

* 400 FAILED_PRECONDITION with ErrorInfo reason ``EXPIRED_SYNC_TOKEN`` - the sync token is older
  than 7 days (people.connections.list) → CursorExpired, a full listing;
* 400 FAILED_PRECONDITION otherwise - the etag sent is stale (someone changed the contact since it
  was read) → TemporaryFailure: the next session reads it again;
* 429 / 403 RESOURCE_EXHAUSTED, 5xx → TemporaryFailure with Retry-After; 401 → AuthFailure;
  403 → PermissionDenied; 404 → NotFound; any other 4xx → InvalidData.
"""
from __future__ import annotations

import json
from typing import Any

from googleapiclient.errors import HttpError

from app.providers.google.errors import _seconds
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

EXPIRED = "EXPIRED_SYNC_TOKEN"


def people_error(exc: HttpError, what: str) -> SyncError:
    status = int(exc.resp.status)
    state, reasons, message = _parts(exc.content)
    text = f"Google People {what}: {status} {state} {message}".strip()
    if EXPIRED in reasons or (status == 400 and "sync token is expired" in message.lower()):
        return CursorExpired(text)
    if status == 400 and state == "FAILED_PRECONDITION":
        return TemporaryFailure(text + " (changed since it was read; read again next session)")
    if status == 429 or (status == 403 and state == "RESOURCE_EXHAUSTED"):
        return Throttled(text, retry_after=_seconds(exc.resp.get("retry-after")))
    if status >= 500:
        return TemporaryFailure(text, retry_after=_seconds(exc.resp.get("retry-after")))
    if status == 401:
        return AuthFailure(text)
    if status == 403:
        return PermissionDenied(text + " (is the contacts scope granted to the service account's client id "
                                       "under domain-wide delegation?)")
    if status == 404:
        return NotFound(text)
    return InvalidData(text)


def _parts(content: Any) -> tuple[str, set[str], str]:
    try:
        error = json.loads(content or b"{}").get("error") or {}
    except (ValueError, AttributeError):
        return "", set(), ""
    if not isinstance(error, dict):
        return "", set(), str(error)
    details = [*(error.get("details") or ()), *(error.get("errors") or ())]
    reasons = {str(d.get("reason") or "") for d in details if isinstance(d, dict)}
    return str(error.get("status") or ""), reasons, str(error.get("message") or "")

