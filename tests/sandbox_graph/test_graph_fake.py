"""The Graph fake behaves as Microsoft Learn documents: delta paging to a deltaLink, ``@removed``,
410 ``syncStateNotFound`` on an expired token, 429 with Retry-After, ``$batch`` limits,
``transactionId`` dedup and the outbox of meeting messages."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

WINDOW = {"startDateTime": "2026-01-01T00:00:00Z", "endDateTime": "2027-01-01T00:00:00Z"}


def _event(subject: str, day: int, **extra) -> dict:
    start = datetime(2026, 6, day, 9, tzinfo=UTC)
    return {"subject": subject, "start": {"dateTime": start.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
            **extra}


def _round(http, url, params=None, page=None):
    """Follow nextLinks to the deltaLink: (events, deltaLink, pages)."""
    headers = {"Prefer": f"odata.maxpagesize={page}"} if page else {}
    events, pages = [], 0
    while True:
        body = http.get(url, params=params, headers=headers).json()
        params, pages = None, pages + 1
        events += body["value"]
        if "@odata.deltaLink" in body:
            assert "@odata.nextLink" not in body
            return events, body["@odata.deltaLink"], pages
        url = body["@odata.nextLink"]


def test_delta_pages_to_a_delta_link_then_reports_changes_and_removals(fake, user, http):
    ids = [fake.store.create_event(user, _event(f"m{i}", i + 1))[0]["id"] for i in range(5)]
    url = f"{fake.graph_url}/users/{user}/calendarView/delta"
    events, link, pages = _round(http, url, WINDOW, page=2)
    assert sorted(e["id"] for e in events) == sorted(ids) and pages == 3
    fake.store.update_event(user, ids[0], {"subject": "moved"})
    fake.store.delete_event(user, ids[1])
    changes, _, _ = _round(http, link)
    assert [(e["id"], e.get("subject"), e.get("@removed")) for e in changes] == [
        (ids[0], "moved", None), (ids[1], None, {"reason": "deleted"})]


def test_delta_outside_the_window_is_not_listed(fake, user, http):
    fake.store.create_event(user, _event("june", 3))
    events, _, _ = _round(http, f"{fake.graph_url}/users/{user}/calendarView/delta",
                          {"startDateTime": "2026-07-01T00:00:00Z", "endDateTime": "2026-08-01T00:00:00Z"})
    assert events == []


def test_expired_delta_token_answers_410_sync_state_not_found(fake, user, http):
    _, link, _ = _round(http, f"{fake.graph_url}/users/{user}/calendarView/delta", WINDOW)
    fake.store.expire_delta_tokens()
    answer = http.get(link)
    assert answer.status_code == 410 and answer.json()["error"]["code"] == "syncStateNotFound"


def test_throttling_answers_429_with_retry_after_then_recovers(fake, user, http):
    fake.store.throttle(2, retry_after=7)
    url = f"{fake.graph_url}/users/{user}/events"
    first, second, third = (http.get(url) for _ in range(3))
    assert (first.status_code, first.headers["Retry-After"]) == (429, "7")
    assert first.json()["error"]["code"] == "TooManyRequests" and second.status_code == 429
    assert third.status_code == 200


def test_transaction_id_makes_a_retried_create_one_event(fake, user, http):
    url = f"{fake.graph_url}/users/{user}/events"
    first = http.post(url, json=_event("once", 4, transactionId="txn-1")).json()
    again = http.post(url, json=_event("once", 4, transactionId="txn-1")).json()
    assert first["id"] == again["id"] and first["changeKey"] and first["iCalUId"]
    assert len(http.get(url).json()["value"]) == 1


def test_batch_runs_up_to_twenty_requests_and_refuses_more(fake, user, http):
    sub = [{"id": str(i), "method": "POST", "url": f"/users/{user}/events", "body": _event(f"b{i}", 5),
            "headers": {"Content-Type": "application/json"}} for i in range(21)]
    assert http.post(f"{fake.graph_url}/$batch", json={"requests": sub}).status_code == 400
    answer = http.post(f"{fake.graph_url}/$batch", json={"requests": sub[:20]}).json()
    assert sorted(int(r["id"]) for r in answer["responses"]) == list(range(20))
    assert {r["status"] for r in answer["responses"]} == {201}


def test_outbox_records_what_an_organisers_meeting_would_send(fake, user, http):
    fake.store.outbox.clear()
    guest = {"emailAddress": {"address": "guest@fabrikam.test", "name": "Guest"}, "type": "required"}
    url = f"{fake.graph_url}/users/{user}/events"
    meeting = http.post(url, json=_event("meet", 6, attendees=[guest])).json()
    http.patch(f"{url}/{meeting['id']}", json={"subject": "meet (moved)"})
    http.delete(f"{url}/{meeting['id']}")
    http.post(url, json=_event("alone", 6))
    assert [(m.kind, m.to) for m in fake.store.outbox] == [
        ("request", ("guest@fabrikam.test",)), ("update", ("guest@fabrikam.test",)),
        ("cancellation", ("guest@fabrikam.test",))]


def test_token_endpoint_refuses_a_wrong_secret(fake, http):
    answer = http.post(f"{fake.authority_url}/tenant-1/oauth2/v2.0/token",
                       data={"grant_type": "client_credentials", "client_id": "client-1", "client_secret": "x",
                             "scope": "https://graph.microsoft.com/.default"})
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_a_series_expands_on_its_wall_clock_across_dst_with_exceptions_and_cancellations(fake, user, http):
    master, _ = fake.store.create_event(user, {
        "subject": "Standup", "start": {"dateTime": "2026-10-19T09:00:00", "timeZone": "W. Europe Standard Time"},
        "end": {"dateTime": "2026-10-19T09:15:00", "timeZone": "W. Europe Standard Time"},
        "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": ["monday"]},
                       "range": {"type": "numbered", "numberOfOccurrences": 3, "startDate": "2026-10-19",
                                 "recurrenceTimeZone": "W. Europe Standard Time"}}})
    url = f"{fake.graph_url}/users/{user}/events/{master['id']}/instances"
    window = {"startDateTime": "2026-10-01T00:00:00Z", "endDateTime": "2026-12-01T00:00:00Z"}
    listed = http.get(url, params=window).json()["value"]
    assert [i["start"]["dateTime"][:16] for i in listed] == ["2026-10-19T07:00", "2026-10-26T08:00",
                                                           "2026-11-02T08:00"]   # 09:00 Berlin, CEST then CET
    assert {i["type"] for i in listed} == {"occurrence"} and {i["seriesMasterId"] for i in listed} == {master["id"]}
    http.patch(f"{fake.graph_url}/users/{user}/events/{listed[0]['id']}", json={"subject": "Standup (long)"})
    http.delete(f"{fake.graph_url}/users/{user}/events/{listed[1]['id']}")
    again = http.get(url, params=window).json()["value"]
    assert [(i["type"], i["subject"]) for i in again] == [("exception", "Standup (long)"), ("occurrence", "Standup")]
    events, _, _ = _round(http, f"{fake.graph_url}/users/{user}/calendarView/delta", WINDOW)
    assert sorted(e["id"] for e in events) == sorted(i["id"] for i in again)
