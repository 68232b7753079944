"""The fake's Google Tasks v1 routes, shaped by the ``tasks.v1.json`` discovery document google-api-python-client
ships (rootUrl + ``tasks/v1/…``, batchPath ``batch``) and the Tasks API reference:

* ``tasklists.list`` / ``get`` (``@default`` is the user's default list) / ``insert``;
* ``tasks.list``: ``updatedMin`` (a lower bound on ``updated``), ``showDeleted`` / ``showHidden`` (default
  false), ``showCompleted`` (default true), ``maxResults`` (default 20, at most 100), ``pageToken`` →
  ``nextPageToken``; ``completedMin/Max`` and ``dueMin/Max`` are refused rather than ignored;
* ``tasks.get`` / ``insert`` / ``patch`` / ``update`` / ``delete`` (``If-Match`` → 412 conditionNotMet),
  ``tasks.clear``; a token needs the tasks scope (``tasks.readonly`` for reads);
* the standard ``fields`` parameter (partial response: ``a,b,items(c,d)``);
* errors in Google's JSON error format (404 ``notFound`` "Task not found." / "Task list not found.").
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from sandbox.google.store import ApiError, GoogleStore, decode_token, encode_token
from sandbox.google.tasks_store import READ_SCOPES, TASKS_SCOPES, TaskLists, parse_time

LISTS, TASKS = "/tasks/v1/users/@me/lists", "/tasks/v1/lists/<tasklist>/tasks"
DEFAULT_PAGE, MAX_PAGE = 20, 100
UNSUPPORTED = ("completedMin", "completedMax", "dueMin", "dueMax")


def add_tasks_routes(app: Flask, store: GoogleStore, render: Callable[[ApiError], Response]) -> None:
    lists: TaskLists = store.tasks

    def api(scopes: frozenset[str]) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
        def wrap(handler: Callable[..., Any]) -> Callable[..., Response]:
            def wrapped(**kwargs: Any) -> Response:
                user, refused = store.admit(request.headers.get("Authorization", ""), scopes,
                                            request.method, request.path)
                if refused is not None:
                    return render(refused)
                try:
                    answer = handler(user, **kwargs)
                except ApiError as exc:
                    return render(exc)
                if answer is None:
                    return Response(b"", 204)
                return Response(json.dumps(partial(answer, request.args.get("fields"))), 200,
                                content_type="application/json; charset=UTF-8")
            wrapped.__name__ = "tasks_" + handler.__name__
            return wrapped
        return wrap

    @app.get(LISTS)
    @api(READ_SCOPES)
    def list_task_lists(user: str) -> dict[str, Any]:
        page, token = _page(lists.task_lists(user), user, {})
        return {"kind": "tasks#taskLists", **({"items": page} if page else {}),
                **({"nextPageToken": token} if token else {})}

    @app.get(LISTS + "/<tasklist>")
    @api(READ_SCOPES)
    def get_task_list(user: str, tasklist: str) -> dict[str, Any]:
        return dict(lists.task_list(user, tasklist).resource)

    @app.post(LISTS)
    @api(TASKS_SCOPES)
    def insert_task_list(user: str) -> dict[str, Any]:
        return lists.create_list(user, str(_json_body().get("title") or ""))

    @app.get(TASKS)
    @api(READ_SCOPES)
    def list_tasks(user: str, tasklist: str) -> dict[str, Any]:
        args = request.args
        refused = [p for p in UNSUPPORTED if p in args]
        if refused:
            raise ApiError(400, "invalid", "this fake does not filter by " + ", ".join(refused))
        updated_min = parse_time(args["updatedMin"], "updatedMin") if args.get("updatedMin") else None
        found = lists.listing(user, tasklist, deleted=_flag("showDeleted", False), hidden=_flag("showHidden", False),
                              completed=_flag("showCompleted", True), updated_min=updated_min)
        query = {k: args.get(k, "") for k in ("updatedMin", "showDeleted", "showHidden", "showCompleted")}
        page, token = _page(found, user, {**query, "list": tasklist})
        return {"kind": "tasks#tasks", **({"items": page} if page else {}),
                **({"nextPageToken": token} if token else {})}

    @app.post(TASKS)
    @api(TASKS_SCOPES)
    def insert_task(user: str, tasklist: str) -> dict[str, Any]:
        return lists.insert(user, tasklist, _json_body())

    @app.get(TASKS + "/<task>")
    @api(READ_SCOPES)
    def get_task(user: str, tasklist: str, task: str) -> dict[str, Any]:
        return lists.get(user, tasklist, task)

    @app.route(TASKS + "/<task>", methods=["PATCH", "PUT"])
    @api(TASKS_SCOPES)
    def patch_task(user: str, tasklist: str, task: str) -> dict[str, Any]:
        return lists.patch(user, tasklist, task, _json_body(), request.headers.get("If-Match"),
                           replace=request.method == "PUT")

    @app.delete(TASKS + "/<task>")
    @api(TASKS_SCOPES)
    def delete_task(user: str, tasklist: str, task: str) -> None:
        lists.delete(user, tasklist, task, request.headers.get("If-Match"))

    @app.post("/tasks/v1/lists/<tasklist>/clear")
    @api(TASKS_SCOPES)
    def clear_tasks(user: str, tasklist: str) -> None:
        lists.clear(user, tasklist)


def partial(body: Any, mask: str | None) -> Any:
    """Google's partial response for the ``fields`` syntax used here: ``a,b,items(c,d)``."""
    if not mask or not isinstance(body, dict):
        return body
    wanted = _parse_mask(mask)
    out: dict[str, Any] = {}
    for name, inner in wanted.items():
        if name not in body:
            continue
        value = body[name]
        if inner and isinstance(value, list):
            out[name] = [{k: v for k, v in entry.items() if k in inner} for entry in value]
        else:
            out[name] = value
    return out


def _parse_mask(mask: str) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    depth, name, inner = 0, "", ""
    for char in mask + ",":
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "," and depth == 0:
            if name.strip():
                out[name.strip()] = {f.strip() for f in inner.split(",") if f.strip()}
            name, inner = "", ""
        elif depth:
            inner += char
        else:
            name += char
    if depth:
        raise ApiError(400, "invalidParameter", f"Invalid field selection {mask}")
    return out


def _page(rows: list[dict[str, Any]], user: str, query: dict[str, Any]) -> tuple[list[dict[str, Any]], str | None]:
    try:
        size = min(int(request.args.get("maxResults") or DEFAULT_PAGE), MAX_PAGE)
    except ValueError:
        raise ApiError(400, "invalid", "Invalid value for: maxResults") from None
    offset = 0
    if request.args.get("pageToken"):
        state = decode_token(request.args["pageToken"])
        if state is None or state.get("u") != user or state.get("q") != query:
            raise ApiError(400, "invalid", "Invalid page token value.")
        offset = int(state.get("offset") or 0)
    page = rows[offset:offset + max(size, 1)]
    more = offset + len(page) < len(rows)
    return page, encode_token({"u": user, "q": query, "offset": offset + len(page)}) if more else None


def _flag(name: str, default: bool) -> bool:
    value = request.args.get(name)
    return default if value is None else value.lower() == "true"


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    return body
