"""The one error vocabulary adapters raise, and the table that says what each one means.

Adapters translate their library's errors into these at the edge; the engine and the
workers decide by ``REACTIONS`` (a table, so it can be unit-tested) rather than a switch.
"""
from __future__ import annotations

from enum import Enum


class SyncError(Exception):
    """Base class of every error a port may raise."""

    code = "sync_error"


class CursorExpired(SyncError):
    """The change cursor is no longer valid: do a full resync that deduplicates."""

    code = "cursor_expired"


class TemporaryFailure(SyncError):
    """Throttling, timeouts, 5xx: the same call may succeed later."""

    code = "temporary"

    def __init__(self, message: str = "", retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthFailure(SyncError):
    """Credentials are no longer accepted (e.g. ``invalid_grant``): stop retrying."""

    code = "auth"


class NotFound(SyncError):
    """The item or record does not exist (any more)."""

    code = "not_found"


class PermissionDenied(SyncError):
    """The user may not read or write this item or field."""

    code = "permission"


class InvalidData(SyncError):
    """The other side rejected the values (validation rule, bad picklist value…)."""

    code = "invalid"


class Reaction(str, Enum):
    """What the engine or worker does about an error."""

    RETRY_LATER = "retry_later"
    FULL_RESYNC = "full_resync"
    NEEDS_REAUTH = "needs_reauth"
    MARK_FAILED = "mark_failed"
    FORGET_ITEM = "forget_item"


REACTIONS: dict[str, Reaction] = {
    TemporaryFailure.code: Reaction.RETRY_LATER,
    SyncError.code: Reaction.RETRY_LATER,
    CursorExpired.code: Reaction.FULL_RESYNC,
    AuthFailure.code: Reaction.NEEDS_REAUTH,
    NotFound.code: Reaction.FORGET_ITEM,
    PermissionDenied.code: Reaction.MARK_FAILED,
    InvalidData.code: Reaction.MARK_FAILED,
}


def reaction_for(code: str | None) -> Reaction:
    """Reaction for an error code; unknown codes are retried (safer than dropping data)."""
    return REACTIONS.get(code or "", Reaction.RETRY_LATER)


def is_retryable(code: str | None) -> bool:
    """True when a per-record failure should hold the cursor back so the change replays."""
    return reaction_for(code) is Reaction.RETRY_LATER
