"""One mailbox's Microsoft To Do default list through Graph: ``todo/lists/{listId}/tasks/delta`` for
changes and task writes in ``$batch`` calls (≤ 20 each, see http.py).

Microsoft Learn: "List todoTaskLists" (the built-in list has ``wellknownListName`` ``defaultList``),
"todoTask: delta" (``$select`` and ``$expand`` are given on the round's first request only and
carried by its links; ``@removed`` marks a deleted task), "Create/Update/Delete todoTask". An
expired token (410 ``syncStateNotFound``, or ``resyncRequired``) becomes CursorExpired through
``errors.graph_error`` and the core lists the whole list again and reconciles it against the ID map.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit

from app.providers.graph.calendar import _same_origin
from app.providers.graph.errors import failed_result
from app.providers.graph.http import GraphHttp, SubRequest, SubResponse
from app.providers.graph.todo_codec import EXPAND, SELECT, read_task, write_task
from app.sync.errors import CursorExpired, FolderUnavailable, InvalidData, NotFound, PermissionDenied, SyncError
from app.sync.items import FolderKind, MailboxItem, TaskItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

PAGE_SIZE = 100
FULL_TASK = frozenset({"title", "status"})
QUERY = urlencode({"$select": SELECT, "$expand": EXPAND})


class GraphTasks:
    """Tasks of one user's default To Do list; ``owner_zone`` is the zone due days are read in."""

    def __init__(self, http: GraphHttp, user: str, owner_zone: str = "UTC") -> None:
        self.http, self.owner_zone = http, owner_zone
        self.root = f"/users/{quote(user, safe='@')}/todo/lists"
        self._tasks: str | None = None

    @property
    def tasks(self) -> str:
        """``/users/{id}/todo/lists/{defaultListId}/tasks``, looked up once per session."""
        if self._tasks is None:
            self._tasks = self.root + "/" + quote(self._default_list(), safe="") + "/tasks"
        return self._tasks

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        """One delta round to its deltaLink (the cursor). A deltaLink for another list or endpoint
        (the default list was replaced, the Graph URL changed) starts a full round."""
        if cursor is not None and not self._same_list(cursor):
            raise CursorExpired("the default To Do list or the Graph endpoint changed since the last delta round")
        url = cursor or self.tasks + "/delta?" + QUERY
        items: dict[str, TaskItem] = {}
        deleted: list[str] = []
        partial: set[str] = set()
        while True:
            page = self.http.get(url, "To Do tasks delta", prefer=f"odata.maxpagesize={PAGE_SIZE}") or {}
            for task in page.get("value") or ():
                task_id = str(task["id"])
                if "@removed" in task:
                    deleted.append(task_id)
                    items.pop(task_id, None)
                    partial.discard(task_id)
                elif FULL_TASK <= task.keys():
                    items[task_id] = read_task(task, self.owner_zone)
                    partial.discard(task_id)
                else:   # delta may send only what changed: read the whole task
                    items.pop(task_id, None)
                    partial.add(task_id)
            if "@odata.deltaLink" in page:
                break
            if "@odata.nextLink" not in page:
                raise CursorExpired("Graph ended a To Do delta round without a deltaLink")
            url = _same_origin(str(page["@odata.nextLink"]), self.http)
        refetched = self.get_items(sorted(partial - set(items))) if partial else []
        items.update({i.item_id: i for i in refetched if isinstance(i, TaskItem)})
        link = _same_origin(str(page["@odata.deltaLink"]), self.http)
        return MailboxChanges(FolderKind.TASKS, tuple(items.values()),
                              tuple(i for i in deleted if i not in items), link, full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        answers = self.http.batch([SubRequest("GET", self._one(i) + "?" + QUERY) for i in item_ids], "get tasks")
        out: list[MailboxItem] = []
        for item_id, answer in zip(item_ids, answers, strict=True):
            if answer.ok and isinstance(answer.body, dict):
                out.append(read_task(answer.body, self.owner_zone))
            elif answer.status != 404:
                raise answer.error(f"get task {item_id}")
        return out

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        """Tasks carrying these keys in their Syncline linkedResource. The documented query options
        of "List tasks" do not include filtering on linkedResources, so the list is read once (paged,
        ``$select``-ed) and matched here: one listing answers every key of a session."""
        wanted = set(keys)
        found: dict[str, MailboxItem] = {}
        url = self.tasks + "?" + urlencode({"$select": SELECT, "$expand": EXPAND, "$top": str(PAGE_SIZE)})
        while wanted - set(found):
            page = self.http.get(url, "list To Do tasks") or {}
            for task in page.get("value") or ():
                item = read_task(task, self.owner_zone)
                if item.sync_key in wanted:
                    found[item.sync_key] = item
            if "@odata.nextLink" not in page:
                break
            url = _same_origin(str(page["@odata.nextLink"]), self.http)
        return found

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        """Creates, each with its sync key in the same request (todoTask has no transactionId: a
        retried create is found again through ``find_by_sync_keys``)."""
        bodies: list[dict[str, Any] | SyncError] = []
        for item in items:
            bodies.append(write_task(item, self.owner_zone) if isinstance(item, TaskItem)
                          else InvalidData("only tasks are written to a To Do list"))
        return self._written(bodies, lambda n, body: SubRequest("POST", self.tasks, body), "create task")

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        """PATCHes of only the changed fields (a reminder or recurrence set in To Do stays)."""
        bodies: list[dict[str, Any] | SyncError] = []
        for patch in patches:
            try:
                bodies.append(write_task(TaskItem(patch.item_id, **_known(patch.changes)), self.owner_zone,
                                         frozenset(patch.changes)))
            except (TypeError, ValueError) as exc:
                bodies.append(InvalidData(f"task {patch.item_id}: {exc}"))
        return self._written(bodies, lambda n, body: SubRequest("PATCH", self._one(patches[n].item_id), body),
                             "update task")

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        """Deletes; a task already gone counts as deleted (a retried delete changes nothing)."""
        answers = self.http.batch([SubRequest("DELETE", self._one(i)) for i in item_ids], "delete tasks")
        return [WriteResult(True, item_id) if answer.ok or answer.status == 404
                else failed_result(answer.error(f"delete task {item_id}"))
                for item_id, answer in zip(item_ids, answers, strict=True)]

    def _written(self, bodies: Sequence[dict[str, Any] | SyncError],
                 request: Callable[[int, dict[str, Any]], SubRequest], what: str) -> list[WriteResult]:
        """Send the good bodies in one batch; refused ones answer with their error, in input order."""
        good = {n: body for n, body in enumerate(bodies) if not isinstance(body, SyncError)}
        answers = dict(zip(good, self.http.batch([request(n, b) for n, b in good.items()], what + "s"), strict=True))
        out = []
        for n, body in enumerate(bodies):
            out.append(failed_result(body) if isinstance(body, SyncError) else _result(answers[n], what))
        return out

    def _default_list(self) -> str:
        """The default list's id. An app registration without To Do permission (one set up when only
        the calendar synced) leaves tasks not available, named as such, and the calendar syncing."""
        url = self.root + "?" + urlencode({"$select": "id,displayName,wellknownListName"})
        while True:
            try:
                page = self.http.get(url, "list To Do lists") or {}
            except PermissionDenied as exc:
                raise FolderUnavailable(f"Microsoft To Do refused the app registration ({exc}); grant it the "
                                        "Tasks.ReadWrite.All application permission with admin consent") from exc
            for found in page.get("value") or ():
                if found.get("wellknownListName") == "defaultList":
                    return str(found["id"])
            if "@odata.nextLink" not in page:
                raise FolderUnavailable("the mailbox has no default Microsoft To Do list")
            url = _same_origin(str(page["@odata.nextLink"]), self.http)

    def _same_list(self, link: str) -> bool:
        """A deltaLink of this endpoint and this list: Graph may name the user by object id rather than
        the UPN asked for, and escape the list id differently, so the decoded list path is compared."""
        if not link.startswith(self.http.base_url + "/"):
            return False
        return unquote(urlsplit(link).path).endswith("/todo/" + unquote(self.tasks.split("/todo/", 1)[1]) + "/delta")

    def _one(self, task_id: str) -> str:
        return self.tasks + "/" + quote(task_id, safe="")


def _known(changes: Any) -> dict[str, Any]:
    """The patch's values TaskItem holds (``private`` and the like have no place in To Do)."""
    names = {"subject", "body_text", "due_date", "status", "priority", "categories", "completed_at"}
    values = {k: v for k, v in dict(changes).items() if k in names}
    if "categories" in values:
        values["categories"] = tuple(values["categories"] or ())
    return values


def _result(answer: SubResponse, what: str) -> WriteResult:
    if answer.ok and isinstance(answer.body, dict):
        return WriteResult(True, str(answer.body.get("id")), str(answer.body.get("@odata.etag") or ""))
    if answer.status == 404:
        return failed_result(NotFound(f"Graph {what}: the task is gone"))
    return failed_result(answer.error(what))
