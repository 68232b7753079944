"""Query, queryAll, query locators, SOSL search and the limits resource."""
from __future__ import annotations

from .api import ApiRequest, ApiResponse, route
from .dml import Ctx
from .errors import ApiError
from .query import query_more, run_query
from .sosl import search


def _statement(req: ApiRequest) -> str:
    text = req.args.get("q")
    if text is None:
        raise ApiError(400, "MALFORMED_QUERY", "A query string has to be specified")
    return text


@route("/query", "GET")
def query(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    return ApiResponse(200, run_query(ctx, _statement(req), False, "query"))


@route("/queryAll", "GET")
def query_all(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    return ApiResponse(200, run_query(ctx, _statement(req), True, "queryAll"))


@route("/query/<locator>", "GET")
def query_next(ctx: Ctx, req: ApiRequest, locator: str) -> ApiResponse:
    return ApiResponse(200, query_more(ctx, locator, "query"))


@route("/queryAll/<locator>", "GET")
def query_all_next(ctx: Ctx, req: ApiRequest, locator: str) -> ApiResponse:
    return ApiResponse(200, query_more(ctx, locator, "queryAll"))


@route("/search", "GET")
def sosl_search(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    text = req.args.get("q")
    if not text:
        raise ApiError(400, "MALFORMED_SEARCH", "No search term found. The search term must "
                                                "be enclosed in braces.")
    return ApiResponse(200, search(ctx, text))


@route("/limits", "GET")
def limits(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    org = ctx.org
    used = min(org.api_calls, org.daily_api_max)
    body = {
        "DailyApiRequests": {"Max": org.daily_api_max, "Remaining": org.daily_api_max - used},
        "DailyAsyncApexExecutions": {"Max": 250000, "Remaining": 250000},
        "DailyBulkApiBatches": {"Max": 15000, "Remaining": 15000},
        "DailyBulkV2QueryJobs": {"Max": 10000, "Remaining": 10000},
        "DataStorageMB": {"Max": 5, "Remaining": 5},
        "FileStorageMB": {"Max": 20, "Remaining": 20},
        "SingleEmail": {"Max": 5000, "Remaining": 5000},
    }
    return ApiResponse(200, body)
