"""The fake's Google Tasks state: each user's task lists (``TaskList``) and tasks (``Task``), shaped as the
tasks.v1 discovery document and https://developers.google.com/workspace/tasks/reference/rest describe them.

* The first list ("My Tasks") is the user's default one, which ``@default`` names.
* ``due`` keeps the date only ("the time portion of the timestamp is discarded"): midnight UTC.
* ``status`` needsAction | completed; completing sets ``completed`` (now unless given), reopening clears it.
* A deleted task stays as a tombstone (``deleted: true``) that ``showDeleted`` listings report, until
  ``purge_deleted`` drops it (Google keeps them only for a while). ``clear`` hides completed tasks
  (``hidden: true``), as Google's first-party clients also do on completion (``complete_in_app``).
* Every change bumps ``updated`` (millisecond RFC 3339, Google's clock) and the ``etag``.
"""
from __future__ import annotations

import copy
import hashlib
import itertools
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sandbox.google.store import ApiError

TASKS_SCOPES = frozenset({"https://www.googleapis.com/auth/tasks"})
READ_SCOPES = TASKS_SCOPES | {"https://www.googleapis.com/auth/tasks.readonly"}
WRITABLE = ("title", "notes", "status", "due", "completed", "deleted")
MAX_TITLE, MAX_NOTES = 1024, 8192


def now_rfc3339() -> str:
    moment = datetime.now(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_time(value: Any, name: str) -> datetime:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "invalid", f"Invalid value for {name}: {value}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


@dataclass
class TaskList:
    resource: dict[str, Any]
    tasks: dict[str, dict[str, Any]] = field(default_factory=dict)


class TaskLists:
    def __init__(self, lock: threading.RLock) -> None:
        self.lock = lock
        self.lists: dict[str, dict[str, TaskList]] = {}      # user → list id → list
        self.writes: list[tuple[str, str]] = []               # (method, task id) of every API write
        self._ids = itertools.count(1)

    # --- lists -----------------------------------------------------------------------------------
    def task_lists(self, user: str) -> list[dict[str, Any]]:
        with self.lock:
            self.default_list(user)
            return [copy.deepcopy(t.resource) for t in self.lists[user].values()]

    def default_list(self, user: str) -> TaskList:
        with self.lock:
            lists = self.lists.setdefault(user, {})
            if not lists:
                self.create_list(user, "My Tasks")
            return next(iter(lists.values()))

    def create_list(self, user: str, title: str) -> dict[str, Any]:
        with self.lock:
            list_id = f"MTA{next(self._ids):012d}"
            resource = {"kind": "tasks#taskList", "id": list_id, "title": title, "updated": now_rfc3339(),
                        "selfLink": f"https://www.googleapis.com/tasks/v1/users/@me/lists/{list_id}"}
            resource["etag"] = _etag(resource)
            self.lists.setdefault(user, {})[list_id] = TaskList(resource)
            return copy.deepcopy(resource)

    def task_list(self, user: str, list_id: str) -> TaskList:
        with self.lock:
            if list_id == "@default":
                return self.default_list(user)
            found = self.lists.get(user, {}).get(list_id)
            if found is None:
                raise ApiError(404, "notFound", "Task list not found.")
            return found

    # --- tasks -----------------------------------------------------------------------------------
    def insert(self, user: str, list_id: str, body: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            tasks = self.task_list(user, list_id)
            task_id = f"T{next(self._ids):015d}"
            task = {"kind": "tasks#task", "id": task_id, "title": "", "status": "needsAction",
                    "position": f"{len(tasks.tasks):020d}", "links": [],
                    "selfLink": f"https://www.googleapis.com/tasks/v1/lists/{tasks.resource['id']}/tasks/{task_id}",
                    "webViewLink": f"https://tasks.google.com/task/{task_id}"}
            self._apply(task, body)
            tasks.tasks[task_id] = task
            self.writes.append(("insert", task_id))
            return copy.deepcopy(task)

    def get(self, user: str, list_id: str, task_id: str) -> dict[str, Any]:
        with self.lock:
            task = self.task_list(user, list_id).tasks.get(task_id)
            if task is None:
                raise ApiError(404, "notFound", "Task not found.")
            return copy.deepcopy(task)

    def patch(self, user: str, list_id: str, task_id: str, body: dict[str, Any], if_match: str | None = None,
              replace: bool = False) -> dict[str, Any]:
        with self.lock:
            task = self._live(user, list_id, task_id, if_match)
            if replace:
                for name in ("notes", "due", "completed"):
                    task.pop(name, None)
            self._apply(task, body)
            self.writes.append(("patch", task_id))
            return copy.deepcopy(task)

    def delete(self, user: str, list_id: str, task_id: str, if_match: str | None = None) -> None:
        with self.lock:
            task = self._live(user, list_id, task_id, if_match)
            task["deleted"] = True
            self._touch(task)
            self.writes.append(("delete", task_id))

    def clear(self, user: str, list_id: str) -> None:
        """tasks.clear: completed tasks become hidden."""
        with self.lock:
            for task in self.task_list(user, list_id).tasks.values():
                if task.get("status") == "completed" and not task.get("deleted"):
                    task["hidden"] = True
                    self._touch(task)

    def complete_in_app(self, user: str, task_id: str) -> dict[str, Any]:
        """What Google's own apps do on "mark complete": completed, and hidden from the API's default view."""
        with self.lock:
            task = self._live(user, "@default", task_id, None)
            self._apply(task, {"status": "completed"})
            task["hidden"] = True
            return copy.deepcopy(task)

    def purge_deleted(self) -> None:
        """Google drops deleted tasks after a while: their tombstones are then gone from every listing."""
        with self.lock:
            for lists in self.lists.values():
                for tasks in lists.values():
                    tasks.tasks = {k: t for k, t in tasks.tasks.items() if not t.get("deleted")}

    def listing(self, user: str, list_id: str, *, deleted: bool, hidden: bool, completed: bool,
                updated_min: datetime | None) -> list[dict[str, Any]]:
        with self.lock:
            out = []
            for task in self.task_list(user, list_id).tasks.values():
                if (task.get("deleted") and not deleted) or (task.get("hidden") and not hidden) or (
                        task.get("status") == "completed" and not completed):
                    continue
                if updated_min is not None and parse_time(task["updated"], "updated") < updated_min:
                    continue
                out.append(copy.deepcopy(task))
            return sorted(out, key=lambda t: (t.get("parent") or "", t["position"]))

    # --- internals -------------------------------------------------------------------------------
    def _live(self, user: str, list_id: str, task_id: str, if_match: str | None) -> dict[str, Any]:
        task = self.task_list(user, list_id).tasks.get(task_id)
        if task is None:
            raise ApiError(404, "notFound", "Task not found.")
        if if_match not in (None, "*") and if_match != task["etag"]:
            raise ApiError(412, "conditionNotMet", "Precondition Failed", "global")
        return task

    def _apply(self, task: dict[str, Any], body: dict[str, Any]) -> None:
        values = {k: v for k, v in body.items() if k in WRITABLE}
        if len(str(values.get("title") or "")) > MAX_TITLE or len(str(values.get("notes") or "")) > MAX_NOTES:
            raise ApiError(400, "invalid", "Invalid value: the title or notes are too long.")
        if "status" in values and values["status"] not in ("needsAction", "completed"):
            raise ApiError(400, "invalid", f"Invalid value for status: {values['status']}")
        if values.get("due"):
            parse_time(values["due"], "due")     # the date as written is kept; its time part is discarded
            values["due"] = str(values["due"])[:10] + "T00:00:00.000Z"
        if values.get("completed"):
            values["completed"] = parse_time(values["completed"], "completed").strftime("%Y-%m-%dT%H:%M:%S.000Z")
        for name, value in values.items():
            if value is None or (name in ("notes", "due") and value == ""):
                task.pop(name, None)
            else:
                task[name] = value
        if task.get("status") == "completed":
            task.setdefault("completed", now_rfc3339())
        else:
            task.pop("completed", None)
            task.pop("hidden", None)
        if not task.get("deleted"):
            task.pop("deleted", None)
        self._touch(task)

    def _touch(self, task: dict[str, Any]) -> None:
        task["updated"] = now_rfc3339()
        task.pop("etag", None)
        task["etag"] = _etag({**task, "revision": next(self._ids)})


def _etag(resource: dict[str, Any]) -> str:
    return '"' + hashlib.sha256(repr(sorted(resource.items())).encode()).hexdigest()[:27] + '"'
