"""The fake's Microsoft To Do state: each user's task lists and tasks, with the change log that
``tasks/delta`` tokens point into.

Shapes follow Microsoft Learn (v1.0): "todoTaskList resource type" (``wellknownListName``
``defaultList`` for the built-in "Tasks" list), "todoTask resource type" (status ``notStarted``,
``inProgress``, ``completed``, ``waitingOnOthers``, ``deferred``; importance ``low``/``normal``/
``high``; ``linkedResources`` created with the task), "todoTask: delta". Changes share the tenant's
one counter (``GraphStore.counter``) and delta states share its token table, so
``GraphStore.expire_delta_tokens`` expires To Do tokens too.
"""
from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sandbox.graph.push_kinds import task_changed
from sandbox.graph.store_times import stamp

if TYPE_CHECKING:
    from sandbox.graph.store import GraphStore

Task = dict[str, Any]
STATUSES = frozenset({"notStarted", "inProgress", "completed", "waitingOnOthers", "deferred"})
IMPORTANCES = frozenset({"low", "normal", "high"})
READ_ONLY = frozenset({"id", "createdDateTime", "lastModifiedDateTime", "@odata.etag", "linkedResources"})


class InvalidTask(ValueError):
    """A create/update body To Do refuses (400 ``invalidRequest``)."""


@dataclass
class TaskList:
    id: str
    display_name: str
    wellknown: str = "none"
    tasks: dict[str, Task] = field(default_factory=dict)
    changed_at: dict[str, int] = field(default_factory=dict)   # task id → counter of its last change
    removed: dict[str, int] = field(default_factory=dict)      # deleted task id → counter

    def shown(self) -> dict[str, Any]:
        return {"@odata.etag": f'W/"{self.id[-12:]}"', "id": self.id, "displayName": self.display_name,
                "isOwner": True, "isShared": False, "wellknownListName": self.wellknown}


@dataclass
class TaskDeltaState:
    """What a To Do delta or skip token stands for (one list of one user)."""

    user: str
    list_id: str
    since: int
    pending: list[Task] = field(default_factory=list)
    upto: int = 0
    query: dict[str, str] = field(default_factory=dict)   # the first request's $select/$expand, kept
                                                          # in the token as Graph encodes them


class TodoStore:
    """Task lists per user; a user's default list exists from the first look at their To Do."""

    def __init__(self, tenant: GraphStore) -> None:
        self.tenant = tenant
        self.lists: dict[str, dict[str, TaskList]] = {}   # user (lower-case) → list id → list
        self.denied = False                                # True: the app lacks To Do permission (403)

    def user_lists(self, user: str) -> dict[str, TaskList] | None:
        """The user's lists (None: no such mailbox)."""
        if self.tenant.mailbox(user) is None:
            return None
        with self.tenant.lock:
            lists = self.lists.setdefault(user.lower(), {})
            if not lists:
                default = TaskList("AAMkAD" + uuid.uuid4().hex + "LIST", "Tasks", "defaultList")
                lists[default.id] = default
            return lists

    def default_list(self, user: str) -> TaskList:
        lists = self.user_lists(user)
        if lists is None:
            raise KeyError(user)
        return next(t for t in lists.values() if t.wellknown == "defaultList")

    def task_list(self, user: str, list_id: str) -> TaskList | None:
        return (self.user_lists(user) or {}).get(list_id)

    def remove_default_list(self, user: str) -> None:
        """Test hook: the default list gone (its replacement appears at the next look)."""
        with self.tenant.lock:
            self.lists.pop(user.lower(), None)

    # -- tasks --------------------------------------------------------------------------------
    def create(self, user: str, list_id: str, body: Task) -> Task | None:
        """The new task (None: no such list); raises InvalidTask for values To Do refuses."""
        with self.tenant.lock:
            box = self.task_list(user, list_id)
            if box is None:
                return None
            _check(body)
            now = stamp(self.tenant.clock())
            task: Task = {"importance": "normal", "isReminderOn": False, "status": "notStarted", "title": "",
                          "categories": [], "hasAttachments": False,
                          "body": {"content": "", "contentType": "text"},
                          **{k: v for k, v in body.items() if k not in READ_ONLY},
                          "id": "AAMkADTASK" + uuid.uuid4().hex + "AAA=", "createdDateTime": now}
            task["linkedResources"] = [{**r, "id": str(uuid.uuid4())} for r in body.get("linkedResources") or ()]
            self._completion(task, None)
            self._touch(box, task)
            box.tasks[task["id"]] = task
            task_changed(self.tenant.push, user, list_id, task, "created")
            return task

    def update(self, user: str, list_id: str, task_id: str, changes: Task) -> Task | None:
        with self.tenant.lock:
            box = self.task_list(user, list_id)
            task = box.tasks.get(task_id) if box else None
            if box is None or task is None:
                return None
            _check(changes)
            before = task.get("status")
            task.update({k: v for k, v in changes.items() if k not in READ_ONLY})
            for key in [k for k, v in task.items() if v is None]:
                task.pop(key)
            self._completion(task, before)
            self._touch(box, task)
            task_changed(self.tenant.push, user, list_id, task, "updated")
            return task

    def delete(self, user: str, list_id: str, task_id: str) -> bool:
        with self.tenant.lock:
            box = self.task_list(user, list_id)
            if box is None or box.tasks.pop(task_id, None) is None:
                return False
            box.changed_at.pop(task_id, None)
            box.removed[task_id] = next(self.tenant.counter)
            task_changed(self.tenant.push, user, list_id, task_id, "deleted")
            return True

    def _touch(self, box: TaskList, task: Task) -> None:
        task["lastModifiedDateTime"] = stamp(self.tenant.clock())
        task["@odata.etag"] = f'W/"{secrets.token_urlsafe(12)}"'
        box.changed_at[task["id"]] = next(self.tenant.counter)

    def _completion(self, task: Task, before: str | None) -> None:
        """To Do stamps ``completedDateTime`` when a task becomes completed and drops it when reopened."""
        if task.get("status") == "completed" and before != "completed" and not task.get("completedDateTime"):
            task["completedDateTime"] = {"dateTime": stamp(self.tenant.clock())[:-1] + "0000", "timeZone": "UTC"}
        elif task.get("status") != "completed":
            task.pop("completedDateTime", None)

    # -- delta --------------------------------------------------------------------------------
    def collect(self, state: TaskDeltaState) -> list[Task]:
        """Every change after ``state.since``: current tasks, then ``@removed`` for deleted ones."""
        with self.tenant.lock:
            box = self.task_list(state.user, state.list_id)
            if box is None:
                return []
            ordered = sorted(box.changed_at.items(), key=lambda kv: kv[1])
            out = [dict(box.tasks[i]) for i, seq in ordered if seq > state.since]
            if state.since:
                out += [{"@odata.type": "#microsoft.graph.todoTask", "id": i, "@removed": {"reason": "deleted"}}
                        for i, seq in sorted(box.removed.items(), key=lambda kv: kv[1]) if seq > state.since]
            state.upto = next(self.tenant.counter)
            return out


def _check(body: Task) -> None:
    if "status" in body and body["status"] not in STATUSES:
        raise InvalidTask(f"Invalid value '{body['status']}' for property 'status'.")
    if "importance" in body and body["importance"] not in IMPORTANCES:
        raise InvalidTask(f"Invalid value '{body['importance']}' for property 'importance'.")
    if "title" in body and not isinstance(body["title"], str):
        raise InvalidTask("The property 'title' must be a string.")
    for name in ("dueDateTime", "reminderDateTime", "completedDateTime", "startDateTime"):
        value = body.get(name)
        if value is not None and (not isinstance(value, dict) or not value.get("dateTime")):
            raise InvalidTask(f"The property '{name}' must be a dateTimeTimeZone with a dateTime.")
