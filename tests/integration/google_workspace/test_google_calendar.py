"""GoogleCalendar against the Google fake: sync tokens and paging, deletions, expiry, quota errors,
idempotent creates, quiet writes (sendUpdates=none), delegation failures and the host guard."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from app.providers.google import build_google_mailbox
from app.providers.google import calendar as google_calendar
from app.providers.host_guard import HostPolicy
from app.sync.errors import AuthFailure, CursorExpired, FolderUnavailable, InvalidData, TemporaryFailure
from app.sync.items import CalendarItem, FolderKind
from app.sync.ports import ItemPatch
from tests.integration.google_workspace.conftest import NOW, WINDOW, google_settings

CAL = FolderKind.CALENDAR


def _event(summary: str, start, **extra) -> dict:
    return {"summary": summary, "start": {"dateTime": start.isoformat(), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": "UTC"}, **extra}


def _item(subject: str, key: str, days: int = 1) -> CalendarItem:
    start = NOW + timedelta(days=days)
    return CalendarItem(item_id="", uid="", subject=subject, start=start, end=start + timedelta(hours=1),
                        timezone="Europe/Berlin", sync_key=key)


def test_a_full_listing_pages_to_a_sync_token_and_the_next_round_reports_only_changes(
        google_fake, google_mailbox, google_user, monkeypatch):
    monkeypatch.setattr(google_calendar, "PAGE_SIZE", 2)
    store = google_fake.store
    ids = [store.insert_event(google_user, _event(f"Meeting {n}", NOW + timedelta(days=n)))["id"] for n in range(1, 6)]
    store.insert_event(google_user, _event("Long ago", NOW - timedelta(days=100)))
    first = google_mailbox.changes_since(CAL, None)
    assert first.full and sorted(i.item_id for i in first.items) == sorted(ids)
    store.patch_event(google_user, ids[0], {"summary": "Renamed"}, None, None)
    store.delete_event(google_user, ids[1], None, None)
    second = google_mailbox.changes_since(CAL, first.cursor)
    assert not second.full
    assert [(i.item_id, i.subject) for i in second.items] == [(ids[0], "Renamed")]
    assert second.deleted_ids == (ids[1],)
    assert google_mailbox.changes_since(CAL, second.cursor).items == ()


def test_an_expired_sync_token_is_cursor_expired_and_get_items_omits_events_deleted_meanwhile(
        google_fake, google_mailbox, google_user):
    store = google_fake.store
    kept = store.insert_event(google_user, _event("Kept", NOW + timedelta(days=2)))
    gone = store.insert_event(google_user, _event("Gone", NOW + timedelta(days=3)))
    cursor = google_mailbox.changes_since(CAL, None).cursor
    store.delete_event(google_user, gone["id"], None, None)
    store.expire_sync_tokens()
    with pytest.raises(CursorExpired):
        google_mailbox.changes_since(CAL, cursor)
    again = google_mailbox.changes_since(CAL, None)
    assert [i.item_id for i in again.items] == [kept["id"]]
    assert [i.item_id for i in google_mailbox.get_items(CAL, [kept["id"], gone["id"]])] == [kept["id"]]


@pytest.mark.parametrize("status", [403, 429])
def test_quota_errors_are_temporary_failures(google_fake, google_mailbox, status):
    google_fake.store.throttle(1, status=status)
    with pytest.raises(TemporaryFailure, match="rateLimitExceeded") as caught:
        google_mailbox.changes_since(CAL, None)
    assert caught.value.retry_after is not None
    assert google_mailbox.changes_since(CAL, None).full


def test_creates_are_quiet_idempotent_and_carry_the_sync_key(google_fake, google_mailbox, google_user):
    store = google_fake.store
    item = _item("From Salesforce", "sf-key-1")
    first = google_mailbox.create_items(CAL, [item])[0]
    retried = google_mailbox.create_items(CAL, [item])[0]      # the answer was lost: the same event again
    assert first.ok and retried.ok and retried.target_id == first.target_id
    assert len([e for e in store.calendar(google_user).events.values() if e["summary"] == "From Salesforce"]) == 1
    found = google_mailbox.find_by_sync_keys(CAL, ["sf-key-1", "unknown"])
    assert list(found) == ["sf-key-1"] and found["sf-key-1"].item_id == first.target_id
    event = store.calendar(google_user).events[str(first.target_id)]
    assert event["start"] == {"dateTime": (NOW + timedelta(days=1)).astimezone(
        __import__("zoneinfo").ZoneInfo("Europe/Berlin")).isoformat(), "timeZone": "Europe/Berlin"}
    assert {w["sendUpdates"] for w in store.writes if w["event"] == first.target_id} == {"none"}


def test_updates_and_deletes_of_a_meeting_with_guests_mail_nobody(google_fake, google_mailbox, google_user):
    store = google_fake.store
    meeting = store.insert_event(google_user, _event("Review", NOW + timedelta(days=4),
                                                     attendees=[{"email": "buyer@fabrikam.test"}]))
    before = len(store.outbox)
    result = google_mailbox.update_items(CAL, [ItemPatch(meeting["id"], {"subject": "Review (moved)",
                                                                        "location": "Room 4"})])[0]
    assert result.ok and result.version == store.calendar(google_user).events[meeting["id"]]["etag"]
    event = store.get_event(google_user, meeting["id"])
    assert (event["summary"], event["location"], event["attendees"]) == (
        "Review (moved)", "Room 4", [{"email": "buyer@fabrikam.test"}])
    assert google_mailbox.delete_items(CAL, [meeting["id"]])[0].ok
    assert google_mailbox.delete_items(CAL, [meeting["id"]])[0].ok       # already gone: done
    assert store.get_event(google_user, meeting["id"])["status"] == "cancelled"
    assert len(store.outbox) == before
    assert [w["sendUpdates"] for w in store.writes if w["event"] == meeting["id"]][1:] == ["none", "none"]


def test_tasks_without_their_grant_are_unavailable_and_the_calendar_still_syncs(google_mailbox):
    with pytest.raises(FolderUnavailable, match="not granted https://www.googleapis.com/auth/tasks"):
        google_mailbox.changes_since(FolderKind.TASKS, None)
    assert google_mailbox.changes_since(CAL, None).cursor


def test_a_user_outside_the_domain_is_an_auth_failure(google_fake, service_key):
    mailbox = build_google_mailbox(google_settings(google_fake, service_key), "stranger@elsewhere.test", WINDOW)
    with pytest.raises(AuthFailure, match="invalid_grant"):
        mailbox.changes_since(CAL, None)


def test_a_key_the_fake_does_not_know_is_an_auth_failure(google_fake, service_key, google_user):
    stray = {**service_key, "client_email": "deleted@project.iam.gserviceaccount.com"}
    mailbox = build_google_mailbox(google_settings(google_fake, stray), google_user, WINDOW)
    with pytest.raises(AuthFailure, match="Invalid JWT Signature"):
        mailbox.changes_since(CAL, None)


def test_endpoints_must_be_https_and_pass_the_host_guard(google_fake, service_key, google_user):
    with pytest.raises(InvalidData, match="host guard"):
        build_google_mailbox(google_settings(google_fake, service_key, host_policy=HostPolicy()), google_user, WINDOW)
    with pytest.raises(InvalidData, match="https"):
        build_google_mailbox(google_settings(google_fake, service_key, token_uri="http://127.0.0.1:1/token"),
                             google_user, WINDOW)
    with pytest.raises(InvalidData, match="service-account key"):
        build_google_mailbox(google_settings(google_fake, {"type": "authorized_user"}), google_user, WINDOW)


def test_a_changed_event_is_patched_only_where_it_changed(google_fake, google_mailbox, google_user):
    created = google_mailbox.create_items(CAL, [_item("Plan", "sf-key-2", days=6)])[0]
    moved = NOW + timedelta(days=7)
    assert google_mailbox.update_items(CAL, [ItemPatch(str(created.target_id), {"start": moved,
                                                                              "end": moved + timedelta(hours=2)})])[0].ok
    [item] = google_mailbox.get_items(CAL, [str(created.target_id)])
    assert (item.subject, item.start, item.end, item.sync_key) == ("Plan", moved, moved + timedelta(hours=2), "sf-key-2")
    assert replace(item, version="").timezone == "Europe/Berlin"


def test_many_events_are_read_in_batches_of_at_most_fifty(google_fake, google_mailbox, google_user):
    store = google_fake.store
    ids = [store.insert_event(google_user, _event(f"Visit {n}", NOW + timedelta(hours=n)))["id"] for n in range(60)]
    store.delete_event(google_user, ids[0], None, None)
    batches, calls = store.batches, store.requests
    found = google_mailbox.get_items(CAL, [*ids, "unknownevent1"])
    assert sorted(i.item_id for i in found) == sorted(ids[1:])
    assert (store.batches - batches, store.requests - calls) == (2, 61)     # 61 gets in 2 batch requests
