"""Issue 12 point 6 against the fake and a real Redis: at most 4 concurrent requests per mailbox
across "processes" (separate adapters sharing the Redis gate), a spent budget stops the session with
the retry time through the error table, and a batch cut short keeps the writes already made."""
from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
import redis as redis_lib

from app.providers.graph import build_graph_mailbox
from app.providers.graph.gate import MAX_CONCURRENT, OpenGate
from app.state.request_gate import RedisRequestGate
from app.sync.errors import Reaction, SessionFate, TemporaryFailure, session_failure
from app.sync.items import CalendarItem, FolderKind
from tests.integration.graph.conftest import NOW, WINDOW, graph_settings

CAL = FolderKind.CALENDAR
_ids = itertools.count(1)


@pytest.fixture
def redis_client(redis_url):
    client = redis_lib.Redis.from_url(redis_url)
    yield client
    client.close()


@pytest.fixture
def slow_fake(graph_fake):
    limits = graph_fake.store.limits
    limits.latency, limits.refused = 0.05, 0
    limits.peak.clear()
    yield graph_fake
    limits.latency = 0.0


def _gate(client, mailbox_key: str, budget: int = 9000) -> RedisRequestGate:
    return RedisRequestGate(client, mailbox_key, max_concurrent=MAX_CONCURRENT, budget=budget, window=600)


def _meeting(key: str, days: int = 2) -> CalendarItem:
    start = (NOW + timedelta(days=days)).replace(microsecond=0, second=0)
    return CalendarItem(item_id="", uid="", subject=f"call {key}", start=start, end=start + timedelta(hours=1),
                        sync_key=key)


def _parallel_reads(fake, user: str, gates: list, rounds: int = 3) -> list[BaseException]:
    """One adapter per gate (like separate worker processes), all reading the same mailbox at once."""
    errors: list[BaseException] = []
    start = threading.Barrier(len(gates))

    def session(gate) -> None:
        mailbox = build_graph_mailbox(graph_settings(fake), user, WINDOW, gate=gate)
        try:
            start.wait()
            for _ in range(rounds):
                mailbox.changes_since(CAL, None)
        except BaseException as exc:  # collected: the test asserts on them
            errors.append(exc)
        finally:
            mailbox.close()

    threads = [threading.Thread(target=session, args=(g,)) for g in gates]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return errors


def test_parallel_sessions_of_one_mailbox_never_exceed_four_requests(slow_fake, graph_user, redis_client):
    key = f"parallel-{next(_ids)}"
    errors = _parallel_reads(slow_fake, graph_user, [_gate(redis_client, key) for _ in range(8)])
    limits = slow_fake.store.limits
    assert errors == [] and limits.refused == 0
    assert limits.peak[graph_user.lower()] == MAX_CONCURRENT     # the cap was reached, never passed


def test_without_the_gate_the_same_load_is_refused_by_outlooks_concurrency_limit(slow_fake, graph_user):
    errors = _parallel_reads(slow_fake, graph_user, [OpenGate() for _ in range(8)])
    assert slow_fake.store.limits.refused > 0
    assert errors and all(isinstance(e, TemporaryFailure) and e.retry_after for e in errors)


def test_a_batch_holds_up_to_four_slots_so_others_wait_for_it(slow_fake, graph_user, redis_client):
    key = f"batch-{next(_ids)}"
    created = build_graph_mailbox(graph_settings(slow_fake), graph_user, WINDOW).create_items(
        CAL, [_meeting(f"b{i}") for i in range(8)])
    ids = [r.target_id for r in created]
    errors: list[BaseException] = []

    def reader(gate) -> None:
        mailbox = build_graph_mailbox(graph_settings(slow_fake), graph_user, WINDOW, gate=gate)
        try:
            assert len(mailbox.get_items(CAL, ids)) == len(ids)      # one $batch of 8: 4 slots
        except BaseException as exc:
            errors.append(exc)
        finally:
            mailbox.close()

    threads = [threading.Thread(target=reader, args=(_gate(redis_client, key),)) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and slow_fake.store.limits.refused == 0


def test_a_spent_budget_stops_the_session_with_the_retry_time_from_the_error_table(
        graph_fake, graph_user, redis_client):
    mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW,
                                  gate=_gate(redis_client, f"budget-{next(_ids)}", budget=2))
    mailbox.changes_since(CAL, None)
    mailbox.changes_since(CAL, None)
    sent = graph_fake.store.requests
    with pytest.raises(TemporaryFailure) as caught:
        mailbox.changes_since(CAL, None)
    assert graph_fake.store.requests == sent            # refused before anything was sent
    failure = session_failure(caught.value)
    assert (failure.reaction, failure.fate) == (Reaction.SLOW_DOWN, SessionFate.WAIT)
    assert failure.retry_after is not None and 60 <= failure.retry_after <= 11 * 60
    mailbox.close()


def test_a_budget_spent_between_batches_keeps_the_writes_made_and_retries_the_rest(
        graph_fake, graph_user, redis_client):
    mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW,
                                  gate=_gate(redis_client, f"midbatch-{next(_ids)}", budget=20))
    results = mailbox.create_items(CAL, [_meeting(f"m{i}") for i in range(25)])
    assert [r.ok for r in results] == [True] * 20 + [False] * 5
    assert {r.error_code for r in results[20:]} == {"temporary"}       # retried by the next session
    assert len(graph_fake.store.mailbox(graph_user).events) == 20      # nothing made twice, nothing lost
    mailbox.close()


def test_throttled_batch_answers_keep_retry_after(graph_fake, graph_user):
    mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW)
    [made] = mailbox.create_items(CAL, [_meeting("t1")])
    graph_fake.store.throttle(1, retry_after=7, match="/events/")
    with pytest.raises(TemporaryFailure) as caught:
        mailbox.get_items(CAL, [made.target_id])
    assert caught.value.retry_after == 7
    mailbox.close()
