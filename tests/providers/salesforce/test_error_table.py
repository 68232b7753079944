"""The error table and the edge translation, on plain data (no server)."""
from __future__ import annotations

import pytest
import requests
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
)

from app.providers.salesforce.errors import (
    CallFailed,
    ErrorKind,
    OrgPaused,
    SessionExpired,
    TransientError,
    kind_for_call,
    kind_for_record,
    translate,
)

K = ErrorKind


@pytest.mark.parametrize("code, kind", [
    ("UNABLE_TO_LOCK_ROW", K.RETRYABLE), ("FIELD_CUSTOM_VALIDATION_EXCEPTION", K.RECORD),
    ("STRING_TOO_LONG", K.RECORD), ("DUPLICATES_DETECTED", K.RECORD), ("ENTITY_IS_DELETED", K.RECORD),
    ("INVALID_CROSS_REFERENCE_KEY", K.RECORD), ("REQUIRED_FIELD_MISSING", K.RECORD),
    ("INVALID_FIELD", K.RECORD), ("SOMETHING_NEW", K.RECORD),
    ("REQUEST_LIMIT_EXCEEDED", K.RECORD),       # never a per-record kind: treated as permanent there
])
def test_record_error_kinds(code, kind):
    assert kind_for_record(code) is kind


@pytest.mark.parametrize("status, code, message, kind", [
    (503, "SERVER_UNAVAILABLE", "", K.RETRYABLE), (500, "", "", K.RETRYABLE), (502, "WHATEVER", "", K.RETRYABLE),
    (400, "UNABLE_TO_LOCK_ROW", "", K.RETRYABLE),
    (403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.", K.RATE),
    (403, "REQUEST_LIMIT_EXCEEDED", "ConcurrentPerOrgLongTxn Limit exceeded.", K.RETRYABLE),
    (401, "INVALID_SESSION_ID", "", K.AUTH), (401, "", "", K.AUTH),
    (400, "MALFORMED_QUERY", "", K.CALL), (400, "INVALID_FIELD", "No such column", K.CALL),
    (404, "NOT_FOUND", "", K.CALL), (414, "", "", K.CALL), (403, "INSUFFICIENT_ACCESS", "", K.CALL),
])
def test_call_error_kinds(status, code, message, kind):
    assert kind_for_call(status, code, message) is kind


def _lib(cls, status, code, message="m"):
    return cls("https://x/services/data/v62.0/query", status, "query", [{"errorCode": code, "message": message}])


@pytest.mark.parametrize("exc, expected, code", [
    (_lib(SalesforceGeneralError, 503, "SERVER_UNAVAILABLE"), TransientError, "SERVER_UNAVAILABLE"),
    (_lib(SalesforceExpiredSession, 401, "INVALID_SESSION_ID"), SessionExpired, "INVALID_SESSION_ID"),
    (_lib(SalesforceRefusedRequest, 403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded."),
     OrgPaused, "REQUEST_LIMIT_EXCEEDED"),
    (_lib(SalesforceMalformedRequest, 400, "MALFORMED_QUERY"), CallFailed, "MALFORMED_QUERY"),
    (SalesforceGeneralError("u", 414, "query", "<html>414</html>"), CallFailed, ""),
    (requests.ReadTimeout(), TransientError, "TIMEOUT"),
    (requests.ConnectionError(), TransientError, "CONNECTION_ERROR"),
    (requests.ConnectTimeout(), TransientError, "CONNECT_FAILED"),
])
def test_translate_maps_library_errors_at_the_edge(exc, expected, code):
    err = translate(exc)
    assert type(err) is expected and err.code == code
