"""The Google Tasks adapter against the loopback fake: updatedMin rounds, deleted tombstones, hidden tasks,
paging, conditional patches, the sync key in the notes, and a missing grant shown as unavailable."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from app.providers.google import build_google_mailbox
from app.sync.errors import CursorExpired, FolderUnavailable
from app.sync.items import FolderKind, TaskItem, TaskStatus
from app.sync.ports import ItemPatch
from sandbox.google.store import CALENDAR_SCOPES
from sandbox.google.tasks_store import TASKS_SCOPES
from tests.integration.google_workspace.conftest import WINDOW, google_settings

TASKS = FolderKind.TASKS


@pytest.fixture(scope="module")
def tasks_key(google_fake) -> dict:
    return google_fake.store.register_service_account("tasks@project.iam.gserviceaccount.com",
                                                      scopes=CALENDAR_SCOPES | TASKS_SCOPES)


@pytest.fixture
def mailbox(google_fake, tasks_key, google_user):
    port = build_google_mailbox(google_settings(google_fake, tasks_key), google_user, WINDOW)
    yield port
    port.close()


def test_rounds_report_changes_deletions_and_hidden_tasks_once_listed(google_fake, mailbox, google_user):
    store = google_fake.store.tasks
    kept = store.insert(google_user, "@default", {"title": "Call Ann", "notes": "about the renewal",
                                                  "due": "2026-12-10T15:30:00-08:00"})
    gone = store.insert(google_user, "@default", {"title": "Old task"})
    first = mailbox.changes_since(TASKS, None)
    assert first.full and {i.subject for i in first.items} == {"Call Ann", "Old task"}
    [ann] = [i for i in first.items if i.subject == "Call Ann"]
    assert (ann.body_text, ann.due_date, ann.status) == ("about the renewal", date(2026, 12, 10), TaskStatus.NOT_STARTED)

    store.delete(google_user, "@default", gone["id"])
    store.complete_in_app(google_user, kept["id"])            # completed in Google's app: hidden too
    second = mailbox.changes_since(TASKS, first.cursor)
    assert not second.full and second.deleted_ids == (gone["id"],)
    [done] = [i for i in second.items if i.item_id == kept["id"]]
    assert done.status is TaskStatus.COMPLETED and done.completed_at is not None
    assert mailbox.get_items(TASKS, [kept["id"], gone["id"]])[0].item_id == kept["id"]
    assert len(mailbox.get_items(TASKS, [kept["id"], gone["id"]])) == 1


def test_a_listing_pages_past_one_hundred_tasks(google_fake, mailbox, google_user):
    for n in range(105):
        google_fake.store.tasks.insert(google_user, "@default", {"title": f"Task {n}"})
    assert len(mailbox.changes_since(TASKS, None).items) == 105


def test_writes_carry_the_sync_key_in_the_notes_and_patch_only_what_changed(google_fake, mailbox, google_user):
    store = google_fake.store.tasks
    [made] = mailbox.create_items(TASKS, [TaskItem("new", "Send the quote", "Two pages", date(2026, 12, 1),
                                                   sync_key="k" * 40)])
    assert made.ok
    raw = store.get(google_user, "@default", made.target_id)
    assert raw["notes"] == "Two pages\n\n[syncline:" + "k" * 40 + "]" and raw["due"] == "2026-12-01T00:00:00.000Z"
    assert mailbox.find_by_sync_keys(TASKS, ["k" * 40])["k" * 40].item_id == made.target_id
    [read] = mailbox.get_items(TASKS, [made.target_id])
    assert (read.body_text, read.sync_key) == ("Two pages", "k" * 40)

    writes = len(store.writes)
    [same] = mailbox.update_items(TASKS, [ItemPatch(made.target_id, {"status": TaskStatus.IN_PROGRESS})])
    assert same.ok and len(store.writes) == writes            # in progress is still "needsAction": no call
    [done] = mailbox.update_items(TASKS, [ItemPatch(made.target_id, {"status": TaskStatus.COMPLETED,
                                                                     "body_text": "Sent"})])
    raw = store.get(google_user, "@default", made.target_id)
    assert done.ok and done.version == raw["etag"] and raw["status"] == "completed"
    assert raw["notes"].startswith("Sent\n\n[syncline:")
    [again] = mailbox.delete_items(TASKS, [made.target_id])
    [twice] = mailbox.delete_items(TASKS, [made.target_id])
    assert again.ok and twice.ok


def test_a_cursor_for_another_list_expires(google_fake, mailbox, google_user):
    first = mailbox.changes_since(TASKS, None)
    with pytest.raises(CursorExpired):
        mailbox.changes_since(TASKS, first.cursor.replace('"list": "', '"list": "x'))


def test_without_the_tasks_grant_tasks_are_unavailable(google_fake, service_key, google_user):
    port = build_google_mailbox(google_settings(google_fake, service_key), google_user, WINDOW)
    try:
        with pytest.raises(FolderUnavailable):
            port.changes_since(TASKS, None)
    finally:
        port.close()


def test_a_cursor_idle_past_google_keeping_deleted_tasks_expires_into_a_full_listing(google_fake, mailbox,
                                                                                    google_user):
    store, folder = google_fake.store.tasks, mailbox.folders[TASKS]
    gone = store.insert(google_user, "@default", {"title": "Deleted during the gap"})
    first = mailbox.changes_since(TASKS, None)
    store.delete(google_user, "@default", gone["id"])
    store.purge_deleted()                                   # its tombstone is gone too
    later = folder.clock() + timedelta(days=8)
    folder.clock = lambda: later
    with pytest.raises(CursorExpired):
        mailbox.changes_since(TASKS, first.cursor)
    full = mailbox.changes_since(TASKS, None)
    assert full.full and gone["id"] not in {i.item_id for i in full.items}
    assert mailbox.get_items(TASKS, [gone["id"]]) == []     # how the engine finds the deletion
