"""Google's error answers, row by row, as the core's coded errors (app/providers/google/errors.py)."""
from __future__ import annotations

import json

import httplib2
import pytest
from googleapiclient.errors import HttpError

from app.providers.google.errors import google_error
from app.sync.errors import REACTIONS, Reaction


def _error(status: int, reason: str, headers: dict | None = None) -> HttpError:
    body = {"error": {"code": status, "message": "m", "errors": [{"domain": "global", "reason": reason, "message": "m"}]}}
    return HttpError(httplib2.Response({"status": str(status), **(headers or {})}), json.dumps(body).encode())


@pytest.mark.parametrize("status, reason, reaction", [
    (410, "fullSyncRequired", Reaction.FULL_RESYNC),
    (410, "deleted", Reaction.FORGET_ITEM),
    (404, "notFound", Reaction.FORGET_ITEM),
    (403, "rateLimitExceeded", Reaction.SLOW_DOWN),
    (403, "userRateLimitExceeded", Reaction.SLOW_DOWN),
    (429, "rateLimitExceeded", Reaction.SLOW_DOWN),
    (412, "conditionNotMet", Reaction.RETRY_LATER),
    (503, "backendError", Reaction.RETRY_LATER),
    (401, "authError", Reaction.NEEDS_REAUTH),
    (403, "forbidden", Reaction.MARK_FAILED),
    (400, "invalid", Reaction.MARK_FAILED),
])
def test_each_google_answer_has_its_reaction(status, reason, reaction):
    error = google_error(_error(status, reason), "events.list")
    assert REACTIONS[error.code] is reaction
    assert reason in str(error) and "events.list" in str(error)


def test_quota_errors_wait_for_retry_after_or_a_default():
    assert google_error(_error(429, "rateLimitExceeded", {"retry-after": "7"}), "x").retry_after == 7.0
    assert google_error(_error(403, "rateLimitExceeded"), "x").retry_after == 30.0


def test_an_unreadable_body_still_maps_by_status():
    error = google_error(HttpError(httplib2.Response({"status": "500"}), b"<html>oops</html>"), "events.get")
    assert REACTIONS[error.code] is Reaction.RETRY_LATER
