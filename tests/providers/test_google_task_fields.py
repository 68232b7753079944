"""The Google Tasks codec on plain JSON: due days, needsAction/completed, notes with the sync key line."""
from __future__ import annotations

from datetime import UTC, date, datetime

from app.providers.google.task_fields import (
    MAX_NOTES,
    join_notes,
    read_task,
    split_notes,
    write_task,
)
from app.sync.items import TaskItem, TaskPriority, TaskStatus

KEY = "0123456789abcdef0123456789abcdef01234567"


def test_the_due_day_is_the_date_google_keeps_whatever_the_time_part():
    assert read_task({"id": "t", "due": "2026-12-10T00:00:00.000Z"}).due_date == date(2026, 12, 10)
    assert read_task({"id": "t", "due": "2026-12-10T23:30:00-08:00"}).due_date == date(2026, 12, 10)
    assert read_task({"id": "t"}).due_date is None
    assert write_task(TaskItem("t", "x", due_date=date(2026, 12, 10)))["due"] == "2026-12-10T00:00:00.000Z"


def test_needs_action_is_any_open_status_and_priority_is_never_held():
    task = read_task({"id": "t", "title": "Call", "status": "needsAction", "etag": '"e1"',
                      "updated": "2026-12-01T10:00:00.000Z"})
    assert task.status is TaskStatus.NOT_STARTED and task.version == '"e1"'
    coarse = dict(task.coarse)
    assert set(coarse["status"]) == set(TaskStatus) - {TaskStatus.COMPLETED}
    assert set(coarse["priority"]) == set(TaskPriority)
    assert task.modified_at == datetime(2026, 12, 1, 10, tzinfo=UTC)


def test_completed_carries_its_time_and_only_priority_stays_coarse():
    task = read_task({"id": "t", "status": "completed", "completed": "2026-12-02T08:00:00.000Z", "hidden": True})
    assert task.status is TaskStatus.COMPLETED and task.completed_at == datetime(2026, 12, 2, 8, tzinfo=UTC)
    assert [name for name, _ in task.coarse] == ["priority"]


def test_every_open_salesforce_status_is_written_as_needs_action_and_reopening_clears_completed():
    for status in (TaskStatus.NOT_STARTED, TaskStatus.IN_PROGRESS, TaskStatus.WAITING, TaskStatus.DEFERRED):
        assert write_task(TaskItem("t", status=status), frozenset({"status"})) == {"status": "needsAction",
                                                                                   "completed": None}
    done = TaskItem("t", status=TaskStatus.COMPLETED, completed_at=datetime(2026, 12, 2, 8, tzinfo=UTC))
    assert write_task(done, frozenset({"status"})) == {"status": "completed", "completed": "2026-12-02T08:00:00.000Z"}
    assert write_task(TaskItem("t", status=TaskStatus.COMPLETED), frozenset({"status"})) == {"status": "completed"}


def test_the_sync_key_rides_on_the_last_line_of_the_notes_and_never_reaches_the_description():
    body = write_task(TaskItem("t", "Quote", "Two pages\n", sync_key=KEY))
    assert body == {"title": "Quote", "notes": f"Two pages\n\n[syncline:{KEY}]", "status": "needsAction"}
    item = read_task({"id": "t", "notes": body["notes"]})
    assert (item.body_text, item.sync_key) == ("Two pages", KEY)
    assert split_notes(f"[syncline:{KEY}]") == ("", KEY)
    assert split_notes("no key here") == ("no key here", None)


def test_a_patch_of_the_notes_keeps_the_key_the_task_carries():
    patch = write_task(TaskItem("t", body_text="New notes"), frozenset({"body_text"}), sync_key=KEY)
    assert patch == {"notes": f"New notes\n\n[syncline:{KEY}]"}
    assert write_task(TaskItem("t", body_text=""), frozenset({"body_text"})) == {"notes": ""}


def test_long_notes_are_cut_so_the_key_line_still_fits_google_limit():
    notes = join_notes("x" * 9000, KEY)
    assert len(notes) == MAX_NOTES and notes.endswith(f"[syncline:{KEY}]")
    assert split_notes(notes)[1] == KEY
