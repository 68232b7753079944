"""Microsoft To Do ``todoTask`` JSON ⇄ the core's ``TaskItem``.

Microsoft Learn, "todoTask resource type" (v1.0): ``dueDateTime`` is a dateTimeTimeZone that To Do
keeps as the start of the due DAY in the user's zone (often shown converted to UTC, e.g. 04:00Z
for New York), so the due day is read in the owner's zone, as the CalDAV adapter reads DUE; it is
written as midnight of that day in the owner's zone. ``status`` and ``importance`` are the core's
values one to one. The update page notes that only HTML task bodies are supported, so bodies go out
as escaped HTML and come back as text through the core's ``html_to_text``.

The sync key lives in a ``linkedResource`` (``applicationName`` "Syncline", ``externalId`` = key),
created inside the task's own create request so no task exists without it (also the only way with
application permissions: "Create linkedResource" on its own does not support them, "Create
todoTask" takes Tasks.ReadWrite.All), and ``$expand``-ed on every read (delta supports ``$expand``). An open extension would also hold it, but Graph cannot
filter open extensions by value and a separate extension write could be lost in a crash between the
two calls; a linkedResource also shows the user where the task comes from.
"""
from __future__ import annotations

import html
from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from app.providers.graph.events import _instant as instant  # one reader of dateTimeTimeZone
from app.providers.graph.events import _stamp, iana_zone
from app.providers.graph.series_write import local_time
from app.sync.items import TaskItem, TaskPriority, TaskStatus
from app.sync.transforms import html_to_text

APPLICATION = "Syncline"
LINK_NAME = "Salesforce"
SELECT = ",".join(("id", "title", "body", "status", "importance", "dueDateTime", "reminderDateTime", "isReminderOn",
                   "completedDateTime", "categories", "lastModifiedDateTime"))
EXPAND = "linkedResources"

_STATUS = {"notStarted": TaskStatus.NOT_STARTED, "inProgress": TaskStatus.IN_PROGRESS,
           "completed": TaskStatus.COMPLETED, "waitingOnOthers": TaskStatus.WAITING,
           "deferred": TaskStatus.DEFERRED}
_STATUS_OUT = {v: k for k, v in _STATUS.items()}
_PRIORITY = {"low": TaskPriority.LOW, "normal": TaskPriority.NORMAL, "high": TaskPriority.HIGH}
_PRIORITY_OUT = {v: k for k, v in _PRIORITY.items()}


def read_task(task: Mapping[str, Any], owner_zone: str) -> TaskItem:
    """One todoTask (reminders have no place in the core's TaskItem: left as To Do holds them)."""
    body = task.get("body") or {}
    text = str(body.get("content") or "")
    return TaskItem(
        item_id=str(task["id"]), subject=str(task.get("title") or ""),
        body_text=html_to_text(text) if body.get("contentType") == "html" else text.strip(),
        due_date=due_day(task.get("dueDateTime"), owner_zone),
        status=_STATUS.get(str(task.get("status")), TaskStatus.NOT_STARTED),
        priority=_PRIORITY.get(str(task.get("importance")), TaskPriority.NORMAL),
        completed_at=instant(task.get("completedDateTime")), categories=tuple(task.get("categories") or ()),
        version=str(task.get("@odata.etag") or ""), modified_at=_stamp(task.get("lastModifiedDateTime")),
        sync_key=sync_key_of(task))


def write_task(item: TaskItem, owner_zone: str, fields: frozenset[str] | None = None) -> dict[str, Any]:
    """The create body (``fields`` None) or a PATCH of only the named core fields."""
    values: dict[str, tuple[str, Any]] = {
        "subject": ("title", item.subject),
        "body_text": ("body", {"contentType": "html", "content": _html(item.body_text)}),
        "due_date": ("dueDateTime", _midnight(item.due_date, owner_zone)),
        "status": ("status", _STATUS_OUT[TaskStatus(item.status)]),
        "priority": ("importance", _PRIORITY_OUT[TaskPriority(item.priority)]),
        "categories": ("categories", list(item.categories)),
    }
    if item.status == TaskStatus.COMPLETED and item.completed_at is not None:
        values["completed_at"] = ("completedDateTime", _utc(item.completed_at))
    wanted = set(values) if fields is None else set(fields) | ({"completed_at"} if "status" in fields else set())
    body = {graph: value for name, (graph, value) in values.items() if name in wanted}
    if fields is None:
        body = {k: v for k, v in body.items() if v is not None}
        if item.sync_key:
            body["linkedResources"] = [sync_link(item.sync_key)]
    return body


def sync_link(key: str) -> dict[str, str]:
    return {"applicationName": APPLICATION, "displayName": LINK_NAME, "externalId": key}


def sync_key_of(task: Mapping[str, Any]) -> str | None:
    for link in task.get("linkedResources") or ():
        if link.get("applicationName") == APPLICATION and link.get("externalId"):
            return str(link["externalId"])
    return None


def due_day(value: Any, owner_zone: str) -> date | None:
    moment = instant(value)
    return moment.astimezone(ZoneInfo(iana_zone(owner_zone))).date() if moment is not None else None


def _midnight(day: date | None, owner_zone: str) -> dict[str, str] | None:
    """The start of the due day in the owner's zone, named as Windows names it (else as UTC)."""
    if day is None:
        return None
    day = day.date() if isinstance(day, datetime) else day
    zone = iana_zone(owner_zone)
    return local_time(datetime.combine(day, time(0), ZoneInfo(zone)), zone)


def _utc(moment: datetime) -> dict[str, str]:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _html(text: str) -> str:
    return html.escape(text).replace("\n", "<br>") if text else ""
