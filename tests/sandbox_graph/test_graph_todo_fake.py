"""The fake's Microsoft To Do surface behaves as Microsoft Learn documents: the default list by
``wellknownListName``, task CRUD with ``linkedResources`` made in the create request, delta pages to a
deltaLink that keeps the first request's ``$select``/``$expand``, ``@removed``, 410 on an expired
token, 400 for values To Do refuses, and ``$batch``."""
from __future__ import annotations

from tests.sandbox_graph.test_graph_fake import _round  # the same delta walk as for events


def _default_list(fake, user, http) -> str:
    lists = http.get(f"{fake.graph_url}/users/{user}/todo/lists").json()["value"]
    [default] = [entry for entry in lists if entry["wellknownListName"] == "defaultList"]
    assert default["displayName"] == "Tasks"
    return f"{fake.graph_url}/users/{user}/todo/lists/{default['id']}/tasks"


def test_tasks_are_created_with_linked_resources_read_updated_and_deleted(fake, user, http):
    tasks = _default_list(fake, user, http)
    made = http.post(tasks, json={"title": "Quote", "importance": "high", "linkedResources": [
        {"applicationName": "Syncline", "displayName": "Salesforce", "externalId": "k1"}]})
    assert made.status_code == 201
    task = made.json()
    assert (task["status"], task["importance"], task["isReminderOn"]) == ("notStarted", "high", False)
    assert task["linkedResources"][0]["externalId"] == "k1" and task["linkedResources"][0]["id"]
    plain = http.get(f"{tasks}/{task['id']}").json()
    assert "linkedResources" not in plain                        # a navigation property: only expanded
    expanded = http.get(f"{tasks}/{task['id']}", params={"$expand": "linkedResources", "$select": "title"}).json()
    assert set(expanded) == {"@odata.etag", "id", "title", "linkedResources"}

    done = http.patch(f"{tasks}/{task['id']}", json={"status": "completed"}).json()
    assert done["completedDateTime"]["timeZone"] == "UTC" and done["@odata.etag"] != task["@odata.etag"]
    reopened = http.patch(f"{tasks}/{task['id']}", json={"status": "notStarted"}).json()
    assert "completedDateTime" not in reopened
    refused = http.patch(f"{tasks}/{task['id']}", json={"status": "finished"})
    assert refused.status_code == 400 and "status" in refused.json()["error"]["message"]

    assert http.delete(f"{tasks}/{task['id']}").status_code == 204
    gone = http.get(f"{tasks}/{task['id']}")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "ErrorItemNotFound"


def test_delta_pages_keeps_its_query_and_reports_removals_then_expires(fake, user, http):
    tasks = _default_list(fake, user, http)
    ids = [http.post(tasks, json={"title": f"t{n}", "linkedResources": [
        {"applicationName": "Syncline", "displayName": "Salesforce", "externalId": f"k{n}"}]}).json()["id"]
        for n in range(5)]
    found, link, pages = _round(http, f"{tasks}/delta", {"$select": "title,status", "$expand": "linkedResources"}, 2)
    assert sorted(t["id"] for t in found) == sorted(ids) and pages == 3
    assert all(set(t) == {"@odata.etag", "id", "title", "status", "linkedResources"} for t in found)

    http.patch(f"{tasks}/{ids[0]}", json={"title": "renamed"})
    http.delete(f"{tasks}/{ids[1]}")
    changes, link, _ = _round(http, link)
    assert [(t["id"], t.get("title"), t.get("@removed")) for t in changes] == [
        (ids[0], "renamed", None), (ids[1], None, {"reason": "deleted"})]
    assert changes[0]["linkedResources"][0]["externalId"] == "k0"    # the first request's $expand kept
    assert _round(http, link)[0] == []

    fake.store.expire_delta_tokens()
    expired = http.get(link)
    assert expired.status_code == 410 and expired.json()["error"]["code"] == "syncStateNotFound"


def test_tasks_are_written_through_batch_and_unknown_users_and_lists_are_404(fake, user, http):
    tasks = _default_list(fake, user, http)
    path = tasks.removeprefix(fake.graph_url)
    sub = [{"id": str(n), "method": "POST", "url": path, "body": {"title": f"b{n}"},
            "headers": {"Content-Type": "application/json"}} for n in range(20)]
    answer = http.post(f"{fake.graph_url}/$batch", json={"requests": sub}).json()
    assert {r["status"] for r in answer["responses"]} == {201}
    listed = http.get(tasks, params={"$top": "15"}).json()
    assert len(listed["value"]) == 15 and "@odata.nextLink" in listed
    assert len(http.get(listed["@odata.nextLink"]).json()["value"]) == 5
    assert http.get(f"{fake.graph_url}/users/nobody@contoso.test/todo/lists").status_code == 404
    assert http.get(f"{fake.graph_url}/users/{user}/todo/lists/nope/tasks/delta").status_code == 404
