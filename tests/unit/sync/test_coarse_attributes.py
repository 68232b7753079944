"""A mailbox that holds an attribute only coarsely (Google Tasks: "needsAction" is any open status, no
priority at all) never overwrites Salesforce's finer value, yet a real change of class still flows."""
from __future__ import annotations

from app.sync import (
    TASK_MAPPING,
    CrmChanges,
    CrmRecord,
    FolderKind,
    IdMapEntry,
    MailboxChanges,
    SyncPolicy,
    TaskItem,
    TaskPriority,
    TaskStatus,
    UpdateCrm,
    bind_mapping,
    plan_sync,
)
from app.sync.mapping import mailbox_values, values_hashes
from tests.unit.sync.sync_world import NOW, OWNER
from tests.unit.sync.test_sync_plan import SESSION

TASKS = bind_mapping(TASK_MAPPING)
CTX = TASKS.context("UTC")
OPEN = tuple(s for s in TaskStatus if s is not TaskStatus.COMPLETED)
SF_VALUES = {"subject": "Call the CFO", "due_date": None, "status": "In Progress", "priority": "High",
             "body_text": ""}


def google_task(**changes) -> TaskItem:
    """A task as the Google adapter reads it: open, no priority, both held coarsely."""
    values = {"subject": "Call the CFO", "status": TaskStatus.NOT_STARTED, "version": "g2", "modified_at": NOW,
              "coarse": (("status", OPEN), ("priority", tuple(TaskPriority))), **changes}
    return TaskItem("t1", **values)


def linked_entry(agreed: dict) -> IdMapEntry:
    return IdMapEntry("org1", "alice", "key1", FolderKind.TASKS, "Task", mailbox_item_id="t1", crm_id="00T1",
                      mailbox_version="g1", crm_version="cv1", field_hashes=values_hashes(agreed))


def plan(item: TaskItem, agreed: dict) -> list:
    record = CrmRecord("Task", "00T1", {"Subject": "Call the CFO", "Status": "In Progress", "Priority": "High",
                                        "OwnerId": OWNER}, "cv1", NOW)
    return plan_sync(MailboxChanges(FolderKind.TASKS, (item,), (), "c2"), CrmChanges("Task", (record,), (), "c2"),
                     [linked_entry(agreed)], SyncPolicy(), TASKS, session=SESSION)


def test_an_open_google_task_keeps_salesforce_in_progress_and_high_priority_when_its_title_changes():
    [action] = plan(google_task(subject="Call the CFO today"), SF_VALUES)
    assert isinstance(action, UpdateCrm)
    assert dict(action.fields) == {"Subject": "Call the CFO today"}


def test_reopening_a_task_completed_on_both_sides_reaches_salesforce():
    [action] = plan(google_task(), {**SF_VALUES, "status": "Completed"})
    assert isinstance(action, UpdateCrm)
    assert dict(action.fields) == {"Status": "Not Started"}


def test_without_agreed_values_a_coarse_item_reports_every_row():
    values = mailbox_values(TASKS, google_task(), CTX)
    assert (values["status"], values["priority"]) == ("Not Started", "Normal")
    assert set(mailbox_values(TASKS, google_task(), CTX, values_hashes(SF_VALUES))) == {
        "subject", "due_date", "body_text"}
