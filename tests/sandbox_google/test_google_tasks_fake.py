"""The fake's Tasks API behaves as Google documents it: @default names the first list, updatedMin bounds a
listing, deleted and hidden tasks only with showDeleted / showHidden, paging at most 100, the fields mask,
If-Match, due kept as a date, 404 bodies in Google's error format, and the tasks scope required."""
from __future__ import annotations

import pytest
import requests

from sandbox.google.tasks_store import TASKS_SCOPES
from tests.sandbox_google.conftest import assertion, token_answer

TASKS = "https://www.googleapis.com/auth/tasks"


@pytest.fixture(scope="module")
def tasks_key(fake) -> dict:
    return fake.store.register_service_account("tasks-fake@project.iam.gserviceaccount.com", scopes=TASKS_SCOPES)


@pytest.fixture
def tasks(fake, tasks_key, user) -> requests.Session:
    answer = token_answer(fake, assertion(tasks_key, sub=user, scope=TASKS))
    assert answer.status_code == 200, answer.text
    session = requests.Session()
    session.trust_env, session.verify = False, fake.ca_path
    session.headers["Authorization"] = "Bearer " + answer.json()["access_token"]
    return session


def _url(fake, path: str) -> str:
    return fake.api_root + "tasks/v1/" + path


def _insert(fake, tasks, **body) -> dict:
    answer = tasks.post(_url(fake, "lists/@default/tasks"), json=body)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _list(fake, tasks, **params) -> requests.Response:
    return tasks.get(_url(fake, "lists/@default/tasks"), params=params)


def test_default_names_the_first_list_and_a_due_time_is_discarded(fake, tasks):
    default = tasks.get(_url(fake, "users/@me/lists/@default")).json()
    lists = tasks.get(_url(fake, "users/@me/lists")).json()
    assert lists["kind"] == "tasks#taskLists" and lists["items"][0]["id"] == default["id"]
    task = _insert(fake, tasks, title="Call", due="2026-12-10T15:30:00-08:00")
    assert (task["kind"], task["status"], task["due"]) == ("tasks#task", "needsAction", "2026-12-10T00:00:00.000Z")


def test_deleted_and_hidden_tasks_show_only_when_asked_and_updated_min_bounds_the_listing(fake, tasks, user):
    gone, done = _insert(fake, tasks, title="Gone"), _insert(fake, tasks, title="Done")
    assert tasks.delete(_url(fake, f"lists/@default/tasks/{gone['id']}")).status_code == 204
    fake.store.tasks.complete_in_app(user, done["id"])
    assert "items" not in _list(fake, tasks).json()
    everything = _list(fake, tasks, showDeleted="true", showHidden="true").json()["items"]
    assert {(t["title"], t.get("deleted", False), t.get("hidden", False)) for t in everything} == {
        ("Gone", True, False), ("Done", False, True)}
    later = max(t["updated"] for t in everything)
    recent = _list(fake, tasks, showDeleted="true", showHidden="true", updatedMin=later).json()["items"]
    assert {t["title"] for t in recent} == {t["title"] for t in everything if t["updated"] >= later}
    assert "items" not in _list(fake, tasks, showDeleted="true", showHidden="true",
                                updatedMin="2099-01-01T00:00:00.000Z").json()


def test_pages_hold_at_most_one_hundred_and_the_fields_mask_trims_them(fake, tasks):
    for n in range(101):
        _insert(fake, tasks, title=f"T{n}", notes="x")
    first = _list(fake, tasks, maxResults=500, fields="nextPageToken,items(id,title)").json()
    assert len(first["items"]) == 100 and set(first["items"][0]) == {"id", "title"}
    rest = _list(fake, tasks, maxResults=500, pageToken=first["nextPageToken"]).json()
    assert len(rest["items"]) == 1 and "nextPageToken" not in rest
    assert len(_list(fake, tasks).json()["items"]) == 20                 # maxResults defaults to 20


def test_a_stale_if_match_is_refused_and_unknown_tasks_answer_google_404(fake, tasks):
    task = _insert(fake, tasks, title="Quote")
    fresh = tasks.patch(_url(fake, f"lists/@default/tasks/{task['id']}"), json={"status": "completed"},
                        headers={"If-Match": task["etag"]})
    assert fresh.status_code == 200 and fresh.json()["completed"]
    stale = tasks.patch(_url(fake, f"lists/@default/tasks/{task['id']}"), json={"title": "x"},
                        headers={"If-Match": task["etag"]})
    assert stale.status_code == 412
    missing = tasks.get(_url(fake, "lists/@default/tasks/nope"))
    error = missing.json()["error"]
    assert missing.status_code == 404 and error["code"] == 404 and error["errors"][0]["reason"] == "notFound"
    assert tasks.get(_url(fake, "lists/nolist/tasks")).status_code == 404


def test_a_token_without_the_tasks_scope_is_refused(fake, tasks, user):
    calendar_only = fake.store.issue_token(user, frozenset({"https://www.googleapis.com/auth/calendar.events"}))
    answer = requests.get(_url(fake, "lists/@default/tasks"), headers={"Authorization": "Bearer " + calendar_only},
                          verify=fake.ca_path)
    assert answer.status_code == 403 and answer.json()["error"]["errors"][0]["reason"] == "insufficientPermissions"
