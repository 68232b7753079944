"""Collections writes: call counts, per-record errors and retries, upsert idempotency."""
from __future__ import annotations

import pytest

from app.providers.salesforce.errors import OrgPaused
from app.providers.salesforce.writes import RecordWriter


def _contacts(n: int, start: int = 0) -> list[dict]:
    return [{"LastName": f"Person {i}", "Email": f"p{i}@acme.test", "Syncline_Key__c": f"k-{i}"}
            for i in range(start, start + n)]


def test_thousand_creates_take_one_composite_call_of_five_collections(world):
    writer = RecordWriter(world.client())
    before = world.emu.api_calls(world.org)
    results = writer.create("Contact", _contacts(1000))
    assert world.emu.api_calls(world.org) - before == 1
    assert [r.index for r in results] == list(range(1000))
    assert all(r.success and r.created and r.id.startswith("003") for r in results)
    assert len(world.emu.records(world.org, "Contact")) == 1000


def test_plain_collections_mode_takes_five_calls_per_thousand(world):
    writer = RecordWriter(world.client(), collections_per_call=1)
    before = world.emu.api_calls(world.org)
    assert all(r.success for r in writer.create("Contact", _contacts(1000)))
    assert world.emu.api_calls(world.org) - before == 5


def test_updates_and_deletes_are_batched_and_mapped_in_order(world):
    writer = RecordWriter(world.client())
    ids = [r.id for r in writer.create("Contact", _contacts(450))]
    before = world.emu.api_calls(world.org)
    updated = writer.update("Contact", [{"Id": i, "Title": f"T{n}"} for n, i in enumerate(ids)])
    assert [r.id for r in updated] == ids and all(r.success and not r.created for r in updated)
    deleted = writer.delete(ids[:250])
    assert all(r.success for r in deleted) and [r.id for r in deleted] == ids[:250]
    assert world.emu.api_calls(world.org) - before == 1 + 1
    assert writer.delete(ids[:3])[0].success                      # deleting twice is idempotent
    titles = {r["Id"]: r["Title"] for r in world.emu.records(world.org, "Contact")}
    assert titles[ids[300]] == "T300" and ids[0] not in titles


def test_unable_to_lock_row_is_retried_for_just_those_records(world):
    writer = RecordWriter(world.client())
    sent: list[int] = []
    writer.client.sf.session.hooks["response"].append(
        lambda r, *a, **k: sent.append(len(r.request.body or b"")))
    world.emu.faults.lock_rows(3)
    results = writer.create("Contact", _contacts(10))
    assert all(r.success for r in results)
    assert len(sent) == 2 and sent[1] < sent[0] / 2             # the second call carries only 3 records
    assert len(world.emu.records(world.org, "Contact")) == 10


def test_lock_retries_are_bounded_and_reported_as_retryable(world):
    writer = RecordWriter(world.client())
    world.emu.faults.lock_rows(100)
    results = writer.create("Contact", _contacts(2))
    assert [(r.success, r.retryable, r.errors[0].code) for r in results] == [(False, True, "UNABLE_TO_LOCK_ROW")] * 2


def test_permanent_record_errors_are_reported_and_the_rest_succeeds(world):
    world.emu.add_validation_rule(world.org, "Contact", lambda r: r.get("Title") == "forbidden",
                                  "Title is forbidden", field="Title")
    writer = RecordWriter(world.client())
    records = _contacts(6)
    records[1].pop("LastName")                                   # REQUIRED_FIELD_MISSING
    records[2]["Title"] = "x" * 500                              # STRING_TOO_LONG (128)
    records[3]["Title"] = "forbidden"                            # FIELD_CUSTOM_VALIDATION_EXCEPTION
    records[4]["AccountId"] = "001000000000000AAA"               # INVALID_CROSS_REFERENCE_KEY / MALFORMED_ID
    results = writer.create("Contact", records)
    assert [r.success for r in results] == [True, False, False, False, False, True]
    codes = [r.errors[0].code for r in results[1:5]]
    assert codes[:3] == ["REQUIRED_FIELD_MISSING", "STRING_TOO_LONG", "FIELD_CUSTOM_VALIDATION_EXCEPTION"]
    assert codes[3] in ("INVALID_CROSS_REFERENCE_KEY", "MALFORMED_ID")
    assert not any(r.retryable for r in results)
    assert len(world.emu.records(world.org, "Contact")) == 2


def test_duplicates_detected_is_per_record(world):
    world.emu.add_duplicate_rule(world.org, "Contact", ("Email",))
    writer = RecordWriter(world.client())
    writer.create("Contact", [{"LastName": "First", "Email": "p0@acme.test"}])
    results = writer.create("Contact", _contacts(2))
    assert [r.success for r in results] == [False, True]
    assert results[0].errors[0].code == "DUPLICATES_DETECTED"


def test_upsert_by_syncline_key_twice_leaves_one_record(world):
    writer = RecordWriter(world.client())
    first = writer.upsert("Event", [{"Syncline_Key__c": "evt-1", "Subject": "Kick-off",
                                     "StartDateTime": "2026-03-02T10:00:00Z", "EndDateTime": "2026-03-02T11:00:00Z"}])
    again = writer.upsert("Event", [{"Syncline_Key__c": "evt-1", "Subject": "Kick-off (moved)",
                                     "StartDateTime": "2026-03-02T12:00:00Z", "EndDateTime": "2026-03-02T13:00:00Z"}])
    assert first[0].created and not again[0].created and first[0].id == again[0].id
    events = world.emu.records(world.org, "Event")
    assert len(events) == 1 and events[0]["Subject"] == "Kick-off (moved)"


def test_upsert_in_bulk_is_batched(world):
    writer = RecordWriter(world.client())
    before = world.emu.api_calls(world.org)
    assert all(r.created for r in writer.upsert("Contact", _contacts(400)))
    assert all(r.success and not r.created for r in writer.upsert("Contact", _contacts(400)))
    assert world.emu.api_calls(world.org) - before == 2
    assert len(world.emu.records(world.org, "Contact")) == 400


def test_a_failed_chunk_is_reported_without_losing_the_other_chunks(world):
    writer = RecordWriter(world.client(), chunk_size=2, collections_per_call=1)
    ids = [r.id for r in writer.create("Contact", _contacts(4))]
    world.emu.faults.fail_next(503, count=4)                     # the first chunk exhausts its retries
    results = writer.update("Contact", [{"Id": i, "Title": "New"} for i in ids])
    assert [(r.success, r.retryable) for r in results] == [(False, True)] * 2 + [(True, False)] * 2
    assert results[0].errors[0].code == "SERVER_UNAVAILABLE"


def test_a_failed_composite_subrequest_fails_only_its_records(world):
    writer = RecordWriter(world.client(), chunk_size=2)
    results = writer.upsert("Contact", _contacts(4), external_id="Email")     # not an External ID field
    assert [(r.success, r.retryable) for r in results] == [(False, False)] * 4
    assert {r.errors[0].code for r in results} == {"NOT_FOUND"}


def test_rate_limit_mid_batch_propagates_with_partial_results(world):
    writer = RecordWriter(world.client(essential=True), chunk_size=2, collections_per_call=1)
    world.emu.set_daily_api_max(world.org, world.emu.api_calls(world.org) + 1)
    with pytest.raises(OrgPaused) as info:
        writer.upsert("Contact", _contacts(4))
    partial = info.value.partial_results
    assert [r.success for r in partial] == [True, True, False, False]
    assert partial[2].retryable is True and partial[2].errors[0].code == "REQUEST_LIMIT_EXCEEDED"
