"""Whole-call faults against the emulator: 5xx retries, rate limits, the budget, the guard."""
from __future__ import annotations

import socket
import time

import pytest

from app.providers.salesforce.budget import ApiBudget
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.connect import connect
from app.providers.salesforce.errors import (
    ApiBudgetExhausted,
    CallFailed,
    OrgPaused,
    ReauthorizationRequired,
    TransientError,
)
from app.providers.salesforce.tokens import StaticTokens
from tests.providers.salesforce.conftest import FAST_RETRY, make_world


def _count_requests(client: SalesforceClient) -> list:
    seen: list = []
    client.sf.session.hooks["response"].append(lambda r, *a, **k: seen.append(r.status_code))
    return seen


def test_503_is_retried_with_backoff_then_succeeds(world):
    client = world.client()
    sent = _count_requests(client)
    world.emu.faults.fail_next(503, count=2)
    assert client.query_page("SELECT Id FROM User")["totalSize"] == 1
    assert sent == [503, 503, 200]


def test_503_retries_are_bounded(world):
    client = world.client()
    sent = _count_requests(client)
    world.emu.faults.fail_next(503, count=10)
    with pytest.raises(TransientError):
        client.query_page("SELECT Id FROM User")
    assert len(sent) == FAST_RETRY.attempts


def test_refused_connections_are_retried_even_for_writes_and_bounded(sf_runtime):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = sf_runtime.config.with_overrides(salesforce_allowed_hosts=(f"localhost:{port}",))
    client = SalesforceClient(config, StaticTokens(f"https://localhost:{port}", "00Dx!tok", "closed"),
                              retry=FAST_RETRY)
    with pytest.raises(TransientError) as info:
        client.restful("composite/sobjects", "POST", json={"records": []})     # a create: not idempotent
    assert info.value.code == "CONNECT_FAILED" and client.calls == FAST_RETRY.attempts


def test_request_limit_exceeded_pauses_the_org_and_is_not_hammered(world):
    client = world.client(essential=True)      # essential work may use the reserve, up to the hard limit
    world.emu.set_daily_api_max(world.org, world.emu.api_calls(world.org) + 1)
    client.query_page("SELECT Id FROM User")
    sent = _count_requests(client)
    with pytest.raises(OrgPaused) as info:
        client.query_page("SELECT Id FROM User")
    assert sent == [403] and type(info.value) is OrgPaused and info.value.code == "REQUEST_LIMIT_EXCEEDED"
    assert world.budget().paused_until() == pytest.approx(info.value.paused_until)
    for _ in range(5):      # callers that try again meet the pause, not Salesforce
        with pytest.raises(OrgPaused):
            world.client(essential=True).query_page("SELECT Id FROM User")
    with pytest.raises(OrgPaused):
        client.query_page("SELECT Id FROM User")
    assert sent == [403]


def test_budget_refuses_non_essential_work_past_the_reserve(world):
    world.emu.set_daily_api_max(world.org, 10)
    client = world.client()
    for _ in range(8):               # usage 8/10 reaches 1 - 20% reserve
        client.query_page("SELECT Id FROM User")
    assert world.budget().usage().used == 8
    with pytest.raises(ApiBudgetExhausted) as info:
        client.query_page("SELECT Id FROM User")
    assert isinstance(info.value, OrgPaused)      # the scheduler treats it like rate limiting
    essential = world.client(essential=True)
    assert essential.query_page("SELECT Id FROM User")["totalSize"] == 1
    assert world.emu.api_calls(world.org) == 9


def test_reserve_is_configurable(world):
    budget = ApiBudget(world.rt.salesforce_stores.budget, world.org_pk, reserve=0.5)
    budget.record(49, 100)
    budget.check()
    budget.record(50, 100)
    with pytest.raises(ApiBudgetExhausted):
        budget.check()
    budget.check(essential=True)


def test_usage_is_read_from_every_response(world):
    client = world.client()
    client.query_page("SELECT Id FROM User")
    usage = world.budget().usage()
    assert (usage.used, usage.max) == (world.emu.api_calls(world.org), 100_000)


def test_malformed_query_is_a_permanent_call_error_and_not_retried(world):
    client = world.client()
    sent = _count_requests(client)
    with pytest.raises(CallFailed) as info:
        client.query_page("SELECT Id FROM")
    assert info.value.code == "MALFORMED_QUERY" and len(sent) == 1


def test_connection_with_untrusted_instance_url_is_refused(sf_emulator, sf_runtime):
    world = make_world(sf_emulator, sf_runtime, instance_url="https://evil.example.com")
    before = sf_emulator.api_calls(world.org)
    with pytest.raises(ReauthorizationRequired, match="evil.example.com"):
        connect(world.rt, world.connection_id)
    assert sf_emulator.api_calls(world.org) == before


def test_client_refuses_an_untrusted_instance_before_sending_a_token(sf_runtime):
    with pytest.raises(ReauthorizationRequired, match="not a Salesforce host"):
        SalesforceClient(sf_runtime.config, StaticTokens("https://attacker.example.net", "00Dx!tok", "x"))
    with pytest.raises(ReauthorizationRequired, match="https"):
        SalesforceClient(sf_runtime.config, StaticTokens("http://na1.salesforce.com", "00Dx!tok", "x"))


def test_read_timeouts_retry_reads_but_never_a_create(world):
    client = world.client()
    world.emu.faults.latency_ms = 400
    sent = _count_requests(client)
    with pytest.raises(TransientError) as info:
        client.restful("composite/sobjects", "POST", timeout=(5, 0.15), json={"records": [
            {"attributes": {"type": "Contact"}, "LastName": "Maybe written"}]})
    assert info.value.code == "TIMEOUT" and client.calls == 1
    with pytest.raises(TransientError):
        client.restful("query", params={"q": "SELECT Id FROM User"}, timeout=(5, 0.15))
    assert client.calls == 1 + FAST_RETRY.attempts and sent == []
    world.emu.faults.latency_ms = 0
    time.sleep(0.4)
    assert len(world.emu.records(world.org, "Contact")) == 1      # why the create was not resent
