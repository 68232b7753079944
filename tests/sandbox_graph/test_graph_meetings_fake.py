"""The fake's meetings between tenant mailboxes and lost answers, over its HTTP surface."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

FMT = "%Y-%m-%dT%H:%M:%S"
START = datetime.now(UTC).replace(microsecond=0) + timedelta(days=2)


def _meeting(subject: str, *guests: str) -> dict:
    return {"subject": subject, "start": {"dateTime": START.strftime(FMT), "timeZone": "UTC"},
            "end": {"dateTime": (START + timedelta(hours=1)).strftime(FMT), "timeZone": "UTC"},
            "attendees": [{"emailAddress": {"address": g}, "type": "required"} for g in guests]}


def test_a_meeting_reaches_each_tenant_attendee_as_their_copy_with_the_same_icaluid(fake, user, http):
    bob = fake.store.add_user(f"bob-of-{user}")
    created = http.post(f"{fake.graph_url}/users/{user}/events", json=_meeting("Pricing call", bob, "x@fabrikam.test"))
    assert created.status_code == 201, created.text
    [copy] = http.get(f"{fake.graph_url}/users/{bob}/events").json()["value"]
    assert copy["id"] != created.json()["id"] and copy["iCalUId"] == created.json()["iCalUId"]
    assert (copy["isOrganizer"], copy["organizer"]["emailAddress"]["address"]) == (False, user)

    http.patch(f"{fake.graph_url}/users/{user}/events/{created.json()['id']}", json={"subject": "Pricing (moved)"})
    assert http.get(f"{fake.graph_url}/users/{bob}/events/{copy['id']}").json()["subject"] == "Pricing (moved)"
    http.delete(f"{fake.graph_url}/users/{user}/events/{created.json()['id']}")
    kept = http.get(f"{fake.graph_url}/users/{bob}/events/{copy['id']}").json()
    assert kept["isCancelled"] is True            # the attendee's copy stays, cancelled


def test_a_lost_answer_is_a_504_after_the_event_was_created(fake, user, http):
    fake.store.lost_answers.lose(1, match=f"POST /v1.0/users/{user}/events")
    body = {**_meeting("Lost"), "transactionId": "txn-1"}
    lost = http.post(f"{fake.graph_url}/users/{user}/events", json=body)
    assert lost.status_code == 504 and lost.json()["error"]["code"] == "GatewayTimeout"
    again = http.post(f"{fake.graph_url}/users/{user}/events", json=body)
    assert again.status_code == 201 and again.json()["transactionId"] == "txn-1"
    assert [e["id"] for e in http.get(f"{fake.graph_url}/users/{user}/events").json()["value"]] == [again.json()["id"]]
