"""Salesforce Classic recurring Events in the emulator: the main record makes its child occurrences."""
from __future__ import annotations

import pytest
from simple_salesforce.exceptions import SalesforceMalformedRequest

WEEKLY = {"Subject": "Weekly review", "IsRecurrence": True, "StartDateTime": "2026-03-03T09:00:00Z",
          "EndDateTime": "2026-03-03T10:00:00Z", "RecurrenceStartDateTime": "2026-03-03T09:00:00Z",
          "RecurrenceEndDateOnly": "2026-03-31", "RecurrenceType": "RecursWeekly", "RecurrenceInterval": 1,
          "RecurrenceDayOfWeekMask": 4 + 16, "RecurrenceTimeZoneSidKey": "Europe/Berlin"}


def _children(tenant, master_id: str) -> list[dict]:
    rows = tenant.sf.query(f"SELECT Id, StartDateTime, Subject, IsRecurrence FROM Event "
                           f"WHERE RecurrenceActivityId = '{master_id}' ORDER BY StartDateTime")["records"]
    return rows


def test_a_recurring_main_record_creates_its_occurrences_and_takes_them_along_when_deleted(tenant):
    master = tenant.sf.Event.create(WEEKLY)["id"]
    kids = _children(tenant, master)
    # Tuesdays and Thursdays 10:00 Berlin (09:00 UTC in winter, 08:00 UTC after 29 March)
    assert [k["StartDateTime"][:16] for k in kids] == [
        "2026-03-03T09:00", "2026-03-05T09:00", "2026-03-10T09:00", "2026-03-12T09:00", "2026-03-17T09:00",
        "2026-03-19T09:00", "2026-03-24T09:00", "2026-03-26T09:00", "2026-03-31T08:00"]
    assert {(k["Subject"], k["IsRecurrence"]) for k in kids} == {("Weekly review", False)}
    tenant.sf.Event.update(master, {"Subject": "Weekly review (new room)"})
    assert {k["Subject"] for k in _children(tenant, master)} == {"Weekly review (new room)"}
    tenant.sf.Event.update(master, {"RecurrenceDayOfWeekMask": 4})        # a new pattern: children made anew
    assert len(_children(tenant, master)) == 5
    tenant.sf.Event.delete(master)
    assert _children(tenant, master) == []


def test_incomplete_or_oversized_patterns_are_refused(tenant):
    with pytest.raises(SalesforceMalformedRequest) as missing:
        tenant.sf.Event.create({**WEEKLY, "RecurrenceDayOfWeekMask": None})
    assert "RecurrenceDayOfWeekMask" in str(missing.value)
    with pytest.raises(SalesforceMalformedRequest) as too_many:
        tenant.sf.Event.create({**WEEKLY, "RecurrenceType": "RecursDaily", "RecurrenceEndDateOnly": "2026-12-31"})
    assert "100 occurrences" in str(too_many.value)
    with pytest.raises(SalesforceMalformedRequest):
        master = tenant.sf.Event.create(WEEKLY)["id"]
        tenant.sf.Event.update(master, {"IsRecurrence": False})
