"""Google Tasks ``Task`` JSON ⇄ the core's ``TaskItem`` (tasks.v1 discovery document, "Task" schema).

* ``title`` ⇄ subject (≤ 1024 characters), ``notes`` ⇄ body (≤ 8192 characters).
* ``due`` is a date only: "the time portion of the timestamp is discarded" by Google, which keeps it as
  midnight UTC of that day, so the day is read from the date part as is and written as ``…T00:00:00.000Z``.
* ``status`` is ``needsAction`` or ``completed`` (with the ``completed`` timestamp). ``needsAction`` is
  any open status and Google Tasks has no priority: both are reported as ``coarse`` so the core never
  overwrites Salesforce's In Progress / Waiting / Deferred or its priority with Google's blur.
* Google Tasks has no private or extended properties, so the sync key of a task Syncline creates rides
  as the last line of its notes (``[syncline:<key>]``), stripped on every read: a create retried after a
  crash is found again by it (``find_by_sync_keys``) instead of made twice.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from app.sync.items import TaskItem, TaskPriority, TaskStatus

TASK_FIELDS = "id,etag,title,notes,status,due,completed,deleted,hidden,updated,parent"
LIST_FIELDS = f"nextPageToken,items({TASK_FIELDS})"
MAX_TITLE, MAX_NOTES = 1024, 8192
OPEN_STATUSES = tuple(s for s in TaskStatus if s is not TaskStatus.COMPLETED)
COARSE_OPEN = (("status", OPEN_STATUSES), ("priority", tuple(TaskPriority)))
COARSE_DONE = (("priority", tuple(TaskPriority)),)
_KEY_LINE = re.compile(r"\s*\[syncline:([0-9A-Za-z_-]{1,64})\]\s*$")


def read_task(task: Mapping[str, Any]) -> TaskItem:
    """One live task (the caller drops ``deleted`` ones)."""
    body, key = split_notes(str(task.get("notes") or ""))
    done = task.get("status") == "completed"
    return TaskItem(
        item_id=str(task["id"]), subject=str(task.get("title") or ""), body_text=body,
        due_date=due_day(task.get("due")), status=TaskStatus.COMPLETED if done else TaskStatus.NOT_STARTED,
        completed_at=instant(task.get("completed")) if done else None, version=str(task.get("etag") or ""),
        modified_at=instant(task.get("updated")), sync_key=key, coarse=COARSE_DONE if done else COARSE_OPEN)


def write_task(item: TaskItem, fields: frozenset[str] | None = None, sync_key: str | None = None) -> dict[str, Any]:
    """The insert body (``fields`` None: every value, the item's own sync key in the notes) or a PATCH of
    the named core fields (``sync_key``: the key the task carries now, kept in rewritten notes)."""
    key = item.sync_key if fields is None else sync_key
    done = TaskStatus(item.status) is TaskStatus.COMPLETED
    values: dict[str, dict[str, Any]] = {
        "subject": {"title": item.subject[:MAX_TITLE]},
        "body_text": {"notes": join_notes(item.body_text, key)},
        "due_date": {"due": _midnight(item.due_date)},
        "status": _status(done, item.completed_at),
    }
    wanted = set(values) if fields is None else set(fields) & set(values)
    body: dict[str, Any] = {}
    for name in wanted:
        body.update(values[name])
    if fields is None:
        body = {k: v for k, v in body.items() if v not in (None, "")}
    return body


def split_notes(notes: str) -> tuple[str, str | None]:
    """(the user's notes, the sync key on the last line or None)."""
    found = _KEY_LINE.search(notes)
    if found is None:
        return notes.rstrip(), None
    return notes[:found.start()].rstrip(), found.group(1)


def join_notes(text: str, key: str | None) -> str:
    """Notes holding ``text`` and, when given, the key line - cut to Google's 8192 characters."""
    line = f"[syncline:{key}]" if key else ""
    room = MAX_NOTES - len(line) - (2 if line and text else 0)
    text = text.rstrip()[:room]
    return f"{text}\n\n{line}" if text and line else (text or line)


def due_day(value: Any) -> date | None:
    """The due day as Google keeps it (the date part; a time part, always midnight UTC, means nothing)."""
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def instant(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def _midnight(day: date | None) -> str | None:
    if day is None:
        return None
    day = day.date() if isinstance(day, datetime) else day
    return f"{day.isoformat()}T00:00:00.000Z"


def _status(done: bool, completed_at: datetime | None) -> dict[str, Any]:
    """Reopening clears ``completed`` too (Google keeps it otherwise); a completion without a known time
    lets Google stamp it."""
    if not done:
        return {"status": "needsAction", "completed": None}
    return {"status": "completed", **({"completed": rfc3339(completed_at)} if completed_at else {})}
