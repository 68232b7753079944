"""`GET /limits`: the org's allocations, shaped like Salesforce's Limits resource.

`DailyApiRequests` is the same counter `Sforce-Limit-Info` reports; the call itself counts
once, like any REST call (so a client re-reading it cheaply still pays one call).
"""
from __future__ import annotations

from .api import ApiRequest, ApiResponse, route
from .dml import Ctx

_STATIC = {"DailyAsyncApexExecutions": 250_000, "DailyBulkApiBatches": 15_000, "DailyBulkV2QueryJobs": 10_000,
           "DailyStreamingApiEvents": 10_000, "SingleEmail": 5_000, "MassEmail": 5_000}


@route("/limits", "GET")
def limits(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    org = ctx.org
    body = {name: {"Max": value, "Remaining": value} for name, value in _STATIC.items()}
    body["DailyApiRequests"] = {"Max": org.daily_api_max, "Remaining": max(0, org.daily_api_max - org.api_calls)}
    return ApiResponse(200, dict(sorted(body.items())))
