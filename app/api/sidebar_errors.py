"""The core's errors (``app.sync.errors``) as API errors: one table, one context manager.

Used by every view that asks Salesforce something on the user's behalf (the sidebar, mapping
checks against the org's describe). The ports raise only the core's vocabulary, so this table
is the whole story:
AuthFailure → 409 "sign in again"; SetupRequired → 409 naming the fields and the fix; TemporaryFailure (daily-limit pause, timeouts) → 503 with
Retry-After; Duplicate (the org's duplicate rules, with their reason and matches) → 409; InvalidData
(a record Salesforce refuses, with its own words) → 400; PermissionDenied → 403; NotFound → 404;
MalformedRequest (a query or call Syncline built that Salesforce rejects: our fault, not the
user's) and anything else → 502.
"""
from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask_smorest import abort

from app.sync import errors as core


@dataclass(frozen=True)
class ErrorAnswer:
    status: int
    message: str            # `{words}` is replaced by Salesforce's own message
    code: str


ANSWERS: dict[type[core.SyncError], ErrorAnswer] = {
    core.AuthFailure: ErrorAnswer(409, "Salesforce needs you to sign in again: your Salesforce connection has "
                                       "expired or was revoked.", "reauthorization_required"),
    core.TemporaryFailure: ErrorAnswer(503, "Salesforce cannot take this request right now (busy, or your org's "
                                            "daily API limit was reached); try again later.", "temporary"),
    core.Duplicate: ErrorAnswer(409, "Salesforce's duplicate rules refused this as a copy of an existing record: "
                                     "{words}", "duplicate"),
    core.InvalidData: ErrorAnswer(400, "Salesforce refused this: {words}", "invalid"),
    core.MalformedRequest: ErrorAnswer(502, "Salesforce rejected a request Syncline built: {words}",
                                       "malformed_request"),
    core.SetupRequired: ErrorAnswer(409, "{words}", "setup_required"),
    core.PermissionDenied: ErrorAnswer(403, "Salesforce refused this: {words}", "permission"),
    core.NotFound: ErrorAnswer(404, "Salesforce refused this: {words}", "not_found"),
    core.SyncError: ErrorAnswer(502, "Salesforce failed: {words}", "error"),
}
TRANSIENT_RETRY_AFTER_S = 5
_CALL_PREFIX = re.compile(r"^(?:\d{3} )?[A-Z_]+: ")     # the Salesforce layer's "400 CODE: " prefix


def answer_for(exc: core.SyncError) -> ErrorAnswer:
    """The table's row for `exc`'s class, else its nearest listed base class."""
    return next(ANSWERS[cls] for cls in type(exc).__mro__ if cls in ANSWERS)


def retry_after(exc: core.SyncError) -> str:
    """Seconds until a paused org resumes, else a short wait for a busy Salesforce."""
    wait = getattr(exc, "retry_after", None)
    return str(max(1, math.ceil(wait)) if wait else TRANSIENT_RETRY_AFTER_S)


def abort_for(exc: core.SyncError) -> None:
    """Raise the HTTP error that tells the user what to do about `exc`."""
    answer = answer_for(exc)
    words = _CALL_PREFIX.sub("", str(exc)) or exc.code
    headers = {"Retry-After": retry_after(exc)} if answer.status == 503 else None
    abort(answer.status, message=answer.message.format(words=words), errors={"salesforce": [answer.code]},
          **({"headers": headers} if headers else {}))


@contextmanager
def salesforce_errors() -> Iterator[None]:
    """`with salesforce_errors(): ...` around every sidebar port call a view makes."""
    try:
        yield
    except core.SyncError as exc:
        abort_for(exc)
