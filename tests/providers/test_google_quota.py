"""Google quota accounting on plain data: Gmail's published per-method units, one request for the other
APIs, a batch charged as its parts, and a spent budget that is waited for (briefly) or handed back."""
from __future__ import annotations

import httplib2
import pytest
from googleapiclient.discovery import build
from googleapiclient.http import BatchHttpRequest

from app.providers.google.quota import GMAIL_UNITS, GoogleQuota, batch_costs, gmail_method, request_cost
from app.sync.errors import TemporaryFailure

GMAIL = "https://www.googleapis.com/gmail/v1/users/me/"


@pytest.mark.parametrize(("verb", "path", "method"), [
    ("GET", "messages/18c1?format=raw", "messages.get"),
    ("GET", "messages?labelIds=Label_1", "messages.list"),
    ("GET", "history?startHistoryId=9", "history.list"),
    ("GET", "labels", "labels.list"),
    ("POST", "labels", "labels.create"),
    ("POST", "watch", "watch"),
    ("POST", "stop", "stop"),
    ("GET", "profile", "getProfile"),
    ("GET", "messages/18c1/attachments/ANGj", "messages.attachments.get"),
    ("POST", "messages/18c1/modify", "messages.modify"),
    ("POST", "messages/batchModify", "messages.batchModify"),
    ("POST", "messages/send", "messages.send"),
    ("GET", "threads/t1", "threads.get"),
])
def test_gmail_paths_name_their_method(verb, path, method):
    assert gmail_method(verb, "/gmail/v1/users/me/" + path.split("?")[0]) == method


def test_gmail_costs_are_the_published_units():
    assert (GMAIL_UNITS["messages.get"], GMAIL_UNITS["messages.list"], GMAIL_UNITS["history.list"],
            GMAIL_UNITS["labels.list"], GMAIL_UNITS["labels.create"], GMAIL_UNITS["watch"],
            GMAIL_UNITS["messages.attachments.get"], GMAIL_UNITS["getProfile"]) == (5, 5, 2, 1, 5, 100, 5, 1)
    assert request_cost("GET", GMAIL + "history?startHistoryId=1") == ("gmail", 2)
    assert request_cost("GET", "https://x.test/gmail/v1/users/ann%40acme.test/messages/abc") == ("gmail", 5)


def test_calendar_people_and_tasks_count_one_request_each():
    assert request_cost("GET", "https://www.googleapis.com/calendar/v3/calendars/primary/events") == ("calendar", 1)
    assert request_cost("GET", "https://people.googleapis.com/v1/people/me/connections") == ("people", 1)
    assert request_cost("POST", "https://www.googleapis.com/tasks/v1/lists/x/tasks") == ("tasks", 1)


class _Capture:
    """An httplib2 stand-in that keeps the batch body googleapiclient built and sends nothing."""

    body: bytes | str = b""

    def request(self, uri, method="GET", body=None, headers=None, **_):
        self.body = body
        raise _Sent()


class _Sent(Exception):
    pass


def _batch_body(requests) -> bytes | str:
    capture = _Capture()
    batch = BatchHttpRequest(batch_uri="https://www.googleapis.com/batch/gmail/v1")
    for request in requests:
        batch.add(request)
    with pytest.raises(_Sent):
        batch.execute(http=capture)
    return capture.body


def test_a_batch_counts_as_each_of_its_parts():
    gmail = build("gmail", "v1", http=httplib2.Http(), static_discovery=True, cache_discovery=False)
    calendar = build("calendar", "v3", http=httplib2.Http(), static_discovery=True, cache_discovery=False)
    body = _batch_body([*(gmail.users().messages().get(userId="me", id=f"m{n}", format="full") for n in range(40)),
                        gmail.users().history().list(userId="me", startHistoryId="7")])
    assert batch_costs(body) == {"gmail": 40 * 5 + 2}
    body = _batch_body([calendar.events().get(calendarId="primary", eventId=f"e{n}") for n in range(50)])
    assert batch_costs(body) == {"calendar": 50}
    quota = GoogleQuota()
    quota.charge("POST", "https://www.googleapis.com/batch/calendar/v3", body)
    assert quota.spent == {"calendar": 50}


class _Budget:
    """A per-minute budget on plain data: refuses with the seconds until it frees."""

    def __init__(self, limit: int, frees_in: float) -> None:
        self.limit, self.used, self.frees_in = limit, 0, frees_in

    def spend(self, requests: int) -> None:
        if self.used + requests > self.limit:
            raise TemporaryFailure("spent", retry_after=self.frees_in)
        self.used += requests


def test_a_budget_that_frees_soon_is_waited_for_within_the_session():
    budget, slept = _Budget(5, frees_in=4), []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        budget.used = 0            # the minute moved on

    quota = GoogleQuota({"gmail": budget}, max_wait=15, sleep=sleep)
    quota.charge("GET", GMAIL + "messages/a")
    quota.charge("GET", GMAIL + "messages/b")
    assert slept == [4] and quota.spent == {"gmail": 10}


def test_a_budget_that_frees_late_hands_the_session_back_with_its_retry_time():
    quota = GoogleQuota({"gmail": _Budget(5, frees_in=50)}, max_wait=15, sleep=lambda s: pytest.fail("slept"))
    quota.charge("GET", GMAIL + "messages/a")
    with pytest.raises(TemporaryFailure) as caught:
        quota.charge("GET", GMAIL + "messages/b")
    assert caught.value.retry_after == 50
    assert quota.spent == {"gmail": 5}          # the refused call was never sent nor counted


def test_apis_without_a_budget_are_counted_not_limited():
    quota = GoogleQuota({"gmail": _Budget(0, frees_in=60)})
    for _ in range(3):
        quota.charge("GET", "https://www.googleapis.com/calendar/v3/calendars/primary/events")
    assert quota.spent == {"calendar": 3}
