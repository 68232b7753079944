"""A chunked import end to end: real CalDAV servers, the real DAV port (read-ahead thread), the
Salesforce emulator through the real CrmPort. The worker dies right after Salesforce took the
second chunk's creates; the next session finishes the import without a duplicate, and the one
after that writes nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest

from app.providers.salesforce.crm_port import SalesforceCrmPort
from app.sync import SyncPolicy
from app.sync.idmap import mailbox_stream
from app.sync.items import FolderKind
from tests.fakes.mailbox_memory import SimulatedCrash
from tests.integration.imap_dav import test_series_to_salesforce as series
from tests.integration.imap_dav.test_series_to_salesforce import (  # noqa: F401 (fixtures)
    NOW,
    calendar,
    mirror,
    org,
    sf_emulator,
    sf_runtime,
    stores,
)

MEETINGS = 25


def _meeting(n: int) -> str:
    start = NOW + timedelta(days=1 + n % 9, hours=n % 7)
    stamp = "%Y%m%dT%H%M%SZ"
    return (f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nBEGIN:VEVENT\r\nUID:chunk-{n}@test\r\n"
            f"DTSTAMP:{NOW.strftime(stamp)}\r\nDTSTART:{start.strftime(stamp)}\r\n"
            f"DTEND:{(start + timedelta(minutes=30)).strftime(stamp)}\r\nSUMMARY:Meeting {n}\r\n"
            "END:VEVENT\r\nEND:VCALENDAR\r\n")


@pytest.fixture
def meetings(calendar):  # noqa: F811
    """The meetings in the calendar, taken out afterwards (Xandikos' one calendar is shared)."""
    names = [f"chunk-{n}.ics" for n in range(MEETINGS)]
    for n, name in enumerate(names):
        calendar.put(name, _meeting(n))
    yield names
    for name in names:
        calendar.clear(name)


@pytest.fixture
def small_chunks(monkeypatch):
    """Sessions of 10-item chunks (the product's are 1,000)."""
    monkeypatch.setattr(series, "SyncPolicy", lambda **kw: SyncPolicy(import_chunk_size=10, **kw))


def test_a_chunked_import_killed_mid_way_resumes_without_duplicates(org, calendar, stores, meetings,  # noqa: F811
                                                                     small_chunks, monkeypatch):
    upsert, calls = SalesforceCrmPort.upsert_by_sync_key, []

    def killed_after_the_second_write(self, object_type, writes):
        results = upsert(self, object_type, writes)
        calls.append(len(writes))
        if len(calls) == 2:
            raise SimulatedCrash("SIGKILL after Salesforce took the second chunk")
        return results

    monkeypatch.setattr(SalesforceCrmPort, "upsert_by_sync_key", killed_after_the_second_write)
    with pytest.raises(SimulatedCrash):
        mirror(org, calendar, "UTC")
    assert calls == [10, 10] and len(org.emu.records(org.org, "Event")) == 20
    assert not any(stream == mailbox_stream(FolderKind.CALENDAR) for _, stream in mirror.cursors.cursors)

    outcome = mirror(org, calendar, "UTC")
    events = org.emu.records(org.org, "Event")
    assert outcome.errors == () and len(events) == MEETINGS
    assert sorted(e["Subject"] for e in events) == sorted(f"Meeting {n}" for n in range(MEETINGS))
    assert len({e["Syncline_Key__c"] for e in events}) == MEETINGS

    again = mirror(org, calendar, "UTC")
    counts = again.counts.get(FolderKind.CALENDAR)
    assert counts is None or (counts.created, counts.updated, counts.deleted, counts.failed) == (0, 0, 0, 0)
    assert len(org.emu.records(org.org, "Event")) == MEETINGS
