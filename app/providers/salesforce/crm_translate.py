"""The edge between the Salesforce layer's errors and the sync core's vocabulary.

Two tables, unit-tested: whole-call failures become core exceptions (`core_error`), and
per-record failures become `WriteResult(ok=False, error_code=...)` (`write_result`), with
retryable ones coded `temporary` so the core holds its cursor back and replays them.

One refusal is not about the record at all: Salesforce naming one of Syncline's own fields
(INVALID_FIELD, INVALID_FIELD_FOR_INSERT_UPDATE, FIELD_INTEGRITY_EXCEPTION, an unknown External
ID field) means the org lost the field or the user lost access to it since the pre-session
check. That is the core's `SetupRequired` for the whole session (`lost_field_error`), never a
per-item error repeated on every record.
"""
from __future__ import annotations

import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from app.providers.salesforce import errors as sf
from app.providers.salesforce.writes import RecordResult
from app.sync import errors as core
from app.sync.ports import WriteResult
from app.sync.salesforce_fields import FieldProblem, setup_message

NOT_FOUND_CODES = frozenset({"ENTITY_IS_DELETED", "NOT_FOUND"})
PERMISSION_CODES = frozenset({
    "INSUFFICIENT_ACCESS_OR_READONLY", "INSUFFICIENT_ACCESS_ON_CROSS_REFERENCE_ENTITY",
    "INSUFFICIENT_ACCESS", "CANNOT_INSERT_UPDATE_ACTIVATE_ENTITY", "API_DISABLED_FOR_ORG",
    "FUNCTIONALITY_NOT_ENABLED", "INVALID_ACCESS_LEVEL",
})


DUPLICATE_CODES = frozenset({"DUPLICATES_DETECTED", "DUPLICATE_VALUE"})
# a whole call refused for how Syncline wrote it (the user's own input is checked before any call)
MALFORMED_CODES = frozenset({"MALFORMED_QUERY", "INVALID_FIELD", "INVALID_QUERY_FILTER_OPERATOR",
                             "JSON_PARSER_ERROR"})
FIELD_CODES = frozenset({"INVALID_FIELD", "INVALID_FIELD_FOR_INSERT_UPDATE", "FIELD_INTEGRITY_EXCEPTION",
                         "NOT_FOUND"})
_NAMED_FIELD = re.compile(r"No such column '(?P<field>[^']+)' on (?:sobject of type |entity ')(?P<object>\w+)"
                          r"|Unable to create/update fields: (?P<fields>[^.]+)\."
                          r"|external ID field does not exist or is not accessible: (?P<key>\w+)")
GENERIC_FIX = ("Syncline's field setup (`syncline salesforce setup-fields`, or POST "
               "/api/v1/orgs/{id}/salesforce/fields as an admin)")


@dataclass(frozen=True)
class SetupHint:
    """Who the session runs as and the command that fixes the org, for the one-sentence SetupRequired."""

    who: str = "your Salesforce user"
    fix: str = GENERIC_FIX


def code_for(code: str, retryable: bool = False) -> str:
    """Core error code of one Salesforce error code (record or call level)."""
    if retryable or sf.kind_for_call(0, code) in (sf.ErrorKind.RETRYABLE, sf.ErrorKind.RATE):
        return core.TemporaryFailure.code
    if code in NOT_FOUND_CODES:
        return core.NotFound.code
    if code in PERMISSION_CODES:
        return core.PermissionDenied.code
    if code in DUPLICATE_CODES:
        return core.Duplicate.code
    return core.InvalidData.code


def lost_fields(code: str, message: str, fields: Sequence[str] = (),
                object_type: str | None = None) -> list[FieldProblem]:
    """Syncline's own fields a Salesforce refusal names as missing, hidden or read-only (else [])."""
    if code not in FIELD_CODES:
        return []
    named = list(fields)
    on = object_type
    for match in _NAMED_FIELD.finditer(message):
        on = match.group("object") or on
        named += [n.strip() for n in (match.group("field") or match.group("key") or
                                      match.group("fields") or "").split(",") if n.strip()]
    read_only = code == "INVALID_FIELD_FOR_INSERT_UPDATE"
    found = [FieldProblem(on, name.split(".")[-1], read_only) for name in dict.fromkeys(named) if on]
    return [p for p in found if p.product_field]


def lost_field_error(code: str, message: str, fields: Sequence[str] = (), object_type: str | None = None,
                     hint: SetupHint | None = None) -> core.SetupRequired | None:
    """The session-level SetupRequired for a refusal naming Syncline's own field (None otherwise)."""
    problems = lost_fields(code, message, fields, object_type)
    hint = hint or SetupHint()
    return core.SetupRequired(setup_message(problems, hint.who, hint.fix)) if problems else None


def core_error(exc: sf.SalesforceError, object_type: str | None = None,
               hint: SetupHint | None = None) -> core.SyncError:
    """The core exception for a whole-call failure (after the client's own retries); ``object_type``
    is the object the call was about, for refusals that name a field without its object."""
    message = str(exc) or exc.code
    lost = lost_field_error(exc.code, message, (), object_type, hint)
    if lost is not None:
        return lost
    if isinstance(exc, sf.OrgPaused):
        wait = max(0.0, exc.paused_until - time.time()) if exc.paused_until else None
        return core.Throttled(message, retry_after=wait)
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
        if exc.code in DUPLICATE_CODES:
            return core.Duplicate(message)
        if exc.code in MALFORMED_CODES:
            return core.MalformedRequest(message)
        return core.InvalidData(message)
    return core.SyncError(message)


@contextmanager
def salesforce_edge(object_type: str | None = None, hint: SetupHint | None = None) -> Iterator[None]:
    """Re-raise the Salesforce layer's errors as the core's (nothing else crosses the port)."""
    try:
        yield
    except sf.SalesforceError as exc:
        raise core_error(exc, object_type, hint) from exc


def raise_lost_fields(object_type: str, results: Sequence[RecordResult], hint: SetupHint | None = None) -> None:
    """Raise SetupRequired when any record was refused for one of Syncline's own fields."""
    for result in results:
        for error in result.errors:
            lost = lost_field_error(error.code, error.message, error.fields, object_type, hint)
            if lost is not None:
                raise lost


def write_result(result: RecordResult, target_id: str | None = None) -> WriteResult:
    """One record's outcome. Versions are left unknown on purpose: reading SystemModstamp
    back after the write could pick up a user's concurrent edit and hide it as our echo."""
    if result.success:
        return WriteResult(True, result.id or target_id)
    first = result.errors[0] if result.errors else None
    code = first.code if first else "UNKNOWN"
    message = "; ".join(f"{e.code}: {e.message}" for e in result.errors) or code
    matched = next((m for e in result.errors for m in e.matches), None)
    return WriteResult(False, target_id, error=message, error_code=code_for(code, result.retryable),
                       duplicate_of=matched)


def partial_or_raise(exc: sf.SalesforceError, count: int, object_type: str | None = None,
                     hint: SetupHint | None = None) -> list[WriteResult]:
    """A RecordWriter stopped by a pause: per-record results (unsent ones temporary); auth raises."""
    partial = getattr(exc, "partial_results", None)
    if exc.kind is sf.ErrorKind.AUTH or partial is None or len(partial) != count:
        raise core_error(exc, object_type, hint) from exc
    if object_type is not None:
        raise_lost_fields(object_type, partial, hint)
    return [write_result(r) for r in partial]
