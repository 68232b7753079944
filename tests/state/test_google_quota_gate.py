"""Google's per-user budgets on the shared Redis gate: Gmail units fill a minute and the refusal says
when ten-second buckets free; two sessions of one user share it, another user does not."""
from __future__ import annotations

import itertools

import pytest
import redis as redis_lib

from app.providers.google.quota import GoogleQuota
from app.state.request_gate import RedisRequestGate
from app.sync.errors import TemporaryFailure
from tests.state.test_graph_gate import Clock

_ids = itertools.count(1)
GET = "https://www.googleapis.com/gmail/v1/users/me/messages/m1"


@pytest.fixture
def client(redis_url):
    c = redis_lib.Redis.from_url(redis_url)
    yield c
    c.close()


def _quota(client, clock: Clock, user: str) -> GoogleQuota:
    gate = RedisRequestGate(client, user, max_concurrent=1, budget=12_000, window=60, bucket=10, clock=clock,
                            sleep=clock.sleep, service="Gmail", unit="quota units")
    return GoogleQuota({"gmail": gate}, max_wait=15, sleep=clock.sleep)


def test_gmail_units_stop_at_the_budget_and_name_the_time_it_frees(client):
    clock, user = Clock(), f"ann-{next(_ids)}"
    first, second = _quota(client, clock, user), _quota(client, clock, user)
    for _ in range(1200):
        first.charge("GET", GET)                 # 6,000 units
    for _ in range(1200):
        second.charge("GET", GET)                # the same user in another process: 12,000 together
    with pytest.raises(TemporaryFailure) as caught:
        second.charge("GET", GET)
    assert "Gmail budget (12000 quota units per 60 s)" in str(caught.value)
    assert 15 < caught.value.retry_after <= 70
    _quota(client, clock, f"bob-{next(_ids)}").charge("GET", GET)     # another user has their own budget
    clock.now += caught.value.retry_after
    second.charge("GET", GET)
