"""Graph's HTTP answers as the core's coded errors (app/sync/errors.py) — the adapter's one table."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.providers.retry_after import retry_after_seconds
from app.providers.vendor_edge import failed_result  # noqa: F401 (the adapter's modules import it from here)
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

# Microsoft Learn, "Microsoft Graph throttling guidance" and "Microsoft Graph error responses":
# 429, 503 and 504 carry Retry-After; a delta token the service no longer knows answers 410 (or a
# 400 with one of these codes) and the client must start a full synchronisation again.
THROTTLED = (429, 503, 504)
RESYNC_CODES = frozenset({"syncstatenotfound", "syncstateinvalid", "resyncrequired"})
DEFAULT_RETRY_AFTER = 10.0


def graph_error(status: int, body: Any, headers: Mapping[str, str], what: str) -> SyncError:
    """The core's error for one failed Graph call (``what`` names the call in the message)."""
    code, message = _code_and_message(body)
    text = f"Graph {what}: {status} {code or ''} {message}".strip()
    if status == 410 or code.lower() in RESYNC_CODES:
        return CursorExpired(text)
    if status in THROTTLED or status >= 500:
        kind = Throttled if status == 429 else TemporaryFailure
        return kind(text, retry_after=retry_after_seconds(
            headers.get("Retry-After"), DEFAULT_RETRY_AFTER if status in THROTTLED else None))
    if status == 401:
        return AuthFailure(text)
    if status == 403:
        return PermissionDenied(text + " (does the app registration have the Calendars.ReadWrite, Tasks.ReadWrite.All, "
                                       "Contacts.ReadWrite and Mail.ReadWrite application permissions with admin "
                                       "consent, or, for a delegated sign-in, those delegated permissions with "
                                       "offline_access?)")
    if status == 404:
        return NotFound(text)
    return InvalidData(text)


def _code_and_message(body: Any) -> tuple[str, str]:
    error = body.get("error") if isinstance(body, dict) else None
    if isinstance(error, dict):
        return str(error.get("code") or ""), str(error.get("message") or "")
    return "", ""
