"""getUpdated/getDeleted windows, SOSL, limits and usage counting, faults, tenancy."""
from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from simple_salesforce.exceptions import (
    SalesforceExpiredSession,
    SalesforceGeneralError,
    SalesforceMalformedRequest,
    SalesforceRefusedRequest,
    SalesforceResourceNotFound,
)

from .conftest import Tenant, make_tenant


def test_updated_and_deleted_report_ids_within_window(tenant: Tenant) -> None:
    emu = tenant.emu
    t0 = datetime(2026, 11, 23, 10, 0, 30, tzinfo=UTC)
    emu.clock = lambda: t0
    try:
        keep = tenant.sf.Task.create({"Subject": "keep"})["id"]
        gone = tenant.sf.Task.create({"Subject": "gone"})["id"]
        emu.clock = lambda: t0 + timedelta(minutes=5)
        tenant.sf.Task.delete(gone)
        emu.clock = lambda: t0 + timedelta(minutes=10)
        start, end = t0 - timedelta(hours=1), t0 + timedelta(hours=1)
        updated = tenant.sf.Task.updated(start, end)
        assert updated["ids"] == [keep]
        assert updated["latestDateCovered"] == "2026-11-23T10:10:00.000+0000"
        deleted = tenant.sf.Task.deleted(start, end)
        assert deleted["deletedRecords"] == [{"id": gone,
                                              "deletedDate": "2026-11-23T10:05:30.000+0000"}]
        assert set(deleted) == {"deletedRecords", "earliestDateAvailable", "latestDateCovered"}
        with pytest.raises(SalesforceMalformedRequest) as exc:
            tenant.sf.Task.deleted(t0 - timedelta(days=16), end)
        assert exc.value.content[0]["errorCode"] == "INVALID_REPLICATION_DATE"
        with pytest.raises(SalesforceMalformedRequest):
            tenant.sf.Task.updated(t0 - timedelta(days=31), end)
        with pytest.raises(SalesforceMalformedRequest):
            tenant.sf.Task.updated(end, start)
    finally:
        emu.clock = lambda: datetime.now(UTC)


def test_sosl_finds_contacts_and_leads_by_email(tenant: Tenant) -> None:
    sf = tenant.sf
    sf.Contact.create({"LastName": "Li", "Email": "li@globex.test"})
    sf.Lead.create({"LastName": "Roe", "Company": "R", "Email": "roe@initech.test"})
    sf.Contact.create({"LastName": "Other", "Email": "other@x.test"})
    found = sf.search("FIND {li@globex.test OR roe@initech.test} IN EMAIL FIELDS "
                      "RETURNING Contact(Id, Email), Lead(Id, Email, Company)")
    rows = found["searchRecords"]
    assert sorted((r["attributes"]["type"], r["Email"]) for r in rows) == [
        ("Contact", "li@globex.test"), ("Lead", "roe@initech.test")]
    names = sf.search("FIND {Ro*} IN NAME FIELDS RETURNING Lead(Name) LIMIT 5")
    assert [r["Name"] for r in names["searchRecords"]] == ["Roe"]


def test_limits_header_and_counter(tenant: Tenant) -> None:
    emu, org = tenant.emu, tenant.org
    emu.reset_api_calls(org)
    resp = tenant.get("/limits")
    assert resp.headers["Sforce-Limit-Info"] == "api-usage=1/100000"
    assert resp.json()["DailyApiRequests"] == {"Max": 100000, "Remaining": 99999}
    tenant.sf.query("SELECT Id FROM Contact")
    assert emu.api_calls(org) == 2 and tenant.sf.api_usage["api-usage"].used == 2
    emu.set_daily_api_max(org, 2)
    with pytest.raises(SalesforceRefusedRequest) as exc:
        tenant.sf.query("SELECT Id FROM Contact")
    assert exc.value.content == [{"message": "TotalRequests Limit exceeded.",
                                  "errorCode": "REQUEST_LIMIT_EXCEEDED"}]


def test_fault_503_then_recovers(tenant: Tenant) -> None:
    tenant.emu.faults.fail_next(503, count=2)
    for _ in range(2):
        with pytest.raises(SalesforceGeneralError) as exc:
            tenant.sf.query("SELECT Id FROM Contact")
        assert exc.value.status == 503
    assert tenant.sf.query("SELECT Id FROM Contact")["done"] is True


def test_fault_latency_is_applied(tenant: Tenant) -> None:
    tenant.emu.faults.latency_ms = 120
    started = time.monotonic()
    tenant.get("/limits")
    assert time.monotonic() - started >= 0.12


def test_expired_sessions_answer_401_invalid_session(tenant: Tenant) -> None:
    tenant.emu.faults.expire_sessions()
    with pytest.raises(SalesforceExpiredSession) as exc:
        tenant.sf.query("SELECT Id FROM Contact")
    assert exc.value.content == [{"message": "Session expired or invalid",
                                  "errorCode": "INVALID_SESSION_ID"}]


def test_single_record_row_lock_fault(tenant: Tenant) -> None:
    tenant.emu.faults.lock_rows(count=1)
    resp = tenant.send("POST", "/sobjects/Contact", json={"LastName": "A"})
    assert resp.status_code == 400 and resp.json()[0]["errorCode"] == "UNABLE_TO_LOCK_ROW"
    assert tenant.send("POST", "/sobjects/Contact", json={"LastName": "A"}).status_code == 201


def test_tenants_are_isolated(tenant: Tenant) -> None:
    other = make_tenant(tenant.emu, "Globex")
    rid = tenant.sf.Contact.create({"LastName": "Mine"})["id"]
    with pytest.raises(SalesforceResourceNotFound):
        other.sf.Contact.get(rid)
    assert other.sf.query("SELECT Id FROM Contact")["totalSize"] == 0
    ref = other.send("POST", "/sobjects/Task", json={"Subject": "x", "WhoId": rid})
    assert ref.json()[0]["errorCode"] == "INVALID_CROSS_REFERENCE_KEY"
    assert rid[3:5] != other.org[3:5]                      # different pod in the id


def test_concurrent_clients(tenant: Tenant) -> None:
    errors: list[Exception] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                tenant.send("POST", "/sobjects/Contact", json={"LastName": f"w{n}-{i}"})
        except Exception as exc:   # pragma: no cover - reported below
            errors.append(exc)
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(tenant.emu.records(tenant.org, "Contact")) == 60
