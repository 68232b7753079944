"""The emulator's fault hooks answer with Salesforce's own status codes and error bodies:
503 storms, REQUEST_LIMIT_EXCEEDED, INVALID_SESSION_ID, row-lock windows and invalid_grant;
and `update`, the UI-side edit the bench makes while faults run."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from tests.sandbox_salesforce.conftest import Tenant, trusted_session


class Clock:
    """The faults' clock, moved by hand so windows open and close without sleeping."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(tenant: Tenant) -> Iterator[Clock]:
    fake, real = Clock(), tenant.emu.faults.clock
    tenant.emu.faults.clock = fake
    yield fake
    tenant.emu.faults.clock = real


@pytest.mark.parametrize(("status", "code"), [(503, "SERVER_UNAVAILABLE"), (403, "REQUEST_LIMIT_EXCEEDED"),
                                              (401, "INVALID_SESSION_ID"), (500, "UNKNOWN_EXCEPTION")])
def test_injected_failures_carry_salesforces_error_code(tenant: Tenant, status: int, code: str) -> None:
    tenant.emu.faults.fail_next(status, count=1)
    response = tenant.get("/limits")
    assert response.status_code == status
    [error] = response.json()
    assert error["errorCode"] == code and error["message"]
    assert tenant.get("/limits").status_code == 200


def test_a_storm_fails_every_request_until_its_window_closes(tenant: Tenant, clock: Clock) -> None:
    tenant.emu.faults.fail_for(503, 30)
    assert [tenant.get("/limits").status_code for _ in range(3)] == [503, 503, 503]
    clock.now += 29.9
    assert tenant.get("/limits").status_code == 503
    clock.now += 0.1
    assert tenant.get("/limits").status_code == 200


def test_a_row_lock_window_fails_each_record_of_a_collection(tenant: Tenant, clock: Clock) -> None:
    tenant.emu.faults.lock_rows_for(30)
    body = {"allOrNone": False, "records": [{"attributes": {"type": "Contact"}, "LastName": n} for n in "AB"]}
    response = tenant.send("POST", "/composite/sobjects", json=body)
    assert response.status_code == 200
    assert [r["errors"][0]["statusCode"] for r in response.json()] == ["UNABLE_TO_LOCK_ROW"] * 2
    clock.now += 30
    assert all(r["success"] for r in tenant.send("POST", "/composite/sobjects", json=body).json())


def _refresh(tenant: Tenant):
    return trusted_session(tenant.emu.ca_path or "").post(
        f"{tenant.emu.base_url}/services/oauth2/token",
        data={"grant_type": "refresh_token", "refresh_token": tenant.tokens["refresh_token"]})


def test_refused_refresh_answers_400_invalid_grant_then_the_token_works_again(tenant: Tenant) -> None:
    tenant.emu.faults.refuse_refresh(count=1)
    refused = _refresh(tenant)
    assert refused.status_code == 400
    assert refused.json() == {"error": "invalid_grant", "error_description": "expired access/refresh token"}
    assert _refresh(tenant).status_code == 200


def test_a_refusal_window_refuses_every_refresh_until_it_closes(tenant: Tenant, clock: Clock) -> None:
    tenant.emu.faults.refuse_refresh_for(30)
    assert [_refresh(tenant).status_code for _ in range(2)] == [400, 400]
    clock.now += 30
    assert _refresh(tenant).status_code == 200


def test_update_without_an_api_call_changes_the_record_and_its_modstamp(tenant: Tenant) -> None:
    rid = tenant.emu.insert(tenant.org, "Contact", {"LastName": "Before"})
    calls = tenant.emu.api_calls(tenant.org)
    [before] = [r for r in tenant.emu.records(tenant.org, "Contact") if r["Id"] == rid]
    tenant.emu.clock = lambda: datetime(2030, 1, 1, tzinfo=UTC)
    try:
        tenant.emu.update(tenant.org, "Contact", rid, {"LastName": "After"})
    finally:
        tenant.emu.clock = lambda: datetime.now(UTC)
    [after] = [r for r in tenant.emu.records(tenant.org, "Contact") if r["Id"] == rid]
    assert after["LastName"] == "After" and after["SystemModstamp"] > before["SystemModstamp"]
    assert tenant.emu.api_calls(tenant.org) == calls
