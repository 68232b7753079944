"""The core's errors from resolving a Gmail message ref (app/services/gmail_refs.py) as API errors.

One table, as for Salesforce (sidebar_errors.py), worded for Gmail: NotFound → 404 (the ref is not
a message of this user's Gmail); AuthFailure → 409 (the mailbox needs a new sign-in or key);
TemporaryFailure (quota, timeouts) → 503 with Retry-After; PermissionDenied → 403; anything else → 502.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask_smorest import abort

from app.api.sidebar_errors import ErrorAnswer, retry_after
from app.sync import errors as core

ANSWERS: dict[type[core.SyncError], ErrorAnswer] = {
    core.NotFound: ErrorAnswer(404, "Gmail has no such message in your mailbox: {words}", "not_found"),
    core.AuthFailure: ErrorAnswer(409, "Syncline cannot read your Gmail right now (the Google connection needs "
                                       "a new sign-in or key): {words}", "reauthorization_required"),
    core.TemporaryFailure: ErrorAnswer(503, "Gmail cannot answer right now; try again in a moment.", "temporary"),
    core.PermissionDenied: ErrorAnswer(403, "Gmail refused this: {words}", "permission"),
    core.SyncError: ErrorAnswer(502, "Gmail failed: {words}", "error"),
}


@contextmanager
def gmail_errors() -> Iterator[None]:
    """`with gmail_errors(): ...` around a view's Gmail look-up."""
    try:
        yield
    except core.SyncError as exc:
        answer = next(ANSWERS[cls] for cls in type(exc).__mro__ if cls in ANSWERS)
        headers = {"Retry-After": retry_after(exc)} if answer.status == 503 else None
        abort(answer.status, message=answer.message.format(words=str(exc) or exc.code),
              errors={"gmail": [answer.code]}, **({"headers": headers} if headers else {}))
