"""The fake's Microsoft To Do surface (Graph v1.0), registered on the fake's Flask app.

Microsoft Learn: "List todoTaskLists" (``GET /users/{id}/todo/lists``), "List tasks" /
"Create todoTask" (``/todo/lists/{listId}/tasks``), "Get/Update/Delete todoTask", "todoTask: delta"
(``@odata.nextLink`` pages to an ``@odata.deltaLink``; ``Prefer: odata.maxpagesize`` or ``$top`` sizes
a page; deleted tasks come as ``{"id", "@removed": {"reason": "deleted"}}``; an unknown token answers
410 ``syncStateNotFound``). ``linkedResources`` is a navigation property: shown on create and when
``$expand``-ed; ``$select`` trims the rest (``id`` always stays).
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from sandbox.graph.app import GRAPH, _asked_page, _missing, _no_user, _page_size, graph_error, ok
from sandbox.graph.store import GraphStore
from sandbox.graph.todo_store import InvalidTask, Task, TaskDeltaState

TASKS = GRAPH + "/users/<user>/todo/lists/<list_id>/tasks"


def register_todo(app: Flask, store: GraphStore) -> None:
    todo = store.todo

    @app.before_request
    def todo_consent() -> Response | None:
        """An app registration without Tasks.ReadWrite.All: every To Do call answers 403."""
        if todo.denied and "/todo/" in request.path:
            return graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        return None

    @app.get(GRAPH + "/users/<user>/todo/lists")
    def todo_lists(user: str) -> Response:
        found = todo.user_lists(user)
        if found is None:
            return _no_user(user)
        return ok({"@odata.context": f"{request.host_url}v1.0/$metadata#users('{user}')/todo/lists",
                   "value": [t.shown() for t in found.values()]})

    @app.get(TASKS)
    def todo_list_tasks(user: str, list_id: str) -> Response:
        if todo.user_lists(user) is None:
            return _no_user(user)
        box = todo.task_list(user, list_id)
        if box is None:
            return _missing()
        skip = int(request.args.get("$skip") or 0)
        size = int(request.args.get("$top") or 0) or _page_size()
        tasks = list(box.tasks.values())
        body: dict[str, Any] = {"value": [_shown(t) for t in tasks[skip:skip + size]]}
        if skip + size < len(tasks):
            args = {k: v for k, v in request.args.items() if k != "$skip"} | {"$skip": str(skip + size)}
            body["@odata.nextLink"] = f"{request.base_url}?{urlencode(args)}"
        return ok(body)

    @app.post(TASKS)
    def todo_create(user: str, list_id: str) -> Response:
        if todo.user_lists(user) is None:
            return _no_user(user)
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return graph_error(400, "invalidRequest", "The request body must be a todoTask JSON object.")
        try:
            task = todo.create(user, list_id, body)
        except InvalidTask as exc:
            return graph_error(400, "invalidRequest", str(exc))
        return ok(_shown(task, with_links=True), 201) if task is not None else _missing()

    @app.route(TASKS + "/<task_id>", methods=["GET", "PATCH", "DELETE"])
    def todo_one(user: str, list_id: str, task_id: str) -> Response:
        if todo.user_lists(user) is None:
            return _no_user(user)
        if request.method == "DELETE":
            return Response(status=204) if todo.delete(user, list_id, task_id) else _missing()
        if request.method == "PATCH":
            changes = request.get_json(silent=True)
            if not isinstance(changes, dict):
                return graph_error(400, "invalidRequest", "The request body must be a todoTask JSON object.")
            try:
                task = todo.update(user, list_id, task_id, changes)
            except InvalidTask as exc:
                return graph_error(400, "invalidRequest", str(exc))
            return ok(_shown(task)) if task is not None else _missing()
        box = todo.task_list(user, list_id)
        task = box.tasks.get(task_id) if box else None
        return ok(_shown(task)) if task is not None else _missing()

    @app.get(TASKS + "/delta")
    def todo_delta(user: str, list_id: str) -> Response:
        if todo.user_lists(user) is None:
            return _no_user(user)
        args = request.args
        token = args.get("$deltatoken") or args.get("$skiptoken")
        if token:
            state = store.find(token)
            if not isinstance(state, TaskDeltaState) or (state.user, state.list_id) != (user.lower(), list_id):
                return graph_error(410, "syncStateNotFound", "The sync state generation is not found. "
                                   "The delta token is expired and data must be synchronized again.")
            if "$deltatoken" in args:
                state = TaskDeltaState(state.user, state.list_id, state.upto, query=state.query)
                state.pending = todo.collect(state)
        else:
            if todo.task_list(user, list_id) is None:
                return _missing()
            query = {k: v for k, v in args.items() if k in ("$select", "$expand")}
            state = TaskDeltaState(user.lower(), list_id, 0, query=query)
            state.pending = todo.collect(state)
        page = int(args.get("$top") or 0) or _page_size()
        chunk, rest = state.pending[:page], state.pending[page:]
        body: dict[str, Any] = {"@odata.context": f"{request.host_url}v1.0/$metadata#Collection(todoTask)",
                                "value": [t if "@removed" in t else _shown(t, query=state.query) for t in chunk]}
        if rest:
            nxt = TaskDeltaState(state.user, state.list_id, state.since, rest, state.upto, state.query)
            body["@odata.nextLink"] = f"{request.base_url}?{urlencode({'$skiptoken': store.keep(nxt)})}"
        else:
            done = TaskDeltaState(state.user, state.list_id, state.upto, [], state.upto, state.query)
            body["@odata.deltaLink"] = f"{request.base_url}?{urlencode({'$deltatoken': store.keep(done)})}"
        return ok(body, headers={"Preference-Applied": f"odata.maxpagesize={page}"} if _asked_page() else None)


def _shown(task: Task, with_links: bool = False, query: dict[str, str] | None = None) -> Task:
    """A task as GET returns it: ``linkedResources`` only when expanded (or just created), ``$select`` honoured."""
    args = query if query is not None else request.args
    expand = with_links or "linkedresources" in str(args.get("$expand") or "").lower()
    shown = {k: v for k, v in task.items() if k != "linkedResources"}
    select = args.get("$select")
    if select:
        keep = {s.strip() for s in select.split(",")} | {"id", "@odata.etag"}
        shown = {k: v for k, v in shown.items() if k in keep}
    if expand:
        shown["linkedResources"] = [dict(r) for r in task.get("linkedResources") or ()]
    return shown
