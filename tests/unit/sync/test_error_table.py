"""The one error table, row by row: each coded error's reaction, and what that means for a
failed session and for a failed item. A new error class without a row fails here."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from app.providers.imap_dav.errors import http_error
from app.sync import errors
from app.sync.errors import (
    FATES,
    REACTIONS,
    AuthFailure,
    CursorExpired,
    Duplicate,
    FolderUnavailable,
    InvalidData,
    MalformedRequest,
    NotFound,
    PermissionDenied,
    Reaction,
    SessionFate,
    SetupRequired,
    SyncError,
    TemporaryFailure,
    Throttled,
    Unsupported,
    UnsupportedRecurrence,
    item_retried,
    session_failure,
)

# error class → (reaction, session fate, item retried by later sessions)
TABLE = [
    (TemporaryFailure, Reaction.RETRY_LATER, SessionFate.RETRY, True),
    (Throttled, Reaction.SLOW_DOWN, SessionFate.WAIT, True),
    (SyncError, Reaction.RETRY_LATER, SessionFate.RETRY, True),
    (CursorExpired, Reaction.FULL_RESYNC, SessionFate.RESYNC, True),
    (AuthFailure, Reaction.NEEDS_REAUTH, SessionFate.NEEDS_REAUTH, True),
    (NotFound, Reaction.FORGET_ITEM, SessionFate.SUSPEND, False),
    (PermissionDenied, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
    (InvalidData, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
    (Duplicate, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
    (MalformedRequest, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
    (Unsupported, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
    (UnsupportedRecurrence, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
    (FolderUnavailable, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
    (SetupRequired, Reaction.MARK_FAILED, SessionFate.SUSPEND, False),
]


@pytest.mark.parametrize(("error", "reaction", "fate", "retried"), TABLE, ids=[r[0].__name__ for r in TABLE])
def test_every_row_decides_session_and_item(error, reaction, fate, retried):
    assert REACTIONS[error.code] is reaction
    decision = session_failure(error("boom"))
    assert (decision.reaction, decision.fate) == (reaction, fate)
    assert item_retried(error.code) is retried
    assert "boom" in decision.reason


def test_the_table_covers_every_error_class_and_every_reaction():
    classes = {c for c in vars(errors).values() if isinstance(c, type) and issubclass(c, SyncError)}
    assert {row[0] for row in TABLE} == classes
    assert set(REACTIONS) == {c.code for c in classes}
    assert set(FATES) == set(Reaction)


def test_errors_outside_the_vocabulary_are_retried_with_backoff():
    decision = session_failure(RuntimeError("database went away"))
    assert decision.fate is SessionFate.RETRY and decision.retry_after is None
    assert item_retried("something new") is True


def test_the_delay_an_error_asks_for_travels_with_the_decision():
    assert session_failure(TemporaryFailure("429", retry_after=120)).retry_after == 120
    assert session_failure(TemporaryFailure("429", retry_after=0)).retry_after is None
    assert session_failure(TemporaryFailure("503")).retry_after is None


def test_retry_after_in_seconds_or_as_an_http_date_reaches_the_core_error():
    assert http_error(429, "PUT x", "90").retry_after == 90 and isinstance(http_error(429, "PUT x"), Throttled)
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=600), usegmt=True)
    assert 590 <= http_error(503, "REPORT x", when).retry_after <= 600
    assert http_error(503, "REPORT x", "soon").retry_after is None
    assert isinstance(http_error(403, "PUT x"), PermissionDenied)


def test_backoff_grows_by_consecutive_failures_and_honours_retry_after():
    from app.services.scheduling import RETRY_CAP_SECONDS, retry_at

    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    waits = [(retry_at(now, n, jitter=lambda: 0.5) - now).total_seconds() for n in (1, 2, 3, 20)]
    assert waits == [30, 60, 120, RETRY_CAP_SECONDS]
    assert (retry_at(now, 1, retry_after=900, jitter=lambda: 0.5) - now).total_seconds() == 900
    assert 24 <= (retry_at(now, 1, jitter=lambda: 0.0) - now).total_seconds() <= 36
