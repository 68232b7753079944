"""The Graph adapter's calendar against the fake: delta rounds, writes without invitations,
sync-key recovery, and Graph's failures as the core's errors."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.providers.graph import build_graph_mailbox
from app.sync.errors import AuthFailure, CursorExpired, FolderUnavailable, InvalidData, TemporaryFailure
from app.sync.items import Attendee, CalendarItem, FolderKind
from app.sync.ports import ItemPatch
from tests.integration.graph.conftest import NOW, WINDOW, graph_settings

CAL = FolderKind.CALENDAR


def _meeting(key: str, subject: str = "Pipeline review", days: int = 3) -> CalendarItem:
    start = (NOW + timedelta(days=days)).replace(microsecond=0, second=0)
    return CalendarItem(item_id="", uid="", subject=subject, start=start, end=start + timedelta(hours=1),
                        attendees=(Attendee("buyer@fabrikam.test", "Buyer"),), location="Room 1", sync_key=key)


def _outlook_event(subject: str, days: int, **extra) -> dict:
    start = NOW + timedelta(days=days)
    fmt = "%Y-%m-%dT%H:%M:%S"
    return {"subject": subject, "start": {"dateTime": start.strftime(fmt), "timeZone": "UTC"},
            "end": {"dateTime": (start + timedelta(hours=1)).strftime(fmt), "timeZone": "UTC"},
            "originalStartTimeZone": "W. Europe Standard Time", **extra}


def test_writes_create_update_delete_without_any_invitation(graph_fake, graph_user, graph_mailbox):
    graph_fake.store.outbox.clear()
    [created] = graph_mailbox.create_items(CAL, [_meeting("key-1")])
    assert created.ok and created.version
    [stored] = graph_mailbox.get_items(CAL, [created.target_id])
    assert (stored.subject, stored.location, stored.sync_key, stored.attendees) == (
        "Pipeline review", "Room 1", "key-1", ())
    [updated] = graph_mailbox.update_items(CAL, [ItemPatch(created.target_id, {"subject": "Review (moved)"})])
    assert updated.ok and updated.version != created.version
    assert graph_mailbox.delete_items(CAL, [created.target_id])[0].ok
    assert graph_mailbox.get_items(CAL, [created.target_id]) == []
    assert graph_fake.store.outbox == []


def test_a_retried_create_makes_one_event_and_is_found_by_its_sync_key(graph_fake, graph_user, graph_mailbox):
    first = graph_mailbox.create_items(CAL, [_meeting("key-2")])[0]
    again = graph_mailbox.create_items(CAL, [_meeting("key-2")])[0]
    assert first.target_id == again.target_id
    assert len(graph_fake.store.mailbox(graph_user).events) == 1
    found = graph_mailbox.find_by_sync_keys(CAL, ["key-2", "key-unknown"])
    assert list(found) == ["key-2"] and found["key-2"].item_id == first.target_id


def test_delta_lists_the_window_in_pages_then_reports_edits_and_deletions(graph_fake, graph_user, graph_mailbox):
    store = graph_fake.store
    ids = [store.create_event(graph_user, _outlook_event(f"call {i}", i % 20 + 1))[0]["id"] for i in range(60)]
    store.create_event(graph_user, _outlook_event("far away", 200))
    full = graph_mailbox.changes_since(CAL, None)
    assert full.full and sorted(i.item_id for i in full.items) == sorted(ids)
    assert {i.timezone for i in full.items} == {"Europe/Berlin"}
    store.update_event(graph_user, ids[0], {"subject": "call 0 (moved)"})
    store.delete_event(graph_user, ids[1])
    delta = graph_mailbox.changes_since(CAL, full.cursor)
    assert not delta.full and [i.subject for i in delta.items] == ["call 0 (moved)"]
    assert delta.deleted_ids == (ids[1],)


def test_an_expired_delta_token_is_the_cores_cursor_expired(graph_fake, graph_user, graph_mailbox):
    cursor = graph_mailbox.changes_since(CAL, None).cursor
    graph_fake.store.expire_delta_tokens()
    with pytest.raises(CursorExpired):
        graph_mailbox.changes_since(CAL, cursor)


def test_throttling_is_a_temporary_failure_carrying_retry_after(graph_fake, graph_user, graph_mailbox):
    graph_mailbox.changes_since(CAL, None)     # token fetched; the next Graph call is throttled
    graph_fake.store.throttle(1, retry_after=42)
    with pytest.raises(TemporaryFailure) as caught:
        graph_mailbox.changes_since(CAL, None)
    assert caught.value.retry_after == 42 and caught.value.code == "throttled", "a 429 never counts toward suspension"


def test_a_refused_client_secret_is_an_auth_failure(graph_fake, graph_user):
    mailbox = build_graph_mailbox(graph_settings(graph_fake, client_secret="wrong"), graph_user, WINDOW)
    with pytest.raises(AuthFailure, match="invalid_client"):
        mailbox.changes_since(CAL, None)


def test_other_folder_kinds_are_not_yet_available(graph_mailbox):
    for kind in (FolderKind.MAIL,):
        with pytest.raises(FolderUnavailable, match="not yet supported on Office 365"):
            graph_mailbox.changes_since(kind, None)


def test_endpoints_are_guarded_before_any_token_is_sent(graph_fake, graph_user):
    from app.providers.host_guard import HostPolicy
    with pytest.raises(InvalidData, match="host guard"):
        build_graph_mailbox(graph_settings(graph_fake, host_policy=HostPolicy()), graph_user, WINDOW)
    with pytest.raises(InvalidData, match="https"):
        build_graph_mailbox(graph_settings(graph_fake, graph_url="http://graph.microsoft.com/v1.0"), graph_user,
                            WINDOW)


def test_a_cached_token_graph_no_longer_accepts_is_replaced_once(graph_fake, graph_user, graph_mailbox):
    graph_mailbox.changes_since(CAL, None)
    graph_fake.store.access_tokens.clear()      # revoked or expired before its time
    assert graph_mailbox.changes_since(CAL, None).full


def test_every_graph_request_asks_for_immutable_ids_and_utc(graph_fake, graph_user, graph_mailbox):
    graph_fake.store.preferences.clear()
    graph_mailbox.create_items(CAL, [_meeting("key-prefer")])
    graph_mailbox.changes_since(CAL, None)
    assert graph_fake.store.preferences
    assert all('IdType="ImmutableId"' in p and 'outlook.timezone="UTC"' in p for p in graph_fake.store.preferences)


def test_national_clouds_get_their_own_token_scope():
    from app.providers.graph.tokens import scope_for
    assert scope_for("https://graph.microsoft.us/v1.0") == "https://graph.microsoft.us/.default"
    assert scope_for("https://graph.microsoft.com/v1.0") == "https://graph.microsoft.com/.default"
