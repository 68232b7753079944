"""One user's Google task list through the Tasks API v1 (the tasks.v1 discovery document the package ships;
https://developers.google.com/workspace/tasks/reference/rest).

Change detection: Tasks has no sync token. ``tasks.list`` with ``updatedMin`` (the newest ``updated``
seen, by Google's own clock, minus an overlap window so a change committed late is listed again rather
than lost), ``showDeleted`` (deleted tasks come back with ``deleted: true`` → deletes), ``showHidden``
(tasks completed before the list was cleared are still tasks) and ``showCompleted``, paged by
``nextPageToken`` (``maxResults`` ≤ 100) and trimmed with a ``fields`` mask. Google keeps deleted tasks
only for a while, so a cursor not used for 7 days is CursorExpired: the engine lists in full and checks
the linked tasks the listing lacks with ``get_items``, finding the deletions made meanwhile. The cursor
names the list's id: a replaced default list starts a full listing too.

The list is ``@default`` (the user's first list, as Google names it), or the list titled as configured.
Writes: ``tasks.insert`` / ``tasks.patch`` (only the changed fields, conditional on the etag just read
with ``If-Match``) / ``tasks.delete``; a task already gone counts as deleted. A mailbox whose grant lacks
the tasks scope shows tasks as not available and keeps syncing the rest.
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from googleapiclient.errors import HttpError

from app.providers.google.batch import GoogleBatch
from app.providers.google.errors import google_error
from app.providers.google.task_fields import (
    LIST_FIELDS,
    TASK_FIELDS,
    instant,
    read_task,
    rfc3339,
    split_notes,
    write_task,
)
from app.providers.vendor_edge import failed_result, write_each
from app.sync.errors import (
    AuthFailure,
    CursorExpired,
    FolderUnavailable,
    InvalidData,
    NotFound,
    PermissionDenied,
    SyncError,
)
from app.sync.items import FolderKind, MailboxItem, TaskItem
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

TASKS_SCOPE = "https://www.googleapis.com/auth/tasks"
DEFAULT_LIST = "@default"
PAGE_SIZE = 100                          # tasks.list / tasklists.list maximum maxResults
OVERLAP = timedelta(minutes=5)
CURSOR_LIFETIME = timedelta(days=7)


class GoogleTasks:
    """Tasks of one list through a built ``tasks`` v1 service; ``list_title`` None means ``@default``."""

    def __init__(self, service: Any, batch: GoogleBatch, list_title: str | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.service, self.batch, self.list_title, self.clock = service, batch, list_title, clock
        self._list_id: str | None = None

    @property
    def list_id(self) -> str:
        """The list's real id (``@default`` resolved), looked up once per session."""
        if self._list_id is None:
            self._list_id = self._find_list()
        return self._list_id

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        state = self._state(cursor)
        polled = self.clock()
        query: dict[str, Any] = {"showDeleted": True, "showHidden": True, "showCompleted": True}
        if state.get("since"):
            query["updatedMin"] = state["since"]
        items: dict[str, TaskItem] = {}
        deleted: list[str] = []
        newest = instant(state.get("since"))
        for task in self._listing(query):
            task_id = str(task["id"])
            if task.get("deleted"):
                deleted.append(task_id)
                items.pop(task_id, None)
            else:
                items[task_id] = read_task(task)
            updated = instant(task.get("updated"))
            if updated is not None and (newest is None or updated - OVERLAP > newest):
                newest = updated - OVERLAP
        after = {"list": self.list_id, "since": rfc3339(newest) if newest else None, "polled": rfc3339(polled)}
        return MailboxChanges(FolderKind.TASKS, tuple(items.values()),
                              tuple(dict.fromkeys(d for d in deleted if d not in items)), json.dumps(after),
                              full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        """Live tasks by id (read in batches); deleted and unknown ones are omitted."""
        return [read_task(task) for task in self._current(item_ids).values()]

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        """Tasks Syncline made, by the key line of their notes (Tasks has no query on notes: one listing)."""
        wanted = set(keys)
        found: dict[str, MailboxItem] = {}
        for task in self._listing({"showHidden": True, "showCompleted": True}):
            _, key = split_notes(str(task.get("notes") or ""))
            if key in wanted:
                found[key] = read_task(task)
        return found

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        return write_each(items, self._create)

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        """Each patch against the task as it is now (all read first, in batches)."""
        try:
            current = self._current([p.item_id for p in patches])
        except SyncError as exc:
            return [failed_result(exc) for _ in patches]
        return write_each(patches, lambda patch: self._update(patch, current.get(patch.item_id)))

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        return write_each(item_ids, self._delete)

    # --- internals -------------------------------------------------------------------------------
    def _create(self, item: MailboxItem) -> WriteResult:
        if not isinstance(item, TaskItem):
            raise InvalidData("only tasks are written to a Google task list")
        task = self._run(self._tasks().insert(tasklist=self.list_id, body=write_task(item), fields=TASK_FIELDS),
                         "tasks.insert")
        return WriteResult(True, str(task["id"]), str(task.get("etag") or ""))

    def _update(self, patch: ItemPatch, current: dict[str, Any] | None) -> WriteResult:
        """Only what differs from the task as it is now, conditional on its etag; nothing → no call."""
        if current is None:
            raise NotFound(f"task {patch.item_id} not found")
        now = read_task(current)
        values = {k: v for k, v in dict(patch.changes).items() if k in ("subject", "body_text", "due_date", "status")}
        after = replace(now, **values)
        changed = frozenset(k for k in values if write_task(after, frozenset({k}), now.sync_key)
                            != write_task(now, frozenset({k}), now.sync_key))
        if not changed:
            return WriteResult(True, patch.item_id, now.version)
        request = self._tasks().patch(tasklist=self.list_id, task=patch.item_id, fields=TASK_FIELDS,
                                      body=write_task(after, changed, now.sync_key))
        request.headers["If-Match"] = now.version or "*"
        task = self._run(request, "tasks.patch")
        return WriteResult(True, patch.item_id, str(task.get("etag") or ""))

    def _delete(self, item_id: str) -> WriteResult:
        try:
            self._run(self._tasks().delete(tasklist=self.list_id, task=item_id), "tasks.delete")
        except NotFound:
            pass
        return WriteResult(True, item_id)

    def _listing(self, query: dict[str, Any]) -> Iterator[dict[str, Any]]:
        page_token = None
        while True:
            page = self._run(self._tasks().list(tasklist=self.list_id, maxResults=PAGE_SIZE, fields=LIST_FIELDS,
                                                **query, **({"pageToken": page_token} if page_token else {})),
                             "tasks.list")
            yield from page.get("items") or ()
            page_token = page.get("nextPageToken")
            if not page_token:
                return

    def _current(self, item_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        ids = list(dict.fromkeys(item_ids))
        answers = self.batch.run([self._tasks().get(tasklist=self.list_id, task=i, fields=TASK_FIELDS) for i in ids],
                                 "tasks.get")
        out: dict[str, dict[str, Any]] = {}
        for task_id, answer in zip(ids, answers, strict=True):
            if isinstance(answer, NotFound):
                continue
            if isinstance(answer, SyncError):      # never read as "gone": that would delete it in Salesforce
                raise answer
            if not answer.get("deleted"):
                out[task_id] = dict(answer)
        return out

    def _find_list(self) -> str:
        try:
            if self.list_title is None:
                return str(self._run(self.service.tasklists().get(tasklist=DEFAULT_LIST, fields="id"),
                                     "tasklists.get")["id"])
            page_token = None
            while True:
                page = self._run(self.service.tasklists().list(
                    maxResults=PAGE_SIZE, fields="nextPageToken,items(id,title)",
                    **({"pageToken": page_token} if page_token else {})), "tasklists.list")
                for found in page.get("items") or ():
                    if str(found.get("title") or "").strip().casefold() == self.list_title.strip().casefold():
                        return str(found["id"])
                page_token = page.get("nextPageToken")
                if not page_token:
                    raise FolderUnavailable(f"the Google account has no task list named {self.list_title!r}")
        except (PermissionDenied, NotFound) as exc:
            raise FolderUnavailable(f"Google Tasks refused the list ({exc}); grant {TASKS_SCOPE}") from exc

    def _state(self, cursor: str | None) -> dict[str, Any]:
        """The stored cursor, or CursorExpired when it names another list or has not been used for too long."""
        if cursor is None:
            return {}
        try:
            state = json.loads(cursor)
        except ValueError:
            state = None
        polled = instant(state.get("polled")) if isinstance(state, dict) else None
        if not isinstance(state, dict) or state.get("list") != self.list_id:
            raise CursorExpired("the Google task list changed since the last listing")
        if polled is None or self.clock() - polled > CURSOR_LIFETIME:
            raise CursorExpired("the last Google Tasks listing is older than Google keeps deleted tasks for")
        return state

    def _tasks(self) -> Any:
        return self.service.tasks()

    @staticmethod
    def _run(request: Any, what: str) -> Any:
        try:
            return request.execute(num_retries=0) or {}
        except HttpError as exc:
            raise google_error(exc, what, "Tasks") from exc
        except AuthFailure as exc:
            if "unauthorized_client" in str(exc):
                raise FolderUnavailable(f"tasks: the service account is not granted {TASKS_SCOPE} under "
                                        "domain-wide delegation") from exc
            raise
