"""Tooling API: `tooling/sobjects/CustomField` create and read, and `tooling/query` over CustomField.

Creating a field needs "Customize Application"; the new field exists at once but no user sees
it until field-level security (FieldPermissions) grants it.
"""
from __future__ import annotations

from typing import Any

from . import custom_fields
from .api import ApiRequest, ApiResponse, route
from .catalog import obj, s
from .dml import Ctx
from .errors import ApiError, not_found
from .query import run_query
from .schema import FieldDef, Schema
from .store import Org
from .values import format_datetime

ONE_ROW_ONLY = ("When retrieving results with Metadata or FullName fields, the query qualifications must "
                "specify no more than one row for retrieval. Result size: {n}")


def _may_customize(ctx: Ctx) -> None:
    found = ctx.org.store.get(ctx.user_id)
    profile = ctx.org.store.get(found[1].get("ProfileId")) if found else None
    if profile is None or not profile[1].get("PermissionsCustomizeApplication"):
        raise ApiError(403, "INSUFFICIENT_ACCESS", "insufficient access rights on object id")


def _record(ctx: Ctx, row: dict[str, Any]) -> dict[str, Any]:
    url = f"/services/data/v{ctx.version}/tooling/sobjects/CustomField/{row['Id']}"
    return {"attributes": {"type": "CustomField", "url": url}, **row}


@route("/tooling/sobjects/CustomField", "POST")
def create_field(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    _may_customize(ctx)
    table, name, md = custom_fields.validate(ctx.org, req.json())
    rid = ctx.org.ids.new("00N")
    ctx.org.custom_fields[f"{table}.{name}".lower()] = custom_fields.row(rid, table, name, dict(md))
    custom_fields.apply(ctx.org, table, name, md)
    ctx.org.schema_modified = ctx.now
    return ApiResponse(201, {"id": rid, "success": True, "errors": [], "warnings": [], "infos": []},
                       {"Location": f"/services/data/v{ctx.version}/tooling/sobjects/CustomField/{rid}"})


@route("/tooling/sobjects/CustomField/<record_id>", "GET")
def read_field(ctx: Ctx, req: ApiRequest, record_id: str) -> ApiResponse:
    for row in ctx.org.custom_fields.values():
        if row["Id"][:15] == record_id[:15]:
            return ApiResponse(200, _record(ctx, row))
    raise not_found()


def _tooling_org(ctx: Ctx) -> Org:
    """A throwaway org holding the CustomField rows, so SOQL runs through the same engine."""
    fields = [s("DeveloperName", 40), s("TableEnumOrId", 255), s("FullName", 255), s("NamespacePrefix", 15),
              FieldDef("Metadata", "anyType")]
    org = Org(ctx.org.id, ctx.org.name, ctx.org.ids, ctx.org.created,
              schema=Schema({"CustomField": obj("CustomField", "Custom Field", fields, owned=False)}))
    stamp = format_datetime(ctx.org.schema_modified or ctx.org.created)
    for row in ctx.org.custom_fields.values():
        org.store.put("CustomField", {**row, "IsDeleted": False, "CreatedDate": stamp, "LastModifiedDate": stamp,
                                      "SystemModstamp": stamp, "CreatedById": None, "LastModifiedById": None})
    return org


@route("/tooling/query", "GET")
def tooling_query(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    text = req.args.get("q")
    if text is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    tooling = Ctx(_tooling_org(ctx), ctx.user_id, ctx.now, ctx.faults, ctx.version)
    result = run_query(tooling, text, False, "tooling/query")
    wants_metadata = any(k in text.lower() for k in ("metadata", "fullname"))
    if wants_metadata and result.get("totalSize", 0) > 1:
        raise ApiError(400, "MALFORMED_QUERY", ONE_ROW_ONLY.format(n=result["totalSize"]))
    for record in result.get("records", []):
        record["attributes"]["url"] = record["attributes"]["url"].replace("/sobjects/", "/tooling/sobjects/")
    return ApiResponse(200, result)
