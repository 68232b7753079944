"""sObject resources: describe, single-record CRUD, upsert by External ID, updated/deleted."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from . import dml, ids
from .api import ApiRequest, ApiResponse, route
from .dml import Ctx
from .errors import ApiError, RecordFailed, RecordRejected, entity_deleted, not_found
from .query import attributes
from .schema import ObjectDef
from .store import Record
from .values import format_datetime, parse_datetime

UPDATED_WINDOW = timedelta(days=30)
DELETED_WINDOW = timedelta(days=15)


def _obj(ctx: Ctx, name: str) -> ObjectDef:
    obj = ctx.schema.get(name)
    if obj is None:
        raise not_found()
    return obj


def record_body(ctx: Ctx, obj: ObjectDef, record: Record,
                fields: list[str] | None = None) -> dict[str, Any]:
    """A record as GET returns it: attributes, then fields in describe order."""
    out: dict[str, Any] = {"attributes": attributes(ctx, obj.name, record["Id"])}
    names = fields if fields is not None else list(obj.fields)
    for name in names:
        f = obj.field_ci(name)
        if f is None:
            raise ApiError(400, "INVALID_FIELD", f"No such column '{name}' on entity "
                                                 f"'{obj.name}'. If you are attempting to use "
                                                 "a custom field, be sure to append the '__c' "
                                                 "after the custom field name. Please "
                                                 "reference your WSDL or the describe call for "
                                                 "the appropriate names.")
        out[f.name] = record.get(f.name)
    return out


def single_failure(failed: RecordFailed) -> ApiError:
    """A per-record failure on a single-record call: 400 with the errors top-level."""
    return RecordRejected(failed.errors)


@route("/", "GET")
def resources(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    base = f"/services/data/v{ctx.version}"
    names = ("sobjects", "query", "queryAll", "search", "limits", "composite")
    return ApiResponse(200, {n: f"{base}/{n}" for n in names})


@route("/sobjects", "GET")
def describe_global(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    return ApiResponse(200, ctx.schema.describe_global(ctx.version))


@route("/sobjects/<sobject>", "GET")
def sobject_info(ctx: Ctx, req: ApiRequest, sobject: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    return ApiResponse(200, {"objectDescribe": obj.global_entry(ctx.version), "recentItems": []})


@route("/sobjects/<sobject>/describe", "GET")
def describe(ctx: Ctx, req: ApiRequest, sobject: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    since = req.headers.get("if-modified-since")
    if since:
        from email.utils import parsedate_to_datetime
        try:
            modified = ctx.org.schema_modified or ctx.org.created
            if parsedate_to_datetime(since) >= modified.replace(microsecond=0):
                return ApiResponse(304, None)
        except (TypeError, ValueError):
            pass
    return ApiResponse(200, obj.describe(ctx.version))


@route("/sobjects/<sobject>", "POST")
def create(ctx: Ctx, req: ApiRequest, sobject: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    try:
        rid = dml.insert(ctx, obj.name, req.json())
    except RecordFailed as failed:
        raise single_failure(failed) from None
    return ApiResponse(201, {"id": rid, "success": True, "errors": []},
                       {"Location": f"/services/data/v{ctx.version}/sobjects/{obj.name}/{rid}"})


def _existing(ctx: Ctx, obj: ObjectDef, record_id: str) -> Record:
    rid = ids.normalize(record_id)
    found = ctx.org.store.get(rid) if rid else None
    if found is None or found[0] != obj.name:
        raise not_found()
    if found[1].get("IsDeleted"):
        raise entity_deleted()
    return found[1]


@route("/sobjects/<sobject>/<record_id>", "GET", "PATCH", "DELETE")
def one_record(ctx: Ctx, req: ApiRequest, sobject: str, record_id: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    record = _existing(ctx, obj, record_id)
    try:
        if req.method == "GET":
            wanted = req.args.get("fields")
            fields = [f.strip() for f in wanted.split(",")] if wanted else None
            return ApiResponse(200, record_body(ctx, obj, record, fields))
        if req.method == "PATCH":
            dml.update(ctx, record["Id"], req.json(), obj.name)
        else:
            dml.delete(ctx, record["Id"], obj.name)
    except RecordFailed as failed:
        raise single_failure(failed) from None
    return ApiResponse(204, None)


@route("/sobjects/<sobject>/<field>/<path:value>", "GET", "PATCH", "DELETE")
def by_external_id(ctx: Ctx, req: ApiRequest, sobject: str, field: str,
                   value: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    try:
        if req.method == "PATCH":
            rid, created = dml.upsert(ctx, obj.name, field, value, req.json())
            return ApiResponse(201 if created else 200,
                               {"id": rid, "success": True, "errors": [], "created": created})
        _, matches = dml.find_by_external_id(ctx, obj, field, value)
        if not matches:
            raise not_found()
        if len(matches) > 1:
            raise dml.MultipleChoices([f"/services/data/v{ctx.version}/sobjects/{obj.name}/"
                                       f"{m}" for m in matches])
        if req.method == "DELETE":
            dml.delete(ctx, matches[0], obj.name)
            return ApiResponse(204, None)
        record = ctx.org.store.get(matches[0])[1]  # type: ignore[index]
        return ApiResponse(200, record_body(ctx, obj, record))
    except RecordFailed as failed:
        raise single_failure(failed) from None


def _window(ctx: Ctx, req: ApiRequest, max_age: timedelta) -> tuple[datetime, datetime]:
    """Parse start/end (a '+' decoded as a space is tolerated) and enforce the window."""
    try:
        start = parse_datetime(req.args["start"].replace(" ", "+"))
        end = parse_datetime(req.args["end"].replace(" ", "+"))
    except (KeyError, ValueError):
        raise ApiError(400, "INVALID_REPLICATION_DATE",
                       "start and end must be valid dateTime values") from None
    if start >= end:
        raise ApiError(400, "INVALID_REPLICATION_DATE",
                       "startDate must chronologically precede endDate")
    if start < ctx.now - max_age:
        days = max_age.days
        raise ApiError(400, "INVALID_REPLICATION_DATE",
                       f"startDate cannot be more than {days} days ago")
    return _minute(start), _minute(min(end, ctx.now))


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


@route("/sobjects/<sobject>/updated", "GET")
def updated(ctx: Ctx, req: ApiRequest, sobject: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    start, covered = _window(ctx, req, UPDATED_WINDOW)
    found = [r["Id"] for r in ctx.org.store.all(obj.name)
             if start <= parse_datetime(r["SystemModstamp"]) < covered]
    return ApiResponse(200, {"ids": found, "latestDateCovered": format_datetime(covered)})


@route("/sobjects/<sobject>/deleted", "GET")
def deleted(ctx: Ctx, req: ApiRequest, sobject: str) -> ApiResponse:
    obj = _obj(ctx, sobject)
    start, covered = _window(ctx, req, DELETED_WINDOW)
    rows = [{"id": rid, "deletedDate": format_datetime(when)}
            for rid, when in ctx.org.store.deleted_at.items()
            if ctx.org.store.type_of.get(rid) == obj.name and start <= when < covered]
    earliest = _minute(max(ctx.org.created, ctx.now - DELETED_WINDOW))
    return ApiResponse(200, {"deletedRecords": rows,
                             "earliestDateAvailable": format_datetime(earliest),
                             "latestDateCovered": format_datetime(covered)})
