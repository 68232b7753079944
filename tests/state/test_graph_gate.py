"""The Redis request gate on a real Redis: shared slots that expire, and a budget no sliding
ten-minute window ever exceeds."""
from __future__ import annotations

import itertools

import pytest
import redis as redis_lib

from app.state.request_gate import RedisRequestGate, mailbox_gate_id
from app.sync.errors import TemporaryFailure

_ids = itertools.count(1)


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def client(redis_url):
    c = redis_lib.Redis.from_url(redis_url)
    yield c
    c.close()


def _gate(client, clock: Clock, key: str, **kw) -> RedisRequestGate:
    values = dict(max_concurrent=4, budget=100, window=600, slot_ttl=70, slot_wait=2)
    return RedisRequestGate(client, key, clock=clock, sleep=clock.sleep, **{**values, **kw})


def test_slots_are_shared_between_gates_and_freed_on_release(client):
    clock, key = Clock(), f"slots-{next(_ids)}"
    first, second = _gate(client, clock, key), _gate(client, clock, key)
    held = first.acquire(3)
    one = second.acquire(1)
    with pytest.raises(TemporaryFailure) as caught:
        second.acquire(1)
    assert caught.value.retry_after == 2 and caught.value.code == "throttled"
    first.release(held)
    second.release(one)
    assert second.acquire(4)


def test_a_killed_holders_slots_expire(client):
    clock, key = Clock(), f"killed-{next(_ids)}"
    _gate(client, clock, key).acquire(4)         # never released: its process died
    clock.now += 71
    assert _gate(client, clock, key).acquire(1)


def test_the_budget_refuses_with_the_time_until_the_oldest_minute_leaves(client):
    clock, key = Clock(), f"budget-{next(_ids)}"
    gate = _gate(client, clock, key)
    gate.spend(60)
    clock.now += 300
    gate.spend(40)
    with pytest.raises(TemporaryFailure) as caught:
        gate.spend(1)
    minute0 = int(1_000_000 // 60) * 60
    assert caught.value.retry_after == pytest.approx(minute0 + 11 * 60 - clock.now)
    clock.now += caught.value.retry_after
    gate.spend(60)                                # the first 60 left the window
    with pytest.raises(TemporaryFailure):
        gate.spend(1)


def test_no_ten_minute_window_exceeds_the_budget(client):
    clock, key = Clock(), f"sliding-{next(_ids)}"
    gate = _gate(client, clock, key, budget=50)
    sent: list[float] = []
    for _ in range(2000):                         # try a request every 7 seconds for ~4 hours
        try:
            gate.spend(1)
            sent.append(clock.now)
        except TemporaryFailure:
            pass
        clock.now += 7
    assert len(sent) > 50
    assert max(sum(1 for t in sent if s <= t < s + 600) for s in sent) <= 50


def test_the_key_names_the_app_and_mailbox_without_the_address():
    one = mailbox_gate_id("app", "Ann@Contoso.test")
    assert one == mailbox_gate_id("app", "ann@contoso.test ") and one != mailbox_gate_id("other", "ann@contoso.test")
    assert "ann" not in one
