"""One error vocabulary for the Salesforce layer, and the table that maps Salesforce's codes to it.

Everything above this package sees only these exceptions (never simple-salesforce's or
requests'); `translate()` is the single edge where library errors become ours.
"""
from __future__ import annotations

import enum
from typing import Any

import requests
from simple_salesforce.exceptions import SalesforceError as LibraryError
from urllib3.exceptions import NewConnectionError


class ErrorKind(enum.Enum):
    """What the caller does about an error."""

    RETRYABLE = "retryable"            # back off (jittered, bounded) and try again
    RATE = "rate"                      # pause the org's work; never loop
    AUTH = "auth"                      # refresh once, then mark needs_reauth
    RECORD = "permanent_record"        # report on that record; the rest of the batch stands
    CALL = "permanent_call"            # the call itself is wrong; do not retry


K = ErrorKind
# Salesforce errorCode / statusCode → kind. Codes not listed fall back on the HTTP status
# (`kind_for_call`) or count as permanent per record (`kind_for_record`).
ERROR_TABLE: dict[str, ErrorKind] = {
    "UNABLE_TO_LOCK_ROW": K.RETRYABLE, "SERVER_UNAVAILABLE": K.RETRYABLE,
    "UNKNOWN_EXCEPTION": K.RETRYABLE, "TIMEOUT": K.RETRYABLE, "CONNECTION_ERROR": K.RETRYABLE,
    "CONNECT_FAILED": K.RETRYABLE,
    "QUERY_TIMEOUT": K.RETRYABLE, "CONCURRENT_LONG_REQUESTS": K.RETRYABLE,
    "REQUEST_LIMIT_EXCEEDED": K.RATE, "API_BUDGET_EXHAUSTED": K.RATE,
    "INVALID_SESSION_ID": K.AUTH, "INVALID_GRANT": K.AUTH, "API_DISABLED_FOR_ORG": K.AUTH,
    "FIELD_CUSTOM_VALIDATION_EXCEPTION": K.RECORD, "STRING_TOO_LONG": K.RECORD,
    "DUPLICATES_DETECTED": K.RECORD, "DUPLICATE_VALUE": K.RECORD,
    "ENTITY_IS_DELETED": K.RECORD, "INVALID_CROSS_REFERENCE_KEY": K.RECORD,
    "REQUIRED_FIELD_MISSING": K.RECORD, "INVALID_FIELD": K.RECORD,
    "INVALID_FIELD_FOR_INSERT_UPDATE": K.RECORD, "FIELD_INTEGRITY_EXCEPTION": K.RECORD,
    "INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST": K.RECORD, "INVALID_EMAIL_ADDRESS": K.RECORD,
    "MALFORMED_ID": K.RECORD, "MISSING_ARGUMENT": K.RECORD, "INVALID_TYPE": K.RECORD,
    "INVALID_TYPE_FOR_OPERATION": K.RECORD, "INSUFFICIENT_ACCESS_OR_READONLY": K.RECORD,
    "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY": K.RECORD,
    "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY": K.RECORD, "NUMBER_OUTSIDE_VALID_RANGE": K.RECORD,
    "ALL_OR_NONE_OPERATION_ROLLED_BACK": K.RETRYABLE, "NOT_FOUND": K.RECORD,
    "MALFORMED_QUERY": K.CALL, "INVALID_QUERY_FILTER_OPERATOR": K.CALL,
    "INVALID_QUERY_LOCATOR": K.CALL, "JSON_PARSER_ERROR": K.CALL, "EXCEEDED_ID_LIMIT": K.CALL,
    "METHOD_NOT_ALLOWED": K.CALL, "INVALID_REPLICATION_DATE": K.CALL,
    "URI_TOO_LONG": K.CALL, "MULTIPLE_CHOICES": K.CALL, "LIMIT_EXCEEDED": K.CALL,
}


def kind_for_record(code: str) -> ErrorKind:
    """Kind of a per-record error (inside a Collections result); unknown codes are permanent."""
    kind = ERROR_TABLE.get(code, K.RECORD)
    return kind if kind in (K.RETRYABLE, K.RECORD) else K.RECORD


def kind_for_call(status: int, code: str, message: str = "") -> ErrorKind:
    """Kind of a whole-call failure; a record-level code on a call (INVALID_FIELD on a query) is CALL."""
    if code == "REQUEST_LIMIT_EXCEEDED" and "ConcurrentPerOrgLongTxn" in message:
        return K.RETRYABLE       # the 25-long-requests cap, not the daily allocation
    kind = ERROR_TABLE.get(code)
    if kind in (K.RETRYABLE, K.RATE, K.AUTH):
        return kind
    if status >= 500 or status in (408, 429):
        return K.RETRYABLE
    if status == 401:
        return K.AUTH
    return K.CALL


class SalesforceError(Exception):
    """Base of every error this package raises; `code` is Salesforce's when there is one."""

    kind: ErrorKind = K.CALL

    def __init__(self, message: str, code: str = "", status: int = 0) -> None:
        super().__init__(message)
        self.code, self.status = code, status


class TransientError(SalesforceError):
    """Worth retrying later (5xx, timeouts, row locks); raised once retries are used up."""

    kind = K.RETRYABLE


class SessionExpired(SalesforceError):
    """401 INVALID_SESSION_ID; handled inside the client by one token refresh."""

    kind = K.AUTH


class ReauthorizationRequired(SalesforceError):
    """The refresh token is revoked/expired: the connection is marked needs_reauth; stop retrying."""

    kind = K.AUTH


class OrgPaused(SalesforceError):
    """The org's Salesforce work is paused until `paused_until` (epoch seconds); do not retry sooner."""

    kind = K.RATE

    def __init__(self, message: str, paused_until: float, code: str = "REQUEST_LIMIT_EXCEEDED",
                 status: int = 403) -> None:
        super().__init__(message, code, status)
        self.paused_until = paused_until


class ApiBudgetExhausted(OrgPaused):
    """Usage passed (1 - reserve) of the daily max; non-essential work waits like rate limiting."""


class CallFailed(SalesforceError):
    """The call is wrong (malformed query, unknown field, bad request): retrying cannot help."""

    kind = K.CALL


class CursorExpired(SalesforceError):
    """A change cursor is older than Salesforce keeps history for: run a full, deduplicating resync."""

    kind = K.CALL


def _first_error(content: Any) -> tuple[str, str]:
    """(errorCode, message) from a parsed error body (list of dicts, dict, or text)."""
    entry = content[0] if isinstance(content, list) and content else content
    if isinstance(entry, dict):
        return str(entry.get("errorCode") or entry.get("error") or ""), \
            str(entry.get("message") or entry.get("error_description") or "") + _duplicates(entry)
    return "", str(entry or "")[:300]


def _duplicates(entry: dict) -> str:
    """A duplicate rule's refusal (DUPLICATES_DETECTED) says which rule and which records it matched."""
    found = entry.get("duplicateResult")
    if not isinstance(found, dict):
        return ""
    matches = [f"{m.get('entityType')} {r.get('record', {}).get('Id')}" for m in found.get("matchResults") or []
               if isinstance(m, dict) for r in m.get("matchRecords") or [] if isinstance(r, dict)]
    rule = found.get("duplicateRule") or "a duplicate rule"
    return f" ({rule} matched {', '.join(matches)})" if matches else f" ({rule})"


_EXCEPTION_BY_KIND: dict[ErrorKind, type[SalesforceError]] = {
    K.RETRYABLE: TransientError, K.AUTH: SessionExpired, K.CALL: CallFailed,
    K.RECORD: CallFailed,
}


def _not_connected(exc: BaseException) -> bool:
    """A connection that was never established (refused, DNS): the request surely was not sent."""
    reason = getattr(exc.args[0], "reason", None) if isinstance(exc, requests.ConnectionError) and exc.args else None
    return isinstance(reason, NewConnectionError)


def translate(exc: BaseException) -> SalesforceError:
    """Map a simple-salesforce / requests exception to ours (RATE becomes OrgPaused by the client)."""
    if isinstance(exc, SalesforceError):
        return exc
    if isinstance(exc, LibraryError):
        code, message = _first_error(exc.content)
        kind = kind_for_call(exc.status, code, message)
        if kind is K.RATE:
            return OrgPaused(f"{code}: {message}", 0.0, code, exc.status)
        return _EXCEPTION_BY_KIND[kind](f"{exc.status} {code}: {message}".strip(), code, exc.status)
    if isinstance(exc, requests.ConnectTimeout) or _not_connected(exc):
        return TransientError(f"could not connect: {type(exc).__name__}", "CONNECT_FAILED")
    if isinstance(exc, requests.Timeout):
        return TransientError(f"timeout: {type(exc).__name__}", "TIMEOUT")
    if isinstance(exc, requests.ConnectionError):
        return TransientError(f"connection error: {type(exc).__name__}", "CONNECTION_ERROR")
    return CallFailed(f"unexpected {type(exc).__name__}", "UNEXPECTED")
