"""VTODO resources ⇄ the core's TaskItem (due date by day, status, priority, completion)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from icalendar import Component, Todo

from app.providers.imap_dav import ical_common as ic
from app.providers.imap_dav.ical_scheduling import client_scheduled
from app.providers.imap_dav.timezones import zone
from app.sync.items import TaskItem, TaskPriority, TaskStatus

ICAL_TO_STATUS = {"NEEDS-ACTION": TaskStatus.NOT_STARTED, "IN-PROCESS": TaskStatus.IN_PROGRESS,
                  "COMPLETED": TaskStatus.COMPLETED, "CANCELLED": TaskStatus.DEFERRED}
STATUS_TO_ICAL = {TaskStatus.NOT_STARTED: "NEEDS-ACTION", TaskStatus.IN_PROGRESS: "IN-PROCESS",
                  TaskStatus.COMPLETED: "COMPLETED", TaskStatus.DEFERRED: "CANCELLED",
                  TaskStatus.WAITING: "IN-PROCESS"}
# iCalendar has no "waiting": keep it in our own property so it survives a round trip.
STATUS_DETAIL_PROP = "X-SYNCLINE-TASK-STATUS"
PRIORITY_TO_ICAL = {TaskPriority.HIGH: 1, TaskPriority.NORMAL: 5, TaskPriority.LOW: 9}


def read_task(href: str, etag: str, data: str, floating: str = "UTC") -> TaskItem | None:
    """The VTODO in this resource, or None when it holds none; ``floating`` is the owner's zone."""
    calendar = ic.parse_calendar(data)
    todos = calendar.walk("VTODO") if calendar is not None else []
    if not todos:
        return None
    todo = todos[0]
    completed = ic.decoded(todo, "COMPLETED")
    modified = ic.decoded(todo, "LAST-MODIFIED") or ic.decoded(todo, "DTSTAMP")
    return TaskItem(
        item_id=href, subject=ic.text_of(todo, "SUMMARY"), body_text=ic.text_of(todo, "DESCRIPTION"),
        due_date=due_day(todo, floating), status=_status(todo),
        priority=_priority(todo), completed_at=ic.as_utc(completed) if completed else None,
        private=ic.text_of(todo, "CLASS").upper() in {"PRIVATE", "CONFIDENTIAL"},
        categories=ic.categories_of(todo), version=etag,
        modified_at=ic.as_utc(modified) if modified else None,
        sync_key=ic.text_of(todo, ic.SYNC_KEY_PROP) or None)


def due_day(todo: Component, floating: str) -> date | None:
    """The day the task is due in the owner's zone: DUE (DATE or DATE-TIME, any TZID), else
    DTSTART + DURATION (RFC 5545 §3.6.2), else none."""
    due = ic.decoded_time(todo, "DUE", floating)
    if due is None:
        start, duration = ic.decoded_time(todo, "DTSTART", floating), ic.decoded(todo, "DURATION")
        due = start + duration if start is not None and isinstance(duration, timedelta) else None
    if isinstance(due, datetime):
        return due.astimezone(zone(floating)).date()
    return due if isinstance(due, date) else None


def _status(todo: Todo) -> TaskStatus:
    if ic.text_of(todo, STATUS_DETAIL_PROP).lower() == TaskStatus.WAITING.value:
        return TaskStatus.WAITING
    return ICAL_TO_STATUS.get(ic.text_of(todo, "STATUS").upper(),
                              TaskStatus.COMPLETED if "COMPLETED" in todo else TaskStatus.NOT_STARTED)


def _priority(todo: Todo) -> TaskPriority:
    value = ic.decoded(todo, "PRIORITY") or 0
    if 1 <= int(value) <= 4:
        return TaskPriority.HIGH
    return TaskPriority.LOW if int(value) >= 6 else TaskPriority.NORMAL


def write_task(item: TaskItem, existing: str | None, uid: str, floating: str = "UTC") -> str:
    """Render ``item`` into the existing VTODO (unmapped properties kept) or a new resource; a DUE
    whose day did not change is left as written (its time of day and TZID survive)."""
    calendar = (ic.parse_calendar(existing) if existing else None) or ic.new_calendar()
    todos = calendar.walk("VTODO")
    todo = todos[0] if todos else Todo()
    if not todos:
        calendar.add_component(todo)
    now = datetime.now(UTC).replace(microsecond=0)
    values: dict[str, Any] = {
        "UID": uid, "DTSTAMP": now, "LAST-MODIFIED": now, "SUMMARY": item.subject,
        "DESCRIPTION": item.body_text, "DUE": _due(todo, item, floating),
        "STATUS": STATUS_TO_ICAL[TaskStatus(item.status)], "PRIORITY": PRIORITY_TO_ICAL[TaskPriority(item.priority)],
        "COMPLETED": _completed(item, now), "CLASS": "PRIVATE" if item.private else "PUBLIC",
        STATUS_DETAIL_PROP: TaskStatus.WAITING.value if item.status == TaskStatus.WAITING else None,
        ic.SYNC_KEY_PROP: item.sync_key,
    }
    for name, value in values.items():
        ic.replace_prop(todo, name, value)
    if item.status == TaskStatus.COMPLETED:
        ic.replace_prop(todo, "PERCENT-COMPLETE", 100)
    ic.set_categories(todo, item.categories)
    client_scheduled(calendar)  # a task with attendees must not make the server message them either
    return ic.serialise(calendar)


def _due(todo: Component, item: TaskItem, floating: str) -> Any:
    """The DUE to write: the one written when its day is unchanged; a new day keeps the value type
    (RFC 5545: DUE matches DTSTART) and time of day in the owner's zone."""
    day = item.due_date.date() if isinstance(item.due_date, datetime) else item.due_date
    if day is not None and due_day(todo, floating) == day:
        return todo.get("DUE")  # None when due by DTSTART + DURATION: left so
    todo.pop("DURATION", None)  # DUE and DURATION must not both occur
    timed = ic.decoded_time(todo, "DUE", floating) or ic.decoded_time(todo, "DTSTART", floating)
    if day is not None and isinstance(timed, datetime):
        local = zone(floating)
        return datetime.combine(day, timed.astimezone(local).time(), local)
    return day


def _completed(item: TaskItem, now: datetime) -> datetime | None:
    if item.status != TaskStatus.COMPLETED:
        return None
    return (item.completed_at or now).astimezone(UTC)
