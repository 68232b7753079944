"""The fake's HTTP surface: Entra ID's discovery (sign-in and tokens: identity_routes.py) and Graph v1.0.

Shapes follow Microsoft Learn: OAuth 2.0 client credentials (``/{tenant}/oauth2/v2.0/token``),
OpenID discovery (``/{tenant}/v2.0/.well-known/openid-configuration``), ``calendarView/delta``
with ``@odata.nextLink``/``@odata.deltaLink`` and ``Prefer: odata.maxpagesize``, events CRUD,
``$batch`` (at most 20 requests), 429 + ``Retry-After`` and 410 ``syncStateNotFound``.
"""
from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from sandbox.graph.faults import register_faults
from sandbox.graph.identity_routes import register_identity
from sandbox.graph.limits import register_limits
from sandbox.graph.mail_routes import register_mail_routes
from sandbox.graph.store import GraphStore
from sandbox.graph.store_times import parse_time
from sandbox.graph.subscription_routes import register_subscriptions

GRAPH = "/v1.0"
DEFAULT_PAGE = 10
MAX_BATCH = 20
_PROP_FILTER = re.compile(r"singleValueExtendedProperties/any\(\w+:\s*\w+/id eq '([^']+)' and \w+/value eq '([^']*)'\)",
                          re.IGNORECASE)
_EXPAND_FILTER = re.compile(r"singleValueExtendedProperties\(\$filter=id eq '([^']+)'\)", re.IGNORECASE)


def graph_error(status: int, code: str, message: str, headers: dict | None = None) -> Response:
    body = {"error": {"code": code, "message": message,
                      "innerError": {"date": datetime.now().isoformat(timespec="seconds"),
                                     "request-id": "00000000-0000-0000-0000-000000000000"}}}
    return Response(json.dumps(body), status, headers=headers or {}, content_type="application/json")


def ok(body: Any, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(body), status, headers=headers or {}, content_type="application/json")


def create_app(store: GraphStore) -> Flask:
    app = Flask("graph-fake")
    register_limits(app, store)   # first: a request over the mailbox's concurrency never reaches the others
    register_faults(app, store.lost_answers)

    @app.get("/<tenant>/v2.0/.well-known/openid-configuration")
    def discovery(tenant: str) -> Response:
        root = request.host_url.rstrip("/")
        return ok({"issuer": f"{root}/{tenant}/v2.0", "token_endpoint": f"{root}/{tenant}/oauth2/v2.0/token",
                   "authorization_endpoint": f"{root}/{tenant}/oauth2/v2.0/authorize",
                   "jwks_uri": f"{root}/{tenant}/discovery/v2.0/keys", "response_types_supported": ["code"],
                   "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"]})

    @app.before_request
    def guard() -> Response | None:
        if not request.path.startswith(GRAPH + "/"):
            return None
        with store.lock:
            store.requests += 1
            store.preferences.append(request.headers.get("Prefer", ""))
            if store.throttle_left > 0 and store.throttle_match in f"{request.method} {request.path}":
                store.throttle_left -= 1
                return graph_error(429, "TooManyRequests", "Too many requests.",
                                   {"Retry-After": str(store.throttle_retry_after)})
        auth = request.headers.get("Authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in store.access_tokens:
            return graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        return None

    @app.post(GRAPH + "/$batch")
    def batch() -> Response:
        requests_ = (request.get_json(silent=True) or {}).get("requests")
        if not isinstance(requests_, list) or not requests_:
            return graph_error(400, "BadRequest", "Invalid batch payload format.")
        if len(requests_) > MAX_BATCH:
            return graph_error(400, "BadRequest", f"The number of batch requests exceeds {MAX_BATCH}.")
        client = app.test_client()
        responses = []
        for sub in requests_:
            headers = {**(sub.get("headers") or {}), "Authorization": request.headers["Authorization"]}
            answer = client.open(GRAPH + "/" + str(sub["url"]).lstrip("/"), method=sub["method"],
                                 json=sub.get("body"), headers=headers)
            responses.append({"id": sub["id"], "status": answer.status_code,
                              "headers": {k: v for k, v in answer.headers.items()
                                          if k in ("Retry-After", "Content-Type", "Location")},
                              "body": answer.get_json(silent=True)})
        return ok({"responses": responses})

    @app.get(GRAPH + "/users/<user>/calendarView/delta")
    @app.get(GRAPH + "/users/<user>/calendar/calendarView/delta")
    def delta(user: str) -> Response:
        if store.mailbox(user) is None:
            return _no_user(user)
        args = request.args
        page = _page_size()
        if "$deltatoken" in args or "$skiptoken" in args:
            state = store.find(args.get("$deltatoken") or args.get("$skiptoken") or "")
            if state is None:
                return graph_error(410, "syncStateNotFound", "The sync state generation is not found. "
                                   "The delta token is expired and data must be synchronized again.")
            if "$deltatoken" in args:
                state = type(state)(state.user, state.start, state.end, state.upto)
                state.pending = store.collect(state)
        else:
            try:
                start, end = (parse_time({"dateTime": args[k], "timeZone": "UTC"})
                              for k in ("startDateTime", "endDateTime"))
            except (KeyError, ValueError):
                return graph_error(400, "ErrorInvalidParameter", "This request requires a time window specified "
                                   "by the query string parameters StartDateTime and EndDateTime.")
            state = store.new_round(user, start, end)
            state.pending = store.collect(state)
        chunk, rest = state.pending[:page], state.pending[page:]
        base = f"{request.host_url.rstrip('/')}{request.path}"
        body: dict[str, Any] = {"@odata.context": f"{request.host_url}v1.0/$metadata#Collection(event)",
                                "value": chunk}
        nxt = type(state)(state.user, state.start, state.end, state.since, rest, state.upto)
        if rest:
            body["@odata.nextLink"] = base + "?" + urlencode({"$skiptoken": store.keep(nxt)})
        else:
            done = type(state)(state.user, state.start, state.end, state.upto, [], state.upto)
            body["@odata.deltaLink"] = base + "?" + urlencode({"$deltatoken": store.keep(done)})
        return ok(body, headers={"Preference-Applied": f"odata.maxpagesize={page}"} if _asked_page() else None)

    @app.post(GRAPH + "/users/<user>/events")
    @app.post(GRAPH + "/users/<user>/calendar/events")
    def create(user: str) -> Response:
        if store.mailbox(user) is None:
            return _no_user(user)
        body = request.get_json(silent=True)
        if not isinstance(body, dict) or "start" not in body or "end" not in body:
            return graph_error(400, "ErrorInvalidRequest", "An event needs start and end.")
        event, _ = store.create_event(user, body)
        return ok(_shown(event), 201)

    @app.get(GRAPH + "/users/<user>/events")
    def find(user: str) -> Response:
        if store.mailbox(user) is None:
            return _no_user(user)
        box = store.mailbox(user)
        assert box is not None
        match = _PROP_FILTER.search(request.args.get("$filter", ""))
        events = list(box.events.values())
        if match:
            events = [e for e in events if any(p["id"].lower() == match.group(1).lower() and p["value"] == match.group(2)
                                               for p in e.get("singleValueExtendedProperties") or [])]
        return ok({"value": [_shown(e) for e in events]})

    @app.route(GRAPH + "/users/<user>/events/<event_id>", methods=["GET", "PATCH", "DELETE"])
    def one(user: str, event_id: str) -> Response:
        box = store.mailbox(user)
        if box is None:
            return _no_user(user)
        if request.method == "DELETE":
            return Response(status=204) if store.delete_event(user, event_id) else _missing()
        if request.method == "PATCH":
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return graph_error(400, "ErrorInvalidRequest", "The request body is not a JSON object.")
            event = store.update_event(user, event_id, body)
            return ok(_shown(event)) if event is not None else _missing()
        event = box.events.get(event_id) or store.occurrence(user, event_id)
        return ok(_shown(event)) if event is not None else _missing()

    @app.get(GRAPH + "/users/<user>/events/<event_id>/instances")
    def instances(user: str, event_id: str) -> Response:
        if store.mailbox(user) is None:
            return _no_user(user)
        try:
            start, end = (parse_time({"dateTime": request.args[k], "timeZone": "UTC"})
                          for k in ("startDateTime", "endDateTime"))
        except (KeyError, ValueError):
            return graph_error(400, "ErrorInvalidParameter", "This request requires a time window specified "
                               "by the query string parameters StartDateTime and EndDateTime.")
        found = store.instances(user, event_id, start, end)
        return ok({"value": [_shown(i) for i in found]}) if found is not None else _missing()

    register_mail_routes(app, store)
    from sandbox.graph.contacts_routes import register_contacts  # it reuses this module's helpers
    register_contacts(app, store)
    from sandbox.graph.todo_routes import register_todo  # imports this module's helpers
    register_todo(app, store)
    register_subscriptions(app, store, GRAPH)
    register_identity(app, store)
    return app


def _shown(event: dict) -> dict:
    """An event as GET returns it: extended properties only when ``$expand``-ed, ``$select`` honoured."""
    shown = {k: v for k, v in event.items() if k != "singleValueExtendedProperties" and not k.startswith("_")}
    expand = _EXPAND_FILTER.search(request.args.get("$expand", "")) if request else None
    if expand:
        wanted = expand.group(1).lower()
        props = [p for p in event.get("singleValueExtendedProperties") or [] if p["id"].lower() == wanted]
        if props:
            shown["singleValueExtendedProperties"] = props
    select = request.args.get("$select") if request else None
    if select:
        keep = {s.strip() for s in select.split(",")} | {"id", "@odata.etag", "singleValueExtendedProperties"}
        shown = {k: v for k, v in shown.items() if k in keep}
    return shown


def _asked_page() -> int | None:
    match = re.search(r"odata\.maxpagesize=(\d+)", request.headers.get("Prefer", ""))
    return int(match.group(1)) if match else None


def _page_size() -> int:
    return max(1, _asked_page() or DEFAULT_PAGE)


def _missing() -> Response:
    return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")


def _no_user(user: str) -> Response:
    return graph_error(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")
