"""REST dispatch below `/services/data/vNN.N`: request/response types and the route table.

`dispatch()` is used both by the WSGI app and by `/composite` for its subrequests, so a
subrequest behaves exactly like the same call made on its own (minus API counting).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule

from .dml import Ctx
from .errors import ApiError, json_parser_error, not_found


@dataclass
class ApiRequest:
    """A REST call as handlers see it (path is relative to the version root)."""

    method: str
    path: str
    args: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    parsed: Any = None
    has_parsed: bool = False

    def json(self) -> Any:
        """The JSON body; JSON_PARSER_ERROR with Salesforce's wording when malformed."""
        if self.has_parsed:
            return self.parsed
        if not self.body:
            raise json_parser_error("The HTTP entity body is required, but this request has "
                                    "no entity body.")
        try:
            return json.loads(self.body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise json_parser_error(f"Unexpected character: was expecting a JSON value "
                                    f"at [line:1, column:{getattr(exc, 'colno', 1)}]") from None


@dataclass
class ApiResponse:
    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)


Handler = Callable[..., ApiResponse]
_HANDLERS: dict[str, Handler] = {}
_RULES: list[Rule] = []


def route(path: str, *methods: str) -> Callable[[Handler], Handler]:
    """Register a handler for a path (relative to `/services/data/vNN.N`)."""
    def wrap(fn: Handler) -> Handler:
        endpoint = f"{fn.__module__}.{fn.__name__}"
        _HANDLERS[endpoint] = fn
        _RULES.append(Rule(path, endpoint=endpoint, methods=list(methods)))
        return fn
    return wrap


_map: Map | None = None


def _url_map() -> Map:
    global _map
    if _map is None or len(list(_map.iter_rules())) != len(_RULES):
        _map = Map([Rule(r.rule, endpoint=r.endpoint, methods=r.methods) for r in _RULES],
                   strict_slashes=False, merge_slashes=False)
    return _map


def dispatch(ctx: Ctx, req: ApiRequest) -> ApiResponse:
    """Route and run one call; ApiErrors become error responses and undo partial writes."""
    from . import routes_collections, routes_limits, routes_query, routes_sobjects, routes_tooling  # noqa: F401

    path = req.path if req.path == "/" else req.path.rstrip("/")
    adapter = _url_map().bind("localhost")
    point = ctx.org.store.savepoint()
    try:
        try:
            endpoint, params = adapter.match(path or "/", method=req.method)
        except (NotFound, MethodNotAllowed) as exc:
            if isinstance(exc, MethodNotAllowed):
                allowed = ", ".join(sorted(m for m in (exc.valid_methods or []) if m != "HEAD"))
                raise ApiError(405, "METHOD_NOT_ALLOWED", f"HTTP Method '{req.method}' not "
                                                          f"allowed. Allowed are {allowed}") from None
            raise not_found() from None
        return _HANDLERS[endpoint](ctx, req, **params)
    except ApiError as err:
        ctx.org.store.rollback_to(point)
        return ApiResponse(err.status, err.body())
