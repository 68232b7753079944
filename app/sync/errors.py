"""The one error vocabulary adapters raise, and the table that says what each one means.

Adapters translate their library's errors into these at the edge; the engine (per item) and
the session runner (per session) decide by ``REACTIONS`` and ``FATES`` (tables, unit-tested
row by row) rather than by ``isinstance`` switches.
"""
from __future__ import annotations

from dataclasses import dataclass
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


class Throttled(TemporaryFailure):
    """The service asked Syncline to slow down: a rate limit or quota (HTTP 429, Google's
    rateLimitExceeded), a spent per-mailbox request budget, or an org's Salesforce work paused
    near its daily API limit. The same call works later, and nothing is wrong with the mailbox,
    so waiting never counts toward suspending it."""

    code = "throttled"


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


class Duplicate(InvalidData):
    """The other side's duplicate rules refused the record as a copy of one it holds: the person
    decides (use the existing record, or change the values); sending the same values again cannot help."""

    code = "duplicate"


class MalformedRequest(SyncError):
    """The other side rejected a request Syncline built (a malformed query, an unknown field in it):
    a fault on our side or in the org's schema, never in the user's data."""

    code = "malformed_request"


class Unsupported(SyncError):
    """This deployment cannot serve the mailbox at all (e.g. no adapter for its server kind)."""

    code = "unsupported"


class UnsupportedRecurrence(SyncError):
    """A series whose recurrence the product cannot expand faithfully: refused per item, not guessed."""

    code = "unsupported_recurrence"


class FolderUnavailable(SyncError):
    """The mailbox's server does not offer this folder kind (no CalDAV URL, no IMAP host, no task
    list): the kind is simply not synced and shown as not available, never a failed session."""

    code = "unavailable"


class SetupRequired(SyncError):
    """The org lacks a Salesforce field the session needs, or the user cannot see or write it.

    An admin-fixable configuration error: retrying cannot help, so the mailbox is suspended with
    the one-sentence reason; the field setup (CLI or admin endpoint) resumes it once fixed."""

    code = "setup_required"


class Reaction(str, Enum):
    """What the engine or worker does about an error."""

    RETRY_LATER = "retry_later"      # the same call may work later: back off (honouring retry_after)
    SLOW_DOWN = "slow_down"          # the service asked to wait: as RETRY_LATER, never toward suspension
    FULL_RESYNC = "full_resync"      # forget the cursors and list everything again (deduplicating)
    NEEDS_REAUTH = "needs_reauth"    # stop until the user signs in again / updates the password
    MARK_FAILED = "mark_failed"      # permanent: retrying cannot help; dead letter / suspended
    FORGET_ITEM = "forget_item"      # the item is gone: nothing to retry


REACTIONS: dict[str, Reaction] = {
    TemporaryFailure.code: Reaction.RETRY_LATER,
    Throttled.code: Reaction.SLOW_DOWN,
    SyncError.code: Reaction.RETRY_LATER,
    CursorExpired.code: Reaction.FULL_RESYNC,
    AuthFailure.code: Reaction.NEEDS_REAUTH,
    NotFound.code: Reaction.FORGET_ITEM,
    PermissionDenied.code: Reaction.MARK_FAILED,
    InvalidData.code: Reaction.MARK_FAILED,
    Duplicate.code: Reaction.MARK_FAILED,
    MalformedRequest.code: Reaction.MARK_FAILED,
    Unsupported.code: Reaction.MARK_FAILED,
    UnsupportedRecurrence.code: Reaction.MARK_FAILED,
    FolderUnavailable.code: Reaction.MARK_FAILED,
    SetupRequired.code: Reaction.MARK_FAILED,
}


class SessionFate(str, Enum):
    """What happens to the mailbox when a whole session fails with a reaction."""

    RETRY = "retry"            # next session at the backoff time (or the error's retry_after)
    WAIT = "wait"              # next session when the service said; not a failure toward suspension
    RESYNC = "resync"          # cursors reset, next session soon
    NEEDS_REAUTH = "needs_reauth"  # mailbox waits, visibly, for new credentials
    SUSPEND = "suspend"        # mailbox suspended with the reason; a person must act


@dataclass(frozen=True)
class Fate:
    """A reaction's consequences: for the session that failed, and for one failed item."""

    session: SessionFate
    item_retried: bool


FATES: dict[Reaction, Fate] = {
    Reaction.RETRY_LATER: Fate(SessionFate.RETRY, item_retried=True),
    Reaction.SLOW_DOWN: Fate(SessionFate.WAIT, item_retried=True),
    Reaction.FULL_RESYNC: Fate(SessionFate.RESYNC, item_retried=True),
    Reaction.NEEDS_REAUTH: Fate(SessionFate.NEEDS_REAUTH, item_retried=True),
    Reaction.MARK_FAILED: Fate(SessionFate.SUSPEND, item_retried=False),
    Reaction.FORGET_ITEM: Fate(SessionFate.SUSPEND, item_retried=False),
}


def reaction_for(code: str | None) -> Reaction:
    """Reaction for an error code; unknown codes are retried (safer than dropping data)."""
    return REACTIONS.get(code or "", Reaction.RETRY_LATER)


def is_retryable(code: str | None) -> bool:
    """True when a per-record failure should hold the cursor back so the change replays."""
    return reaction_for(code) in (Reaction.RETRY_LATER, Reaction.SLOW_DOWN)


def item_retried(code: str | None) -> bool:
    """Whether a failed item is tried again by later sessions (else: a dead letter until replayed)."""
    return FATES[reaction_for(code)].item_retried


@dataclass(frozen=True)
class SessionFailure:
    """The decision about a failed session: its fate, the wait the error asked for, and why."""

    reaction: Reaction
    fate: SessionFate
    retry_after: float | None
    reason: str


def session_failure(exc: BaseException) -> SessionFailure:
    """Decide a failed session's fate from the table; errors outside the vocabulary are retried."""
    code = exc.code if isinstance(exc, SyncError) else None
    reaction = reaction_for(code)
    delay = getattr(exc, "retry_after", None)
    retry_after = float(delay) if isinstance(delay, (int, float)) and delay > 0 else None
    return SessionFailure(reaction, FATES[reaction].session, retry_after, f"{type(exc).__name__}: {exc}")
