"""Translating HTTP statuses and IMAP library errors into the core's coded errors, as tables.

Nothing here retries or sleeps: the core's ``REACTIONS`` table decides what happens next.
"""
from __future__ import annotations

from app.providers.host_guard import ForbiddenHost
from app.providers.retry_after import retry_after_seconds
from app.sync.errors import (
    AuthFailure,
    InvalidData,
    NotFound,
    PermissionDenied,
    SyncError,
    TemporaryFailure,
    Throttled,
)

HTTP_STATUS_ERRORS: dict[int, type[SyncError]] = {
    400: InvalidData,
    401: AuthFailure,
    403: PermissionDenied,
    404: NotFound,
    405: InvalidData,
    406: InvalidData,
    408: TemporaryFailure,
    409: InvalidData,
    410: NotFound,
    # If-Match failed: the item changed since we read it; the next sync reads it again.
    412: TemporaryFailure,
    413: InvalidData,
    415: InvalidData,
    422: InvalidData,
    423: TemporaryFailure,
    429: Throttled,
    507: TemporaryFailure,
}

CREDENTIALS_REFUSED = "the server refused the credentials"


def unreachable(host: str) -> TemporaryFailure:
    """The one text for every failure to reach a mail server: refused, timed out, TLS, or an
    answer in the wrong protocol all read the same, so users cannot map our network's ports."""
    return TemporaryFailure(f"could not connect to {host}")


class HostRefused(InvalidData):
    """The host guard refused the connection: permanent until an admin fixes the profile."""


def forbidden_host(host: str, exc: ForbiddenHost) -> HostRefused:
    return HostRefused(f"could not connect to {host}: {exc}")

def http_error(status: int, what: str, retry_after: str | None = None) -> SyncError:
    """The core error for a non-success HTTP status (5xx and unknown codes are temporary)."""
    cls = HTTP_STATUS_ERRORS.get(status, TemporaryFailure if status >= 500 else InvalidData)
    message = f"{what}: HTTP {status}"
    if cls in (TemporaryFailure, Throttled):
        return cls(message, retry_after=retry_after_seconds(retry_after))
    return cls(message)
