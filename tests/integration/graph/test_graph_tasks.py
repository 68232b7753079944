"""Microsoft To Do tasks through the Graph adapter against the loopback fake (real HTTPS, real msal),
and through real sessions (``run_session``) against the Salesforce emulator."""
from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta

import pytest

from app.providers.graph import build_graph_mailbox
from app.providers.graph.todo_codec import read_task, write_task
from app.services.ports_factory import default_ports
from app.services.sync_runner import run_session
from app.sync.errors import CursorExpired
from app.sync.items import FolderKind, TaskItem, TaskPriority, TaskStatus
from app.sync.ports import ItemPatch
from tests.integration.graph.conftest import WINDOW, graph_settings

TASKS = FolderKind.TASKS


def _todo(fake, user, **body) -> dict:
    store = fake.store.todo
    return store.create(user, store.default_list(user).id, body)


def _round(mailbox, cursor=None):
    return mailbox.changes_since(TASKS, cursor)


def test_a_todo_task_reads_into_the_core_task_with_its_due_day_in_the_owners_zone(graph_fake, graph_user):
    # To Do keeps a due date as the start of the day in the user's zone, shown in UTC: 05:00Z on
    # 10 March is 10 March in New York, while read in UTC 23:30Z on 9 March stays 9 March.
    _todo(graph_fake, graph_user, title="Send the quote", status="waitingOnOthers", importance="high",
          body={"contentType": "html", "content": "<p>Prices &amp; terms</p><p>by Friday</p>"},
          dueDateTime={"dateTime": "2027-03-10T05:00:00.0000000", "timeZone": "UTC"},
          reminderDateTime={"dateTime": "2027-03-09T14:00:00.0000000", "timeZone": "UTC"}, isReminderOn=True,
          categories=["Salesforce"])
    _todo(graph_fake, graph_user, title="Done already", status="completed",
          dueDateTime={"dateTime": "2027-03-09T23:30:00.0000000", "timeZone": "UTC"})
    mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW, owner_zone="America/New_York")
    try:
        changes = _round(mailbox)
    finally:
        mailbox.close()
    tasks = {t.subject: t for t in changes.items}
    quote = tasks["Send the quote"]
    assert isinstance(quote, TaskItem) and changes.full and changes.kind is TASKS
    assert (quote.due_date, quote.status, quote.priority) == (date(2027, 3, 10), TaskStatus.WAITING, TaskPriority.HIGH)
    assert quote.body_text == "Prices & terms\n\nby Friday" and quote.categories == ("Salesforce",)
    assert quote.version and quote.modified_at is not None and quote.sync_key is None
    done = tasks["Done already"]
    assert done.status is TaskStatus.COMPLETED and done.completed_at is not None
    assert done.due_date == date(2027, 3, 9)


def test_delta_pages_to_a_delta_link_then_reports_edits_and_removals(graph_fake, graph_user, graph_mailbox):
    ids = [_todo(graph_fake, graph_user, title=f"t{n}")["id"] for n in range(7)]
    before = graph_fake.store.requests
    first = _round(graph_mailbox)           # 100 per page in the adapter; the fake's default page is 10
    assert sorted(t.item_id for t in first.items) == sorted(ids)
    store, list_id = graph_fake.store.todo, graph_fake.store.todo.default_list(graph_user).id
    store.update(graph_user, list_id, ids[0], {"title": "t0 renamed"})
    store.delete(graph_user, list_id, ids[1])
    second = _round(graph_mailbox, first.cursor)
    assert [(t.item_id, t.subject) for t in second.items] == [(ids[0], "t0 renamed")]
    assert second.deleted_ids == (ids[1],) and not second.full
    assert _round(graph_mailbox, second.cursor).items == ()
    # Graph may name the user by object id in its links: still this list's cursor; another list's is not
    assert graph_mailbox.folders[FolderKind.TASKS]._same_list(second.cursor.replace(graph_user, "5f1c0f2e-object-id"))
    assert not graph_mailbox.folders[FolderKind.TASKS]._same_list(second.cursor.replace(list_id, "another-list"))
    assert graph_fake.store.requests - before <= 6     # lists once, then one delta call per round
    assert all('odata.maxpagesize' in p for p in graph_fake.store.preferences[-2:])


def test_an_expired_delta_token_is_cursor_expired(graph_fake, graph_user, graph_mailbox):
    _todo(graph_fake, graph_user, title="kept")
    cursor = _round(graph_mailbox).cursor
    graph_fake.store.expire_delta_tokens()
    with pytest.raises(CursorExpired):
        _round(graph_mailbox, cursor)
    graph_fake.store.todo.remove_default_list(graph_user)     # a deltaLink of another list: start over
    fresh = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW)
    try:
        with pytest.raises(CursorExpired):
            _round(fresh, cursor)
    finally:
        fresh.close()


def test_writes_are_batched_carry_the_sync_key_and_are_found_again_after_a_crash(graph_fake, graph_user,
                                                                                  graph_mailbox):
    items = [TaskItem("", subject=f"From Salesforce {n}", due_date=date(2027, 1, n + 1), sync_key=f"key-{n}",
                      body_text="line 1\nline <2>") for n in range(25)]
    before = graph_fake.store.requests
    results = graph_mailbox.create_items(TASKS, items)
    assert all(r.ok and r.target_id and r.version for r in results)
    assert graph_fake.store.requests - before <= 1 + 2 + 2 * 25   # lists, two $batch calls (25 subrequests)
    stored = graph_fake.store.todo.default_list(graph_user).tasks[results[3].target_id]
    assert stored["linkedResources"][0]["externalId"] == "key-3"
    assert stored["dueDateTime"] == {"dateTime": "2027-01-04T00:00:00", "timeZone": "UTC"}
    assert stored["body"]["contentType"] == "html"

    found = graph_mailbox.find_by_sync_keys(TASKS, ["key-3", "key-24", "missing"])
    assert {k: v.item_id for k, v in found.items()} == {"key-3": results[3].target_id, "key-24": results[24].target_id}
    assert found["key-3"].body_text == "line 1\nline <2>" and found["key-3"].due_date == date(2027, 1, 4)

    patched = graph_mailbox.update_items(TASKS, [ItemPatch(results[0].target_id, {"status": TaskStatus.COMPLETED,
                                                                                  "due_date": None}),
                                                 ItemPatch("no-such-task", {"subject": "x"})])
    assert patched[0].ok and not patched[1].ok and patched[1].error_code == "not_found"
    done = graph_fake.store.todo.default_list(graph_user).tasks[results[0].target_id]
    assert done["status"] == "completed" and "completedDateTime" in done and "dueDateTime" not in done
    assert done["title"] == "From Salesforce 0"            # only the changed fields were sent

    deleted = graph_mailbox.delete_items(TASKS, [results[1].target_id, results[1].target_id])
    assert [r.ok for r in deleted] == [True, True]      # the second one finds it gone: still deleted
    assert results[1].target_id not in graph_fake.store.todo.default_list(graph_user).tasks


def test_a_user_without_a_mailbox_is_reported_not_hidden(graph_fake):
    mailbox = build_graph_mailbox(graph_settings(graph_fake), "nobody@contoso.test", WINDOW)
    try:
        with pytest.raises(Exception) as caught:
            _round(mailbox)
    finally:
        mailbox.close()
    assert "ErrorInvalidUser" in str(caught.value)


# -- through real sessions (``world`` in conftest: one org, user and Office 365 mailbox) ---------

def _todo_tasks(world) -> dict[str, dict]:
    return {t["title"]: t for t in world.fake.store.todo.default_list(world.address).tasks.values()}


def _sf_tasks(world) -> dict[str, dict]:
    return {t["Subject"]: t for t in world.emu.records(world.sf_org, "Task")}


def _changed(counts: dict) -> int:
    return sum(counts.get(k, 0) for k in ("created", "updated", "deleted", "failed"))


def test_an_expired_task_delta_token_resyncs_in_full_and_finds_the_deletion_made_in_the_gap(world):
    kept = _todo(world.fake, world.address, title="Kept task")
    gone = _todo(world.fake, world.address, title="Deleted in the gap")
    first = world.sync()
    assert first.status == "succeeded", first.errors
    assert sorted(_sf_tasks(world)) == ["Deleted in the gap", "Kept task"]
    assert first.counts["tasks"], first.counts
    world.fake.store.expire_delta_tokens()
    store = world.fake.store.todo
    store.delete(world.address, store.default_list(world.address).id, gone["id"])
    record = world.sync()
    assert record.status == "succeeded", record.errors
    assert sorted(_sf_tasks(world)) == ["Kept task"]
    assert list(_todo_tasks(world)) == ["Kept task"] and kept["id"] in store.default_list(world.address).tasks
    quiet = world.sync()
    assert quiet.status == "succeeded" and quiet.errors == [] and _changed(quiet.counts.get("tasks", {})) == 0
    assert sorted(_sf_tasks(world)) == ["Kept task"]


def test_a_salesforce_task_reaches_to_do_once_with_its_due_day_and_comes_back_unchanged(world):
    due = (datetime.now(UTC) + timedelta(days=5)).date()
    world.emu.insert(world.sf_org, "Task", {"Subject": "Call the buyer", "OwnerId": world.sf_user,
                                            "ActivityDate": due.isoformat(), "Status": "In Progress",
                                            "Priority": "High", "Description": "Ask about\nthe renewal"})
    assert world.sync().status == "succeeded"
    [task] = _todo_tasks(world).values()
    assert (task["title"], task["status"], task["importance"]) == ("Call the buyer", "inProgress", "high")
    assert task["dueDateTime"]["dateTime"].startswith(due.isoformat())
    assert task["linkedResources"][0]["applicationName"] == "Syncline"
    quiet = world.sync()                # our own create comes back through delta: an echo, skipped
    assert quiet.status == "succeeded" and quiet.errors == []
    assert _changed(quiet.counts.get("tasks", {})) == 0, quiet.counts
    assert _todo_tasks(world)["Call the buyer"]["@odata.etag"] == task["@odata.etag"]
    assert len(_todo_tasks(world)) == 1 and len(_sf_tasks(world)) == 1
    assert _sf_tasks(world)["Call the buyer"]["Description"] == "Ask about\nthe renewal"
    assert _sf_tasks(world)["Call the buyer"]["ActivityDate"] == due.isoformat()


class _DiesAfterCreating:
    """The worker dying right after To Do accepted its creates: the answers never reach the ID map."""

    def __init__(self, mailbox) -> None:
        self.mailbox = mailbox

    def __getattr__(self, name):
        return getattr(self.mailbox, name)

    def create_items(self, kind, items):
        self.mailbox.create_items(kind, items)
        raise RuntimeError("worker killed after the create")


def test_a_create_cut_off_by_a_crash_is_found_by_its_sync_key_and_never_duplicated(world):
    world.emu.insert(world.sf_org, "Task", {"Subject": "Crash-proof task", "OwnerId": world.sf_user,
                                            "Status": "Not Started", "Priority": "Normal"})

    def dying_ports(rt, mailbox, user):
        ports = default_ports(rt, mailbox, user)
        return dataclasses.replace(ports, mailbox=_DiesAfterCreating(ports.mailbox))

    with pytest.raises(RuntimeError, match="worker killed"):
        run_session(world.rt, world.mailbox_id, "forced", dying_ports)
    assert list(_todo_tasks(world)) == ["Crash-proof task"]        # written, but the product never heard
    record = world.sync()
    assert record.status == "succeeded", record.errors
    assert list(_todo_tasks(world)) == ["Crash-proof task"] and len(_sf_tasks(world)) == 1
    world.emu.update(world.sf_org, "Task", _sf_tasks(world)["Crash-proof task"]["Id"], {"Subject": "Linked again"})
    assert world.sync().status == "succeeded"
    assert list(_todo_tasks(world)) == ["Linked again"]             # the recovered pair is linked


def test_an_app_registration_without_to_do_permission_leaves_tasks_unavailable_and_the_calendar_syncing(world):
    world.outlook_meeting("Still mirrored", guests=())
    world.fake.store.todo.denied = True
    try:
        record = world.sync()
    finally:
        world.fake.store.todo.denied = False
    assert record.status == "succeeded", record.errors
    assert "Tasks.ReadWrite.All" in record.counts["tasks"]["unavailable"], record.counts
    assert [e["Subject"] for e in world.sf_events()] == ["Still mirrored"]


def test_a_due_day_is_written_as_midnight_in_the_owners_zone_and_read_back_as_the_same_day():
    item = TaskItem("", subject="Renewal", due_date=date(2027, 7, 14), status=TaskStatus.COMPLETED,
                    completed_at=datetime(2027, 7, 13, 22, tzinfo=UTC), sync_key="k")
    body = write_task(item, "America/New_York")
    assert body["dueDateTime"] == {"dateTime": "2027-07-14T00:00:00", "timeZone": "Eastern Standard Time"}
    assert body["completedDateTime"]["timeZone"] == "UTC" and body["status"] == "completed"
    # To Do answers the same day as a UTC instant (04:00Z, New York being on summer time): still 14 July
    echoed = read_task({**body, "id": "t1", "dueDateTime": {"dateTime": "2027-07-14T04:00:00.0000000",
                                                            "timeZone": "UTC"}}, "America/New_York")
    assert echoed.due_date == date(2027, 7, 14) and echoed.sync_key == "k" and echoed.body_text == ""
    assert write_task(item, "America/New_York", frozenset({"subject"})) == {"title": "Renewal"}
