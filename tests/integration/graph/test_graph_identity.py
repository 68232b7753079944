"""Issue 12 point 4 at the adapter: immutable ids on every call (inside ``$batch`` too), one event
for a create retried after its answer was lost (``transactionId``), one ``iCalUId`` for the copies
of a meeting in two users' calendars, and ``changeKey`` as the version the product compares."""
from __future__ import annotations

import itertools

from app.providers.graph import build_graph_mailbox
from app.sync.errors import TemporaryFailure
from app.sync.items import FolderKind
from tests.integration.graph.conftest import WINDOW, graph_settings
from tests.integration.graph.test_graph_calendar import _meeting, _outlook_event

CAL = FolderKind.CALENDAR
_colleagues = itertools.count(1)


def test_a_create_whose_answer_was_lost_makes_one_event_when_retried(graph_fake, graph_user, graph_mailbox):
    graph_fake.store.lost_answers.lose(1, match=f"POST /v1.0/users/{graph_user}/events")
    [lost] = graph_mailbox.create_items(CAL, [_meeting("key-lost-answer")])
    assert not lost.ok and lost.error_code == TemporaryFailure.code, lost
    assert len(graph_fake.store.mailbox(graph_user).events) == 1           # Graph did create it
    [retried] = graph_mailbox.create_items(CAL, [_meeting("key-lost-answer")])
    assert retried.ok
    [event] = graph_fake.store.mailbox(graph_user).events.values()
    assert (retried.target_id, event["transactionId"]) == (event["id"], "key-lost-answer")


def test_batched_requests_carry_the_immutable_id_preference_too(graph_fake, graph_user, graph_mailbox):
    graph_fake.store.preferences.clear()
    requests_before = graph_fake.store.requests
    graph_mailbox.create_items(CAL, [_meeting("key-batch-1"), _meeting("key-batch-2", days=4)])
    # one $batch call + its two sub-requests, each with its own Prefer header
    assert graph_fake.store.requests - requests_before == 3
    assert all('IdType="ImmutableId"' in p for p in graph_fake.store.preferences), graph_fake.store.preferences


def test_a_meeting_between_two_users_of_the_tenant_has_one_icaluid_in_both_calendars(graph_fake, graph_user,
                                                                                     graph_mailbox):
    bob = graph_fake.store.add_user(f"bob{next(_colleagues)}@contoso.test")
    guests = [{"emailAddress": {"address": a}, "type": "required"} for a in (bob, "buyer@fabrikam.test")]
    graph_fake.store.create_event(graph_user, _outlook_event("Pricing call", 3, attendees=guests))
    bobs = build_graph_mailbox(graph_settings(graph_fake), bob, WINDOW)
    try:
        [ann_copy] = graph_mailbox.changes_since(CAL, None).items
        [bob_copy] = bobs.changes_since(CAL, None).items
    finally:
        bobs.close()
    assert ann_copy.item_id != bob_copy.item_id and ann_copy.uid == bob_copy.uid
    assert (bob_copy.subject, bob_copy.organizer) == ("Pricing call", graph_user)


def test_the_version_of_a_write_is_the_change_key_the_next_delta_reports(graph_fake, graph_user, graph_mailbox):
    first = graph_mailbox.changes_since(CAL, None)
    [created] = graph_mailbox.create_items(CAL, [_meeting("key-echo")])
    [echo] = graph_mailbox.changes_since(CAL, first.cursor).items
    assert (echo.item_id, echo.version) == (created.target_id, created.version)
