"""Google Tasks through the REAL worker process: Google fake (Tasks v1) ⇄ `python -m app worker` ⇄ Salesforce
emulator. A task made in Google reaches Salesforce, a Salesforce Task reaches Google, edits and completions
flow both ways without Google's two states blurring Salesforce's finer status or priority, deletions flow
both ways (showDeleted tombstones), and a second sync changes nothing."""
from __future__ import annotations

from datetime import timedelta

from sandbox.google.store import CALENDAR_SCOPES
from sandbox.google.tasks_store import TASKS_SCOPES
from tests.e2e.helpers import NOW, force_sync
from tests.e2e.test_google_worker_e2e import _workspace_user
from tests.e2e.test_graph_tasks_worker_e2e import CHANGES, _sf_delete


def _google_tasks(store, user: str) -> dict[str, dict]:
    """The live tasks of the user's default list by title."""
    return {t["title"]: t for t in store.listing(user, "@default", deleted=False, hidden=True, completed=True,
                                                 updated_min=None)}


def _synced(ann) -> dict:
    session = force_sync(ann)
    assert session["status"] == "succeeded" and session["errors"] == [], session
    assert "unavailable" not in session["counts"].get("tasks", {}), session["counts"]
    return session


def test_google_tasks_mirror_salesforce_tasks_both_ways_through_a_real_worker(e2e, factory):
    ann = _workspace_user(e2e, factory, scopes=CALENDAR_SCOPES | TASKS_SCOPES)
    store, address, due = e2e.google.store.tasks, ann.user.email, (NOW + timedelta(days=4)).date()
    proposal = store.insert(address, "@default", {"title": "Prepare the proposal", "notes": "pricing for 40 seats",
                                                  "due": f"{due.isoformat()}T00:00:00.000Z"})
    first = _synced(ann)
    [sf_task] = e2e.emu.records(ann.sf_org, "Task")
    assert (sf_task["Subject"], sf_task["Description"], sf_task["ActivityDate"], sf_task["Status"]) == (
        "Prepare the proposal", "pricing for 40 seats", due.isoformat(), "Not Started")
    assert sf_task["OwnerId"] == ann.sf_user and first["counts"]["tasks"]["created"] == 1, first["counts"]

    cfo = e2e.emu.insert(ann.sf_org, "Task", {"Subject": "Call the CFO", "OwnerId": ann.sf_user,
                                              "Status": "In Progress", "Priority": "High",
                                              "ActivityDate": (due + timedelta(days=1)).isoformat()})
    _synced(ann)
    in_google = _google_tasks(store, address)["Call the CFO"]
    assert (in_google["status"], in_google["due"]) == ("needsAction", f"{due + timedelta(days=1)}T00:00:00.000Z")
    assert in_google["notes"].startswith("[syncline:")        # the sync key line, never shown in Salesforce

    # an edit both ways: Salesforce renames the proposal, the user adds notes to the CFO call in Google
    e2e.emu.update(ann.sf_org, "Task", sf_task["Id"], {"Subject": "Send the proposal"})
    store.patch(address, "@default", in_google["id"], {"title": "Call the CFO about budget",
                                                       "notes": "ask for Q3 numbers\n\n" + in_google["notes"]})
    _synced(ann)
    assert _google_tasks(store, address)["Send the proposal"]["id"] == proposal["id"]
    sf_cfo = {t["Id"]: t for t in e2e.emu.records(ann.sf_org, "Task")}[cfo]
    assert (sf_cfo["Subject"], sf_cfo["Description"]) == ("Call the CFO about budget", "ask for Q3 numbers")
    assert (sf_cfo["Status"], sf_cfo["Priority"]) == ("In Progress", "High")   # Google's blur changed neither

    # completion both ways: ticked in Google's app (completed and hidden), closed in Salesforce
    store.complete_in_app(address, proposal["id"])
    e2e.emu.update(ann.sf_org, "Task", cfo, {"Status": "Completed"})
    _synced(ann)
    sf_tasks = {t["Id"]: t for t in e2e.emu.records(ann.sf_org, "Task")}
    assert (sf_tasks[sf_task["Id"]]["Status"], sf_tasks[sf_task["Id"]]["IsClosed"]) == ("Completed", True)
    done = _google_tasks(store, address)["Call the CFO about budget"]
    assert done["status"] == "completed" and done["completed"]

    # deletion both ways: the proposal deleted in Google (a showDeleted tombstone), the CFO call in Salesforce
    store.delete(address, "@default", proposal["id"])
    _sf_delete(ann, cfo)
    deleted = _synced(ann)
    assert e2e.emu.records(ann.sf_org, "Task") == [] and _google_tasks(store, address) == {}
    assert store.get(address, "@default", in_google["id"])["deleted"] is True
    assert deleted["counts"]["tasks"]["deleted"] == 2, deleted["counts"]

    writes = len(store.writes)
    quiet = _synced(ann)
    assert not any(quiet["counts"].get("tasks", {}).get(k) for k in CHANGES), quiet["counts"]
    assert len(store.writes) == writes and e2e.emu.records(ann.sf_org, "Task") == []


def test_salesforce_activity_history_does_not_flood_the_task_list(e2e, factory):
    """A new user's org holds years of closed Tasks and every email logged as a Task: only open
    ones and those closed in the last 30 days reach the to-do list, and no logged email does."""
    ann = _workspace_user(e2e, factory, scopes=CALENDAR_SCOPES | TASKS_SCOPES)
    store, address, emu = e2e.google.store.tasks, ann.user.email, e2e.emu
    now = emu.clock
    emu.clock = lambda: NOW - timedelta(days=400)
    try:
        for subject, status in (("Old call log", "Completed"), ("Still to do from last year", "Not Started")):
            emu.insert(ann.sf_org, "Task", {"Subject": subject, "OwnerId": ann.sf_user, "Status": status})
    finally:
        emu.clock = now
    emu.insert(ann.sf_org, "Task", {"Subject": "Email: Re: pricing", "OwnerId": ann.sf_user, "Status": "Completed",
                                    "TaskSubtype": "Email"})
    emu.insert(ann.sf_org, "Task", {"Subject": "Signed yesterday", "OwnerId": ann.sf_user, "Status": "Completed"})
    session = _synced(ann)
    assert set(_google_tasks(store, address)) == {"Still to do from last year", "Signed yesterday"}, session["counts"]
    assert session["counts"]["tasks"]["created"] == 2 and session["counts"]["tasks"]["skipped"] >= 2, session["counts"]
    assert _synced(ann)["counts"]["tasks"]["created"] == 0
