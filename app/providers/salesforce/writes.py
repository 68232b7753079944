"""Batched writes through sObject Collections: ≤ 200 records per Collection, results per input record.

Up to five Collections ride in one Composite request (Salesforce allows five Collections or
query subrequests per Composite since API 43.0, and the whole Composite counts as ONE API
call), so 1,000 records cost one call. `allOrNone` is always false: a bad record never sinks
its batch; records that failed only with a retryable error (UNABLE_TO_LOCK_ROW) are resent
alone, a bounded number of times. Upsert by External ID (`Syncline_Key__c`) is the idempotent write.
"""
from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from app.providers.salesforce.client import SalesforceClient, raise_for_subresponse
from app.providers.salesforce.errors import ErrorKind, SalesforceError, kind_for_record
from app.sync.ports import SYNC_KEY_FIELD

COLLECTION_LIMIT = 200
COLLECTIONS_PER_COMPOSITE = 5


@dataclass(frozen=True)
class RecordError:
    code: str
    message: str
    fields: tuple[str, ...] = ()
    matches: tuple[str, ...] = ()   # DUPLICATES_DETECTED: the ids the duplicate rule matched

    @property
    def kind(self) -> ErrorKind:
        return kind_for_record(self.code)


@dataclass(frozen=True)
class RecordResult:
    """Outcome for the input record at `index`; `retryable` means "failed now, try again later"."""

    index: int
    id: str | None
    success: bool
    created: bool
    errors: tuple[RecordError, ...] = ()
    retryable: bool = False


@dataclass(frozen=True)
class _Request:
    """One Collections request: (method, path under the version root, query params, JSON body)."""

    method: str
    path: str
    params: dict | None
    body: dict | None
    idempotent: bool


def _result(index: int, raw: dict, created_default: bool) -> RecordResult:
    errors = tuple(RecordError(str(e.get("statusCode") or e.get("errorCode") or ""),
                               str(e.get("message") or ""), tuple(e.get("fields") or ()), duplicate_matches(e))
                   for e in raw.get("errors") or ())
    success = bool(raw.get("success"))
    return RecordResult(index, raw.get("id"), success,
                        bool(raw.get("created", created_default)) if success else False, errors,
                        retryable=not success and bool(errors)
                        and all(e.kind is ErrorKind.RETRYABLE for e in errors))


def duplicate_matches(error: dict) -> tuple[str, ...]:
    """Record ids in an error's ``duplicateResult.matchResults[].matchRecords[].record.Id`` (a duplicate
    rule's block; Salesforce may leave it out, then the refusal names no record)."""
    found = error.get("duplicateResult")
    if not isinstance(found, dict):
        return ()
    return tuple(str(r["record"]["Id"]) for m in found.get("matchResults") or [] if isinstance(m, dict)
                 for r in m.get("matchRecords") or []
                 if isinstance(r, dict) and isinstance(r.get("record"), dict) and r["record"].get("Id"))


def _failed_call(index: int, err: SalesforceError) -> RecordResult:
    """A whole request failed (after the client's own retries) or was never sent (rate/auth stop):
    every record in it reports why; only a permanent call error is not worth sending again."""
    return RecordResult(index, None, False, False, (RecordError(err.code or "CALL_FAILED", str(err)),),
                        retryable=err.kind is not ErrorKind.CALL)


def _chunks(items: Sequence[Any], size: int) -> Iterable[list[Any]]:
    for start in range(0, len(items), size):
        yield list(items[start:start + size])


class RecordWriter:
    """Creates, updates, upserts and deletes in Collections; never raises for per-record errors.

    RATE and AUTH errors stop the batch and propagate, with `partial_results` attached.
    """

    def __init__(self, client: SalesforceClient, chunk_size: int = COLLECTION_LIMIT,
                 collections_per_call: int = COLLECTIONS_PER_COMPOSITE):
        if not 0 < chunk_size <= COLLECTION_LIMIT or not 0 < collections_per_call <= COLLECTIONS_PER_COMPOSITE:
            raise ValueError(f"chunk_size 1..{COLLECTION_LIMIT}, collections_per_call 1..{COLLECTIONS_PER_COMPOSITE}")
        self.client, self.chunk_size, self.per_call = client, chunk_size, collections_per_call

    def create(self, sobject: str, records: Sequence[dict]) -> list[RecordResult]:
        """Insert; a read timeout is not retried (the insert may have happened) - prefer upsert."""
        items = [_typed(sobject, r) for r in records]
        return self._run(items, lambda batch: _Request(
            "POST", "composite/sobjects", None, {"allOrNone": False, "records": batch}, False), created=True)

    def update(self, sobject: str, records: Sequence[dict]) -> list[RecordResult]:
        """Update by `Id` (each record must carry one)."""
        items = [_typed(sobject, r) for r in records]
        if any(not r.get("Id") for r in items):
            raise ValueError("every record to update needs an Id")
        return self._run(items, lambda batch: _Request(
            "PATCH", "composite/sobjects", None, {"allOrNone": False, "records": batch}, True), created=False)

    def upsert(self, sobject: str, records: Sequence[dict], external_id: str = SYNC_KEY_FIELD) -> list[RecordResult]:
        """Insert or update by External ID: writing the same key twice yields one record (idempotent)."""
        items = [_typed(sobject, r) for r in records]
        if any(r.get(external_id) in (None, "") for r in items):
            raise ValueError(f"every record to upsert needs {external_id}")
        return self._run(items, lambda batch: _Request(
            "PATCH", f"composite/sobjects/{sobject}/{external_id}", None,
            {"allOrNone": False, "records": batch}, True), created=False)

    def delete(self, ids: Sequence[str]) -> list[RecordResult]:
        """Delete by id; an id already in the recycle bin counts as deleted (idempotent)."""
        results = self._run(list(ids), lambda batch: _Request(
            "DELETE", "composite/sobjects", {"ids": ",".join(batch), "allOrNone": "false"}, None, True),
            created=False)
        return [RecordResult(r.index, ids[r.index], True, False)
                if not r.success and [e.code for e in r.errors] == ["ENTITY_IS_DELETED"] else r
                for r in results]

    def _run(self, items: list[Any], build: Callable[[list[Any]], _Request], created: bool) -> list[RecordResult]:
        """Send in calls of ≤ 5 Collections; resend records that failed only with retryable errors."""
        results: dict[int, RecordResult] = {}
        call_failed: set[int] = set()       # the client already retried these calls: not resent here
        pending = list(range(len(items)))
        policy = self.client.retry
        for round_no in range(policy.attempts):
            if round_no:
                time.sleep(random.uniform(0, min(policy.max_wait_s, policy.initial_s * 2 ** round_no)))
            chunks = list(_chunks(pending, self.chunk_size))
            for group in _chunks(chunks, self.per_call):
                self._send(items, group, build, created, results, call_failed)
            pending = [i for i in pending if results[i].retryable and i not in call_failed]
            if not pending:
                break
        return [results[i] for i in range(len(items))]

    def _send(self, items: list[Any], group: list[list[int]], build: Callable[[list[Any]], _Request],
              created: bool, results: dict[int, RecordResult], call_failed: set[int]) -> None:
        """One API call: a plain Collections request, or a Composite carrying several."""
        requests = [build([items[i] for i in chunk]) for chunk in group]
        try:
            bodies = self._call(requests)
        except SalesforceError as err:
            if err.kind in (ErrorKind.RATE, ErrorKind.AUTH):
                err.partial_results = [results.get(i) or _failed_call(i, err)   # type: ignore[attr-defined]
                                       for i in range(len(items))]
                raise
            bodies = [err] * len(group)
        for chunk, body in zip(group, bodies):
            if isinstance(body, SalesforceError):
                results.update({i: _failed_call(i, body) for i in chunk})
                call_failed.update(chunk)
                continue
            if not isinstance(body, list) or len(body) != len(chunk):
                raise SalesforceError(f"Salesforce answered {body!r:.80} for {len(chunk)} records", "RESULT_MISMATCH")
            results.update({i: _result(i, raw, created) for i, raw in zip(chunk, body)})

    def _call(self, requests: list[_Request]) -> list[Any]:
        """Bodies per request, or the SalesforceError of a failed Composite subrequest in its place."""
        if len(requests) == 1:
            r = requests[0]
            return [self.client.restful(r.path, r.method, params=r.params, json=r.body, idempotent=r.idempotent)]
        subs = [{"method": r.method, "referenceId": f"c{n}", **({"body": r.body} if r.body is not None else {}),
                 "url": f"{self.client.api_root}/{r.path}" + (f"?{urlencode(r.params)}" if r.params else "")}
                for n, r in enumerate(requests)]
        entries = self.client.composite(subs, idempotent=all(r.idempotent for r in requests))
        return [_body_or_error(entry) for entry in entries]


def _body_or_error(entry: dict) -> Any:
    try:
        return raise_for_subresponse(entry)
    except SalesforceError as err:
        return err


def _typed(sobject: str, record: dict) -> dict:
    """A copy with `attributes.type` set, as Collections require."""
    return {**{k: v for k, v in record.items() if k != "attributes"}, "attributes": {"type": sobject}}
