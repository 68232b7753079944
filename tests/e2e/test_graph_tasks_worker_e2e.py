"""Microsoft To Do through the REAL worker process: Graph fake ⇄ `python -m app worker` ⇄ Salesforce
emulator. A task made in To Do reaches Salesforce, a Salesforce edit reaches To Do, deletions flow
both ways, and a second sync changes nothing."""
from __future__ import annotations

from datetime import timedelta

import requests

from tests.e2e.helpers import NOW, force_sync
from tests.e2e.test_graph_worker_e2e import _office365_user

CHANGES = ("created", "updated", "deleted", "failed")


def _sf_delete(ann, record_id: str) -> None:
    """The user deleting the Task in Salesforce (its REST API)."""
    tokens = ann.e2e.emu.issue_tokens(ann.sf_org, ann.sf_user)
    http = requests.Session()
    http.trust_env, http.verify = False, ann.e2e.emu.ca_path
    answer = http.delete(f"{tokens['instance_url']}/services/data/v62.0/sobjects/Task/{record_id}",
                         headers={"Authorization": "Bearer " + tokens["access_token"]})
    assert answer.status_code == 204, answer.text


def test_a_worker_mirrors_to_do_tasks_with_salesforce_both_ways(e2e, factory):
    ann = _office365_user(e2e, factory)
    todo = e2e.graph.store.todo
    tasks = todo.default_list(ann.user.email)
    due = (NOW + timedelta(days=4)).date()
    made = todo.create(ann.user.email, tasks.id, {
        "title": "Prepare the proposal", "importance": "high", "status": "inProgress",
        "dueDateTime": {"dateTime": f"{due.isoformat()}T00:00:00.0000000", "timeZone": "UTC"}})
    first = force_sync(ann)
    assert first["status"] == "succeeded", first
    [sf_task] = e2e.emu.records(ann.sf_org, "Task")
    assert (sf_task["Subject"], sf_task["Priority"], sf_task["Status"]) == ("Prepare the proposal", "High",
                                                                             "In Progress")
    assert sf_task["ActivityDate"] == due.isoformat() and sf_task["OwnerId"] == ann.sf_user
    assert first["counts"]["tasks"]["created"] == 1, first["counts"]

    e2e.emu.update(ann.sf_org, "Task", sf_task["Id"], {"Subject": "Send the proposal", "Status": "Completed",
                                                       "ActivityDate": (due + timedelta(days=2)).isoformat()})
    edited = force_sync(ann)
    assert edited["status"] == "succeeded", edited
    mirrored = tasks.tasks[made["id"]]
    assert (mirrored["title"], mirrored["status"], mirrored["importance"]) == ("Send the proposal", "completed", "high")
    assert mirrored["dueDateTime"]["dateTime"].startswith((due + timedelta(days=2)).isoformat())

    from_sf = e2e.emu.insert(ann.sf_org, "Task", {"Subject": "Call the CFO", "OwnerId": ann.sf_user,
                                                   "Status": "Not Started", "Priority": "Normal"})
    assert force_sync(ann)["status"] == "succeeded"
    assert sorted(t["title"] for t in tasks.tasks.values()) == ["Call the CFO", "Send the proposal"]

    todo.delete(ann.user.email, tasks.id, made["id"])
    _sf_delete(ann, from_sf)
    deleted = force_sync(ann)
    assert deleted["status"] == "succeeded", deleted
    assert e2e.emu.records(ann.sf_org, "Task") == [] and tasks.tasks == {}

    quiet = force_sync(ann)
    assert quiet["status"] == "succeeded", quiet
    assert not any(quiet["counts"].get("tasks", {}).get(k) for k in CHANGES), quiet["counts"]
    assert "unavailable" not in quiet["counts"].get("tasks", {})
    assert e2e.emu.records(ann.sf_org, "Task") == [] and tasks.tasks == {}
