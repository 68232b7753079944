"""Salesforce errors as the sidebar's API errors: one table, one context manager for the views.

ReauthorizationRequired → 409 "sign in again"; OrgPaused → 503 + Retry-After; a record-level
refusal (INVALID_FIELD, INVALID_CROSS_REFERENCE_KEY, REQUIRED_FIELD_MISSING…) → 400 with
Salesforce's own words; duplicates → 409; permissions → 403; anything else → 502.
"""
from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flask_smorest import abort

from app.providers.salesforce.errors import (
    CallFailed,
    OrgPaused,
    ReauthorizationRequired,
    SalesforceError,
    TransientError,
)

STATUS_BY_CODE: dict[str, int] = {
    **dict.fromkeys(("INVALID_FIELD", "INVALID_FIELD_FOR_INSERT_UPDATE", "REQUIRED_FIELD_MISSING",
                     "INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID", "STRING_TOO_LONG",
                     "FIELD_CUSTOM_VALIDATION_EXCEPTION", "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST",
                     "INVALID_EMAIL_ADDRESS", "INVALID_TYPE", "FIELD_INTEGRITY_EXCEPTION",
                     "NUMBER_OUTSIDE_VALID_RANGE", "MALFORMED_SEARCH", "INVALID_SEARCH",
                     "ENTITY_IS_DELETED", "JSON_PARSER_ERROR"), 400),
    **dict.fromkeys(("DUPLICATES_DETECTED", "DUPLICATE_VALUE"), 409),
    **dict.fromkeys(("INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
                     "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY"), 403),
}
TRANSIENT_RETRY_AFTER_S = 5


def _salesforce_words(exc: SalesforceError) -> str:
    """Salesforce's message without our "400 CODE:" prefix."""
    text = str(exc)
    return text.split(": ", 1)[1] if exc.code and f"{exc.code}: " in text else text


def abort_for(exc: SalesforceError) -> None:
    """Raise the HTTP error that tells the user what to do about `exc`."""
    if isinstance(exc, ReauthorizationRequired):
        abort(409, message="Salesforce needs you to sign in again: your Salesforce connection has expired "
                           "or was revoked.", errors={"salesforce": ["reauthorization_required"]})
    if isinstance(exc, OrgPaused):
        wait = max(1, math.ceil(exc.paused_until - time.time())) if exc.paused_until else 60
        abort(503, message="Salesforce API use is paused for your org (daily API limit); try again later.",
              headers={"Retry-After": str(wait)})
    if isinstance(exc, TransientError):
        abort(503, message="Salesforce did not answer in time; try again in a moment.",
              headers={"Retry-After": str(TRANSIENT_RETRY_AFTER_S)})
    status = STATUS_BY_CODE.get(exc.code, 502) if isinstance(exc, CallFailed) else 502
    prefix = "Salesforce refused this" if status != 502 else "Salesforce failed"
    abort(status, message=f"{prefix}: {_salesforce_words(exc)}", errors={"salesforce": [exc.code or "ERROR"]})


@contextmanager
def salesforce_errors() -> Iterator[None]:
    """`with salesforce_errors(): ...` around every Salesforce call a view makes."""
    try:
        yield
    except SalesforceError as exc:
        abort_for(exc)
