"""sObject Collections (`/composite/sobjects`) and Composite (`/composite`).

Collections: ≤200 records, results in input order, `allOrNone` false by default (when
true, one failure rolls every record back). Composite: ≤25 subrequests, one API call,
`@{ref.path}` references, `allOrNone` rollback with PROCESSING_HALTED.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from . import dml
from .api import ApiRequest, ApiResponse, dispatch, route
from .dml import Ctx
from .errors import ApiError, RecordError, RecordFailed
from .routes_sobjects import _obj, record_body

MAX_RECORDS = 200
MAX_RETRIEVE = 2000
MAX_SUBREQUESTS = 25
MAX_HEAVY_SUBREQUESTS = 5  # queries and sObject Collections count against this lower cap


def _is_query_or_collection(url: str) -> bool:
    path = url.split("?", 1)[0]
    return any(part in path for part in ("/query", "/queryAll", "/composite/sobjects"))
ROLLED_BACK = RecordError("ALL_OR_NONE_OPERATION_ROLLED_BACK",
                          "Record rolled back because not all records were valid and the "
                          "request was using AllOrNone header")
HALTED = "The transaction was rolled back since another operation in the same transaction " \
         "failed."
_VERSION_PREFIX = re.compile(r"^/services/data/v\d+\.\d+")
_REF = re.compile(r"@\{([A-Za-z0-9_]+)\.([^}]+)\}")

Outcome = dict[str, Any]


def _body(req: ApiRequest) -> tuple[list[Any], bool]:
    body = req.json()
    if not isinstance(body, dict) or not isinstance(body.get("records"), list):
        raise ApiError(400, "JSON_PARSER_ERROR", "Cannot deserialize instance of "
                                                 "SObjectCollection: records is required")
    records = body["records"]
    if len(records) > MAX_RECORDS:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more "
                                                 "than 200 records into this call")
    return records, bool(body.get("allOrNone", False))


def _type_of(record: Any) -> str:
    kind = record.get("attributes", {}).get("type") if isinstance(record, dict) else None
    if not kind:
        raise RecordFailed([RecordError("INVALID_TYPE", "The sObject type is missing from "
                                                        "the attributes of this record")])
    return kind


def _run_each(ctx: Ctx, items: list[Any], all_or_none: bool, with_id: bool,
              step: Callable[[Any], Outcome]) -> list[Outcome]:
    """Apply `step` per item; failures become per-record results, rolled back if needed."""
    point = ctx.org.store.savepoint()
    results: list[Outcome] = []
    for item in items:
        try:
            results.append({**step(item), "success": True, "errors": []})
        except RecordFailed as failed:
            out: Outcome = {"success": False,
                            "errors": [e.as_collection() for e in failed.errors]}
            if with_id:
                out = {"id": item if isinstance(item, str) else (item or {}).get("Id"), **out}
            results.append(out)
    if all_or_none and any(not r["success"] for r in results):
        ctx.org.store.rollback_to(point)
        for i, r in enumerate(results):
            if r["success"]:
                keep = {"id": r["id"]} if with_id else {}
                results[i] = {**keep, "success": False, "errors": [ROLLED_BACK.as_collection()]}
    return results


@route("/composite/sobjects", "POST", "PATCH", "DELETE")
def collection(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    if req.method == "DELETE":
        raw_ids = [i for i in req.args.get("ids", "").split(",") if i]
        if len(raw_ids) > MAX_RECORDS:
            raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot submit more "
                                                     "than 200 records into this call")
        all_or_none = req.args.get("allOrNone", "false").lower() == "true"
        return ApiResponse(200, _run_each(ctx, raw_ids, all_or_none, True,
                                          lambda rid: {"id": dml.delete(ctx, rid)}))
    records, all_or_none = _body(req)
    if req.method == "POST":
        def create(rec: Any) -> Outcome:
            return {"id": dml.insert(ctx, _type_of(rec), rec)}
        return ApiResponse(200, _run_each(ctx, records, all_or_none, False, create))

    def update(rec: Any) -> Outcome:
        kind = _type_of(rec)
        rid = rec.get("Id") or rec.get("id")
        if not rid:
            raise RecordFailed([RecordError("MISSING_ARGUMENT",
                                            "Id not specified in an update call")])
        body = {k: v for k, v in rec.items() if k.lower() != "id"}
        return {"id": dml.update(ctx, rid, body, kind)}
    return ApiResponse(200, _run_each(ctx, records, all_or_none, True, update))


@route("/composite/sobjects/<sobject>", "GET", "POST")
def retrieve(ctx: Ctx, req: ApiRequest, sobject: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    if req.method == "GET":
        wanted = [i for i in req.args.get("ids", "").split(",") if i]
        fields = [f for f in req.args.get("fields", "").split(",") if f]
    else:
        body = req.json() or {}
        wanted, fields = list(body.get("ids") or []), list(body.get("fields") or [])
    if not wanted or not fields:
        raise ApiError(400, "MISSING_ARGUMENT", "ids and fields are required")
    if len(wanted) > MAX_RETRIEVE:
        raise ApiError(400, "EXCEEDED_ID_LIMIT", "record limit reached. cannot retrieve more "
                                                 "than 2000 records")
    out: list[Any] = []
    for raw in wanted:
        try:
            _, record = dml.live_record(ctx, raw, obj.name)
            out.append(record_body(ctx, obj, record, fields))
        except RecordFailed:
            out.append(None)
    return ApiResponse(200, out)


@route("/composite/sobjects/<sobject>/<field>", "PATCH")
def upsert_collection(ctx: Ctx, req: ApiRequest, sobject: str, field: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    records, all_or_none = _body(req)
    dml.find_by_external_id(ctx, obj, field, "")        # 404 when not an External ID field

    def upsert(rec: Any) -> Outcome:
        if _type_of(rec).lower() != obj.name.lower():
            raise RecordFailed([RecordError("INVALID_TYPE", "All records must be of the type "
                                                            f"{obj.name}")])
        value = next((v for k, v in rec.items() if k.lower() == field.lower()), None)
        if value in (None, ""):
            raise RecordFailed([RecordError("MISSING_ARGUMENT",
                                            f"{field} not specified", [field])])
        rid, created = dml.upsert(ctx, obj.name, field, value, rec)
        return {"id": rid, "created": created}
    results = _run_each(ctx, records, all_or_none, False, upsert)
    for r in results:
        r.setdefault("created", False)
    return ApiResponse(200, results)


# ---- /composite ----------------------------------------------------------------------

def _lookup(results: dict[str, Any], ref: str, path: str) -> Any:
    value: Any = results[ref]
    for part in re.findall(r"[^.\[\]]+|\[\d+\]", path):
        value = value[int(part[1:-1])] if part.startswith("[") else value[part]
    return value


def _substitute(obj: Any, results: dict[str, Any]) -> Any:
    """Replace every `@{ref.path}` in strings (whole-string refs keep the JSON type)."""
    if isinstance(obj, str):
        whole = _REF.fullmatch(obj)
        if whole:
            return _lookup(results, whole.group(1), whole.group(2))
        return _REF.sub(lambda m: str(_lookup(results, m.group(1), m.group(2))), obj)
    if isinstance(obj, list):
        return [_substitute(v, results) for v in obj]
    if isinstance(obj, dict):
        return {k: _substitute(v, results) for k, v in obj.items()}
    return obj


def _halted(message: str) -> list[dict[str, str]]:
    return [{"errorCode": "PROCESSING_HALTED", "message": message}]


def _subrequest(ctx: Ctx, sub: dict[str, Any], results: dict[str, Any]) -> ApiResponse:
    try:
        url = _substitute(str(sub.get("url", "")), results)
        body = _substitute(sub.get("body"), results)
    except (KeyError, IndexError, TypeError) as exc:
        return ApiResponse(400, _halted(f"Invalid reference specified. No value for {exc} "
                                        "found in a subrequest that ran previously."))
    path, _, query = url.partition("?")
    match = _VERSION_PREFIX.match(path)
    if not match:
        return ApiResponse(400, [{"errorCode": "NOT_FOUND", "message": "The requested "
                                                                       "resource does not exist"}])
    from urllib.parse import parse_qsl
    inner = ApiRequest(str(sub.get("method", "GET")).upper(), path[match.end():] or "/",
                       dict(parse_qsl(query)), json.dumps(body).encode() if body else None)
    return dispatch(ctx, inner)


@route("/composite", "POST")
def composite(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    body = req.json()
    subs = body.get("compositeRequest") if isinstance(body, dict) else None
    if not isinstance(subs, list) or not subs:
        raise ApiError(400, "JSON_PARSER_ERROR", "compositeRequest is required")
    if len(subs) > MAX_SUBREQUESTS:
        raise ApiError(400, "LIMIT_EXCEEDED", f"Too many subrequests. The maximum is "
                                              f"{MAX_SUBREQUESTS}")
    heavy = [s for s in subs if isinstance(s, dict) and _is_query_or_collection(str(s.get("url", "")))]
    if len(heavy) > MAX_HEAVY_SUBREQUESTS:
        raise ApiError(400, "LIMIT_EXCEEDED", f"Too many query and sObject Collections subrequests. "
                                              f"The maximum is {MAX_HEAVY_SUBREQUESTS}")
    all_or_none = bool(body.get("allOrNone", False))
    point = ctx.org.store.savepoint()
    results: dict[str, Any] = {}
    out: list[dict[str, Any]] = []
    for sub in subs:
        resp = _subrequest(ctx, sub, results)
        ref = str(sub.get("referenceId", ""))
        if resp.status < 400:
            results[ref] = resp.body
        out.append({"body": resp.body, "httpHeaders": resp.headers,
                    "httpStatusCode": resp.status, "referenceId": ref})
        if resp.status >= 400 and all_or_none:
            ctx.org.store.rollback_to(point)
            for entry in out[:-1]:
                entry.update(body=_halted(HALTED), httpHeaders={}, httpStatusCode=400)
            out += [{"body": _halted(HALTED), "httpHeaders": {}, "httpStatusCode": 400,
                     "referenceId": str(s.get("referenceId", ""))} for s in subs[len(out):]]
            break
    return ApiResponse(200, {"compositeResponse": out})
