"""Honest rate-limit pauses: every refusal carries when to come back, and cached usage over the
reserve is re-read cheaply from /limits instead of being trusted for a day."""
from __future__ import annotations

import time

import pytest

from app.providers.salesforce.budget import ApiBudget
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.crm_translate import salesforce_edge
from app.providers.salesforce.errors import ApiBudgetExhausted, OrgPaused
from app.providers.salesforce.tokens import ConnectionTokens
from app.sync.errors import TemporaryFailure
from tests.providers.salesforce.conftest import FAST_RETRY

QUERY = "SELECT Id FROM User"


def _client(world, essential: bool = False, **budget) -> SalesforceClient:
    tokens = ConnectionTokens(world.rt, world.connection_id)
    return SalesforceClient(world.rt.config, tokens, ApiBudget(world.rt.salesforce_stores.budget, world.org_pk,
                                                               **budget), retry=FAST_RETRY, essential=essential)


def _limits_reads(client: SalesforceClient) -> list:
    seen: list = []
    client.http.hooks["response"].append(
        lambda r, *a, **k: seen.append(r.status_code) if r.url.rstrip("/").endswith("/limits") else None)
    return seen


def test_emulator_serves_limits_like_salesforce(world):
    client = world.client(essential=True)
    body = client.restful("limits")
    calls = world.emu.api_calls(world.org)
    assert body["DailyApiRequests"] == {"Max": 100_000, "Remaining": 100_000 - calls}
    assert all(set(v) == {"Max", "Remaining"} for v in body.values())
    assert client.read_limits() == (calls + 1, 100_000)         # the read itself counts once


def test_request_limit_exceeded_reaches_the_core_as_a_temporary_failure_with_the_pause(world):
    client = world.client(essential=True)
    world.emu.set_daily_api_max(world.org, world.emu.api_calls(world.org) + 1)
    client.query_page(QUERY)
    with pytest.raises(TemporaryFailure) as info, salesforce_edge():
        client.query_page(QUERY)
    until = world.budget().paused_until()
    assert until is not None and info.value.retry_after == pytest.approx(until - time.time(), abs=2)
    assert 0 < info.value.retry_after <= world.budget().rate_pause_s
    assert info.value.code == "throttled", "a paused org never counts toward suspending its mailboxes"


def test_over_the_reserve_background_work_is_visibly_paused_and_limits_is_reread_at_most_once_per_window(world):
    world.emu.set_daily_api_max(world.org, 10)
    client = _client(world, recheck_s=2.0)
    reads = _limits_reads(client)
    for _ in range(8):               # 8/10 reaches 1 - 20% reserve
        client.query_page(QUERY)
    with pytest.raises(ApiBudgetExhausted) as first:
        client.query_page(QUERY)
    assert reads == [] and world.budget().paused_until() == pytest.approx(first.value.paused_until)
    time.sleep(2.1)                  # the cached figure is now older than the re-check window
    for _ in range(5):
        with pytest.raises(ApiBudgetExhausted) as again:
            client.query_page(QUERY)
    assert reads == [200]            # one cheap re-read, still no room: no second one in this window
    assert again.value.paused_until > time.time() and world.budget().paused_until() is not None
    with pytest.raises(TemporaryFailure) as core, salesforce_edge():
        client.query_page(QUERY)
    assert 0 < core.value.retry_after <= 2.0 and core.value.code == "throttled"


def test_after_the_limit_is_raised_background_work_resumes_after_one_limits_read(world):
    world.emu.set_daily_api_max(world.org, world.emu.api_calls(world.org) + 1)
    essential = _client(world, essential=True, rate_pause_s=0.3, recheck_s=0.3)
    essential.query_page(QUERY)
    with pytest.raises(OrgPaused):
        essential.query_page(QUERY)              # 403 REQUEST_LIMIT_EXCEEDED: usage cached as max/max
    background = _client(world, rate_pause_s=0.3, recheck_s=0.3)
    with pytest.raises(OrgPaused):
        background.query_page(QUERY)             # during the pause nothing reaches Salesforce
    world.emu.set_daily_api_max(world.org, 100_000)     # the admin buys more calls
    time.sleep(0.5)
    reads = _limits_reads(background)
    assert background.query_page(QUERY)["totalSize"] == 1
    assert reads == [200]
    assert world.budget().usage().max == 100_000 and world.budget().paused_until() is None
