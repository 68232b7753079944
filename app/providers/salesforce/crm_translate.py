"""The edge between the Salesforce layer's errors and the sync core's vocabulary.

Two tables, unit-tested: whole-call failures become core exceptions (`core_error`), and
per-record failures become `WriteResult(ok=False, error_code=...)` (`write_result`), with
retryable ones coded `temporary` so the core holds its cursor back and replays them.
"""
from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.providers.salesforce import errors as sf
from app.providers.salesforce.writes import RecordResult
from app.sync import errors as core
from app.sync.ports import WriteResult

NOT_FOUND_CODES = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})
PERMISSION_CODES = frozenset({
    "INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
    "INSUFFICIENT_ACCESS", "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", "API_DISABLED_FOR_ORG",
    "FUNCTIONALITY_NOT_ENABLED", "INVALID_ACCESS_LEVEL",
})


def code_for(code: str, retryable: bool = False) -> str:
    """Core error code of one Salesforce error code (record or call level)."""
    if retryable or sf.kind_for_call(0, code) in (sf.ErrorKind.RETRYABLE, sf.ErrorKind.RATE):
        return core.TemporaryFailure.code
    if code in NOT_FOUND_CODES:
        return core.NotFound.code
    if code in PERMISSION_CODES:
        return core.PermissionDenied.code
    return core.InvalidData.code


def core_error(exc: sf.SalesforceError) -> core.SyncError:
    """The core exception for a whole-call failure (after the client's own retries)."""
    message = str(exc) or exc.code
    if isinstance(exc, sf.OrgPaused):
        wait = max(0.0, exc.paused_until - time.time()) if exc.paused_until else None
        return core.TemporaryFailure(message, retry_after=wait)
    if isinstance(exc, (sf.ReauthorizationRequired, sf.SessionExpired)):
        return core.AuthFailure(message)
    if isinstance(exc, sf.CursorExpired):
        return core.CursorExpired(message)
    if isinstance(exc, sf.TransientError):
        return core.TemporaryFailure(message)
    if isinstance(exc, sf.CallFailed):
        if exc.code in PERMISSION_CODES or exc.status == 403:
            return core.PermissionDenied(message)
        if exc.code in NOT_FOUND_CODES or exc.status == 404:
            return core.NotFound(message)
        return core.InvalidData(message)
    return core.SyncError(message)


@contextmanager
def salesforce_edge() -> Iterator[None]:
    """Re-raise the Salesforce layer's errors as the core's (nothing else crosses the port)."""
    try:
        yield
    except sf.SalesforceError as exc:
        raise core_error(exc) from exc


def write_result(result: RecordResult, target_id: str | None = None) -> WriteResult:
    """One record's outcome. Versions are left unknown on purpose: reading SystemModstamp
    back after the write could pick up a user's concurrent edit and hide it as our echo."""
    if result.success:
        return WriteResult(True, result.id or target_id)
    first = result.errors[0] if result.errors else None
    code = first.code if first else "UNKNOWN"
    message = "; ".join(f"{e.code}: {e.message}" for e in result.errors) or code
    return WriteResult(False, target_id, error=message, error_code=code_for(code, result.retryable))


def partial_or_raise(exc: sf.SalesforceError, count: int) -> list[WriteResult]:
    """A RecordWriter stopped by a pause: per-record results (unsent ones temporary); auth raises."""
    partial = getattr(exc, "partial_results", None)
    if exc.kind is sf.ErrorKind.AUTH or partial is None or len(partial) != count:
        raise core_error(exc) from exc
    return [write_result(r) for r in partial]
