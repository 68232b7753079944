"""The Google fake behaves as Google documents: the service-account JWT-bearer grant, events.list
paging to a nextSyncToken, sync tokens with deletions and their 410 expiry, the parameters a sync
token refuses, If-Match, client-chosen ids, quota errors and the outbox of guest mail."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.sandbox_google.conftest import assertion, token_answer

START = datetime(2026, 6, 1, 9, tzinfo=UTC)


def _event(summary: str, day: int = 0, **extra) -> dict:
    start = START + timedelta(days=day)
    return {"summary": summary, "start": {"dateTime": start.isoformat()},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat()}, **extra}


def _events(fake) -> str:
    return f"{fake.api_root}calendar/v3/calendars/primary/events"


def _list_all(http, url, **params):
    items, pages = [], 0
    while True:
        body = http.get(url, params=params).json()
        items, pages = items + body["items"], pages + 1
        if "nextPageToken" not in body:
            return items, body["nextSyncToken"], pages
        assert "nextSyncToken" not in body
        params = {**params, "pageToken": body["nextPageToken"]}   # the other parameters are sent again


def test_the_token_endpoint_checks_signature_audience_subject_and_granted_scopes(fake, key, user):
    assert token_answer(fake, assertion(key, sub=user)).json()["token_type"] == "Bearer"
    forged = assertion(fake.store.register_service_account("other@project.iam.gserviceaccount.com"), sub=user)
    head, _, _ = assertion(key, sub=user).rpartition(".")
    tampered = head + "." + forged.rsplit(".", 1)[1]
    refusals = {
        "signature": token_answer(fake, tampered),
        "audience": token_answer(fake, assertion(key, sub=user, aud=fake.token_uri)),
        "expired": token_answer(fake, assertion(key, sub=user, iat=1, exp=3601)),
        "subject": token_answer(fake, assertion(key, sub="nobody@example.test")),
        "scope": token_answer(fake, assertion(key, sub=user, scope="https://mail.google.com/")),
    }
    assert {k: (a.status_code, a.json()["error"]) for k, a in refusals.items()} == {
        "signature": (400, "invalid_grant"), "audience": (400, "invalid_grant"), "expired": (400, "invalid_grant"),
        "subject": (400, "invalid_grant"), "scope": (401, "unauthorized_client")}
    assert "Invalid JWT Signature" in refusals["signature"].json()["error_description"]


def test_listing_pages_to_a_sync_token_which_then_reports_changes_and_deletions(fake, user, http):
    ids = [http.post(_events(fake), json=_event(f"m{n}", n)).json()["id"] for n in range(5)]
    items, token, pages = _list_all(http, _events(fake), maxResults=2)
    assert sorted(i["id"] for i in items) == sorted(ids) and pages == 3
    http.patch(f"{_events(fake)}/{ids[0]}", json={"summary": "moved"})
    assert http.delete(f"{_events(fake)}/{ids[1]}").status_code == 204
    changed, token2, _ = _list_all(http, _events(fake), syncToken=token)
    assert [(e["id"], e["status"], e.get("summary")) for e in changed] == [
        (ids[0], "confirmed", "moved"), (ids[1], "cancelled", "m1")]
    assert _list_all(http, _events(fake), syncToken=token2)[0] == []
    assert len(_list_all(http, _events(fake))[0]) == 4      # a full listing leaves deleted events out


def test_an_expired_or_misused_sync_token(fake, user, http):
    _, token, _ = _list_all(http, _events(fake))
    clash = http.get(_events(fake), params={"syncToken": token, "timeMin": START.isoformat()})
    assert clash.status_code == 400
    fake.store.expire_sync_tokens()
    gone = http.get(_events(fake), params={"syncToken": token})
    assert gone.status_code == 410
    assert gone.json()["error"]["errors"][0]["reason"] == "fullSyncRequired"


def test_conditional_writes_client_ids_and_tombstones(fake, user, http):
    created = http.post(_events(fake), json={**_event("x"), "id": "abcdefghij0123"}).json()
    assert http.post(_events(fake), json={**_event("x"), "id": "abcdefghij0123"}).status_code == 409
    assert http.post(_events(fake), json={**_event("x"), "id": "NOT_BASE32"}).status_code == 400
    stale = http.patch(f"{_events(fake)}/{created['id']}", json={"summary": "y"}, headers={"If-Match": '"old"'})
    assert stale.status_code == 412 and stale.json()["error"]["errors"][0]["reason"] == "conditionNotMet"
    fresh = http.patch(f"{_events(fake)}/{created['id']}", json={"summary": "y"}, headers={"If-Match": created["etag"]})
    assert fresh.status_code == 200 and fresh.json()["etag"] != created["etag"]
    assert http.delete(f"{_events(fake)}/{created['id']}").status_code == 204
    assert http.delete(f"{_events(fake)}/{created['id']}").status_code == 410


def test_a_recurring_event_needs_a_time_zone_and_its_instances_can_be_cancelled(fake, user, http):
    series = {**_event("weekly"), "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=3"]}
    assert http.post(_events(fake), json=series).status_code == 400
    series["start"]["timeZone"] = series["end"]["timeZone"] = "UTC"
    master = http.post(_events(fake), json=series).json()
    listed = http.get(f"{_events(fake)}/{master['id']}/instances").json()["items"]
    assert [i["id"] for i in listed] == [f"{master['id']}_2026060{d}T090000Z" for d in (1, 8)] + [
        f"{master['id']}_20260615T090000Z"]
    assert http.delete(f"{_events(fake)}/{listed[1]['id']}").status_code == 204
    shown = http.get(f"{_events(fake)}/{master['id']}/instances", params={"showDeleted": "true"}).json()["items"]
    assert [i["status"] for i in shown] == ["confirmed", "cancelled", "confirmed"]
    assert len(http.get(f"{_events(fake)}/{master['id']}/instances").json()["items"]) == 2


@pytest.mark.parametrize("status", [403, 429])
def test_quota_errors(fake, user, http, status):
    fake.store.throttle(1, status=status)
    answer = http.get(_events(fake))
    assert answer.status_code == status
    assert answer.json()["error"]["errors"][0] == {"domain": "usageLimits", "reason": "rateLimitExceeded",
                                                   "message": "Rate Limit Exceeded"}
    assert http.get(_events(fake)).status_code == 200


def test_the_outbox_records_what_google_would_mail_guests(fake, user, http):
    guests = {"attendees": [{"email": "buyer@fabrikam.test"}, {"email": user}]}
    before = len(fake.store.outbox)
    quiet = http.post(_events(fake), params={"sendUpdates": "none"}, json=_event("quiet", **guests)).json()
    http.patch(f"{_events(fake)}/{quiet['id']}", params={"sendUpdates": "none"}, json={"summary": "still quiet"})
    assert len(fake.store.outbox) == before
    loud = http.post(_events(fake), params={"sendUpdates": "all"}, json=_event("loud", **guests)).json()
    http.delete(f"{_events(fake)}/{loud['id']}", params={"sendUpdates": "externalOnly"})
    assert [(m["to"], m["kind"]) for m in fake.store.outbox[before:]] == [
        ("buyer@fabrikam.test", "invitation"), ("buyer@fabrikam.test", "cancellation")]
    assert http.get(_events(fake), headers={"Authorization": "Bearer nope"}).status_code == 401


def _multipart(parts: list[str]) -> tuple[str, str]:
    body = "".join(f"--b\r\nContent-Type: application/http\r\nContent-ID: <x + {n}>\r\n\r\n{p}\r\n"
                   for n, p in enumerate(parts))
    return body + "--b--\r\n", "multipart/mixed; boundary=b"


def test_the_batch_endpoint_answers_each_part_and_refuses_more_than_fifty(fake, user, http):
    created = http.post(_events(fake), json=_event("batched")).json()
    body, content_type = _multipart([f"GET /calendar/v3/calendars/primary/events/{created['id']} HTTP/1.1\r\n",
                                     "GET /calendar/v3/calendars/primary/events/missingevent HTTP/1.1\r\n"])
    answer = http.post(f"{fake.api_root}batch/calendar/v3", data=body, headers={"Content-Type": content_type})
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("multipart/mixed")
    text = answer.text
    assert "Content-ID: <response-x + 0>" in text and "HTTP/1.1 200 OK" in text and '"summary": "batched"' in text
    assert "Content-ID: <response-x + 1>" in text and "HTTP/1.1 404 NOT FOUND" in text
    body, content_type = _multipart(["GET /calendar/v3/calendars/primary/events HTTP/1.1\r\n"] * 51)
    too_many = http.post(f"{fake.api_root}batch/calendar/v3", data=body, headers={"Content-Type": content_type})
    assert too_many.status_code == 400 and "at most 50" in too_many.json()["error"]["message"]
