"""`SalesforceCrmPort` at its edges: error translation, cursors, look-ups, per-record failures."""
from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta

import pytest

from app.providers.salesforce import errors as sf
from app.providers.salesforce.crm_translate import SetupHint, code_for, core_error, raise_lost_fields, write_result
from app.providers.salesforce.writes import RecordError, RecordResult
from app.sync import (
    AuthFailure,
    CursorExpired,
    EventRelationSpec,
    InvalidData,
    NotFound,
    PermissionDenied,
    RecordWrite,
    SearchCriteria,
    TemporaryFailure,
    Throttled,
)
from app.sync.errors import Duplicate, MalformedRequest, SetupRequired
from app.sync.event.relations import relation_diff
from tests.providers.salesforce.test_crm_port_world import CAL, PortWorld, meeting


@pytest.fixture
def pw(world) -> PortWorld:
    return PortWorld(world)


# ---- the translation tables (no server) ------------------------------------------------------
@pytest.mark.parametrize("exc, expected", [
    (sf.TransientError("503", "SERVER_UNAVAILABLE", 503), TemporaryFailure),
    (sf.OrgPaused("limit", time.time() + 60), Throttled),
    (sf.ApiBudgetExhausted("reserve", time.time() + 60, "API_BUDGET_EXHAUSTED"), Throttled),
    (sf.ReauthorizationRequired("revoked", "INVALID_GRANT"), AuthFailure),
    (sf.CursorExpired("old", "CURSOR_EXPIRED"), CursorExpired),
    (sf.CallFailed("no", "INSUFFICIENT_ACCESS_OR_READONLY", 403), PermissionDenied),
    (sf.CallFailed("gone", "NOT_FOUND", 404), NotFound),
    (sf.CallFailed("bad", "MALFORMED_QUERY", 400), MalformedRequest),
    (sf.CallFailed("400 INVALID_FIELD: No such column 'Shoe__c' on entity 'Contact'.", "INVALID_FIELD", 400),
     MalformedRequest),
    (sf.CallFailed("400 INVALID_QUERY_FILTER_OPERATOR: bad", "INVALID_QUERY_FILTER_OPERATOR", 400), MalformedRequest),
    (sf.CallFailed("400 DUPLICATES_DETECTED: Use one of these records?", "DUPLICATES_DETECTED", 400), Duplicate),
    (sf.CallFailed("400 DUPLICATE_VALUE: duplicate value found", "DUPLICATE_VALUE", 400), Duplicate),
    (sf.CallFailed("400 REQUIRED_FIELD_MISSING: [LastName]", "REQUIRED_FIELD_MISSING", 400), InvalidData),
    # Syncline's own field gone (deleted, or hidden by field-level security): the session's setup, not the item
    (sf.CallFailed("400 INVALID_FIELD: \nSELECT Id, Syncline_Key__c FROM Event\n ^\nERROR at Row:1:Column:12\n"
                   "No such column 'Syncline_Key__c' on entity 'Event'. If you are attempting to use a custom field, "
                   "be sure to append the '__c'", "INVALID_FIELD", 400), SetupRequired),
    (sf.CallFailed("400 INVALID_FIELD: No such column 'Syncline_Key__c' on sobject of type Contact", "INVALID_FIELD",
                   400), SetupRequired),
    (sf.CallFailed("404 NOT_FOUND: Provided external ID field does not exist or is not accessible: Syncline_Key__c",
                   "NOT_FOUND", 404), SetupRequired),
])
def test_whole_call_errors_map_to_the_core_vocabulary(exc, expected):
    assert type(core_error(exc, "Event")) is expected   # the object the call was about


@pytest.mark.parametrize("exc, sentence", [
    (sf.CallFailed("404 NOT_FOUND: Provided external ID field does not exist or is not accessible: Syncline_Key__c",
                   "NOT_FOUND", 404), "Event.Syncline_Key__c is missing or hidden by field-level security from"),
    (sf.CallFailed("400 INVALID_FIELD: No such column 'Syncline_Key__c' on sobject of type Contact", "INVALID_FIELD",
                   400), "Contact.Syncline_Key__c is missing or hidden by field-level security from"),
])
def test_a_lost_syncline_field_names_object_field_user_and_fix(exc, sentence):
    error = core_error(exc, "Event", SetupHint("ann@acme.test", "`syncline salesforce setup-fields --org 00D1`"))
    assert str(error) == (f"Salesforce setup is incomplete for ann@acme.test: {sentence} this user; an admin runs "
                          "`syncline salesforce setup-fields --org 00D1` to create Syncline's fields and grant "
                          "access to them")


def test_a_record_refused_for_a_read_only_syncline_field_stops_the_session_not_the_item():
    refused = RecordResult(0, None, False, False, (RecordError(
        "INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to create/update fields: Syncline_Key__c. Please check the security "
        "settings of this field and verify that it is read/write for your profile or permission set.",
        ("Syncline_Key__c",)),))
    with pytest.raises(SetupRequired, match="for your Salesforce user: Task.Syncline_Key__c is read-only for this user"):
        raise_lost_fields("Task", [refused])
    other = RecordResult(0, None, False, False, (RecordError("INVALID_FIELD_FOR_INSERT_UPDATE", "Unable to "
                                                             "create/update fields: Title.", ("Title",)),))
    raise_lost_fields("Task", [other])      # someone else's field: an ordinary per-item error


def test_a_paused_org_tells_the_core_when_to_retry():
    err = core_error(sf.OrgPaused("limit", time.time() + 120))
    assert 100 < err.retry_after <= 120


@pytest.mark.parametrize("code, retryable, expected", [
    ("UNABLE_TO_LOCK_ROW", True, "temporary"), ("REQUEST_LIMIT_EXCEEDED", True, "temporary"),
    ("ENTITY_IS_DELETED", False, "not_found"), ("INSUFFICIENT_ACCESS_OR_READONLY", False, "permission"),
    ("STRING_TOO_LONG", False, "invalid"), ("FIELD_CUSTOM_VALIDATION_EXCEPTION", False, "invalid"),
    ("DUPLICATES_DETECTED", False, "duplicate"), ("DUPLICATE_VALUE", False, "duplicate"),
])
def test_per_record_errors_map_to_core_codes(code, retryable, expected):
    result = write_result(RecordResult(0, None, False, False, (RecordError(code, "why"),), retryable))
    assert not result.ok and result.error_code == expected and code in result.error
    assert code_for(code, retryable) == expected


def test_relation_diff_creates_updates_and_deletes_only_who_rows():
    existing = [{"Id": "0RE1", "RelationId": "003A", "IsInvitee": True, "Status": "New"},
                {"Id": "0RE2", "RelationId": "00QB", "IsInvitee": True, "Status": "New"},
                {"Id": "0RE3", "RelationId": "005OWNER", "IsInvitee": False, "Status": "New"}]
    wanted = [EventRelationSpec("003A", "a@x.com", "accepted"), EventRelationSpec("003C", "c@x.com"),
              EventRelationSpec("005USER", "u@x.com")]
    diff = relation_diff("00U1", wanted, existing)
    assert diff.updates == [{"Id": "0RE1", "Status": "Accepted"}]
    assert [c["RelationId"] for c in diff.creates] == ["003C"] and diff.deletes == ["0RE2"]


# ---- against the emulator --------------------------------------------------------------------
def test_server_errors_that_outlast_retries_become_temporary_failures(pw):
    pw.sf.emu.faults.fail_next(503, count=10)
    with pytest.raises(TemporaryFailure):
        pw.port().changes_since("Event", None, pw.sf.user)


def test_revoked_credentials_become_auth_failure(pw):
    pw.sf.emu.faults.expire_sessions()
    pw.sf.emu.faults.revoke_refresh_token(pw.sf.tokens["refresh_token"])
    with pytest.raises(AuthFailure):
        pw.sync()


def test_exhausted_daily_limit_pauses_with_a_retry_time(pw):
    port = pw.port()
    pw.sf.emu.set_daily_api_max(pw.sf.org, 1)
    with pytest.raises(TemporaryFailure) as caught:
        port.changes_since("Event", None, pw.sf.user)
    assert caught.value.retry_after and caught.value.retry_after > 0


def test_locked_rows_come_back_temporary_and_the_change_replays(pw):
    pw.mailbox.put(CAL, meeting("Contended"))
    pw.sf.emu.faults.lock_rows(count=10)
    outcome = pw.sync()
    assert [e.code for e in outcome.errors] == ["temporary"] and outcome.held_streams
    pw.sf.emu.faults.clear()        # the lock is released
    pw.sync()
    assert [e["Subject"] for e in pw.events()] == ["Contended"]


def test_one_invalid_record_does_not_sink_the_batch(pw):
    results = pw.port().upsert_by_sync_key("Event", [
        RecordWrite({"Subject": "ok", "StartDateTime": "2026-12-01T10:00:00.000+0000",
                     "EndDateTime": "2026-12-01T11:00:00.000+0000"}, sync_key="k1"),
        RecordWrite({"Subject": "x" * 300, "StartDateTime": "2026-12-01T10:00:00.000+0000",
                     "EndDateTime": "2026-12-01T11:00:00.000+0000"}, sync_key="k2")])
    assert results[0].ok and not results[1].ok and results[1].error_code == "invalid"


def test_updates_and_deletes_of_missing_records_report_not_found(pw):
    port = pw.port()
    [created] = port.upsert_by_sync_key("Event", [RecordWrite(
        {"Subject": "short-lived", "StartDateTime": "2026-12-01T10:00:00.000+0000",
         "EndDateTime": "2026-12-01T11:00:00.000+0000"}, sync_key="k-gone")])
    assert port.delete_records("Event", [created.target_id])[0].ok
    assert port.delete_records("Event", [created.target_id])[0].ok       # idempotent
    [update] = port.update_records("Event", [RecordWrite({"Subject": "late"}, record_id=created.target_id)])
    assert not update.ok and update.error_code == "not_found"


def test_cursor_round_trip_reports_changes_and_deletes_after_a_full_listing(pw):
    port = pw.port()
    first = port.changes_since("Event", None, pw.sf.user)
    assert first.full and first.records == () and first.cursor is None
    [made] = port.upsert_by_sync_key("Event", [RecordWrite(
        {"Subject": "A", "StartDateTime": "2026-12-01T10:00:00.000+0000",
         "EndDateTime": "2026-12-01T11:00:00.000+0000", "OwnerId": pw.sf.user}, sync_key="kA")])
    listing = port.changes_since("Event", None, pw.sf.user)
    assert listing.full and [r.record_id for r in listing.records] == [made.target_id]
    assert listing.records[0].version == listing.records[0].fields["SystemModstamp"]
    port.delete_records("Event", [made.target_id])
    delta = port.changes_since("Event", listing.cursor, pw.sf.user)
    assert not delta.full and delta.deleted_ids == (made.target_id,)


def test_unreadable_or_too_old_cursors_expire(pw):
    port = pw.port()
    with pytest.raises(CursorExpired):
        port.changes_since("Event", "not json", pw.sf.user)
    old = (datetime.now(UTC) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    with pytest.raises(CursorExpired):
        port.changes_since("Event", json.dumps({"sobject": "Event", "watermark": old}), pw.sf.user)


def test_owner_filter_hides_other_users_records(pw):
    other = pw.sf.emu.create_user(pw.sf.org, email=f"zed@{pw.sf.org.lower()}.test")
    pw.sf.emu.insert(pw.sf.org, "Event", {"Subject": "Not mine", "OwnerId": other,
                                          "StartDateTime": "2026-12-01T10:00:00.000+0000",
                                          "EndDateTime": "2026-12-01T11:00:00.000+0000"})
    assert pw.port().changes_since("Event", None, pw.sf.user).records == ()


def test_search_by_query_matches_subject_case_insensitively_and_times_as_instants(pw):
    pw.sf.emu.insert(pw.sf.org, "Event", {"Subject": "Kick-off", "OwnerId": pw.sf.user,
                                          "StartDateTime": "2026-12-01T10:00:00.000+0000",
                                          "EndDateTime": "2026-12-01T11:00:00.000+0000"})
    criteria = SearchCriteria({"Subject": "KICK-OFF", "IsAllDayEvent": False,
                               "StartDateTime": "2026-12-01T10:00:00.000+0000",
                               "EndDateTime": "2026-12-01T11:00:00.000+0000"}, owner_id=pw.sf.user)
    fresh = pw.port()
    assert [r.fields["Subject"] for r in fresh.search("Event", criteria)] == ["Kick-off"]
    fresh.changes_since("Event", None, pw.sf.user)      # now answered from the listing, no call
    before = pw.calls()
    assert [r.fields["Subject"] for r in fresh.search("Event", criteria)] == ["Kick-off"]
    assert pw.calls() == before


def test_people_resolve_to_contacts_before_unconverted_leads(pw):
    emu, org = pw.sf.emu, pw.sf.org
    contact = emu.insert(org, "Contact", {"LastName": "C", "Email": "both@x.com"})
    emu.insert(org, "Lead", {"LastName": "L", "Company": "X", "Email": "Both@X.com"})
    lead = emu.insert(org, "Lead", {"LastName": "L2", "Company": "X", "Email": "lead@x.com"})
    port = pw.port()
    before = pw.calls()
    assert port.resolve_people(["both@x.com", "lead@x.com", "none@x.com"]) == {
        "both@x.com": contact, "lead@x.com": lead}
    assert pw.calls() - before == 1
    assert port.resolve_users(["ann.admin@" + org.lower() + ".test"]) == {
        "ann.admin@" + org.lower() + ".test": pw.sf.user}


@pytest.mark.parametrize("read_only", [False, True], ids=["hidden", "read-only"])
def test_a_write_salesforce_refuses_for_a_lost_syncline_field_stops_the_session(pw, read_only):
    """The emulator answers as an org does: an External ID field the user cannot see is a 404 for
    the whole upsert, a read-only one is INVALID_FIELD_FOR_INSERT_UPDATE on each record."""
    pw.mailbox.put(CAL, meeting("Alpha"))
    pw.sync()
    pw.sf.emu.revoke_field(pw.sf.org, "Event", "Syncline_Key__c")
    if read_only:
        pw.sf.emu.grant_field(pw.sf.org, "Event", "Syncline_Key__c", edit=False)
    port = pw.port()
    state = "read-only for" if read_only else "missing or hidden by field-level security from"
    with pytest.raises(SetupRequired, match=rf"Event\.Syncline_Key__c is {state} this user"):
        port.upsert_by_sync_key("Event", [RecordWrite({"Subject": "Bravo", "StartDateTime": "2030-01-01T10:00:00Z",
                                                       "EndDateTime": "2030-01-01T11:00:00Z"}, sync_key="k-bravo")])
    assert [e["Subject"] for e in pw.sf.emu.records(pw.sf.org, "Event")] == ["Alpha"]


# ---- autoresolve's creates and ties ------------------------------------------------------------
def test_create_records_returns_the_record_a_duplicate_rule_matched(pw):
    emu, org = pw.sf.emu, pw.sf.org
    existing = emu.insert(org, "Lead", {"LastName": "Doe", "Company": "Prospect Ltd", "Email": "old@prospect.test"})
    emu.add_duplicate_rule(org, "Lead", ("LastName", "Company"))
    fresh, blocked = pw.port().create_records("Lead", [
        RecordWrite({"LastName": "Roe", "Company": "Other", "Email": "roe@other.test", "Website": "other.test"}),
        RecordWrite({"LastName": "Doe", "Company": "Prospect Ltd", "Email": "jane@prospect.test"})])
    assert fresh.ok and fresh.target_id.startswith("00Q") and fresh.duplicate_of is None
    assert not blocked.ok and blocked.error_code == Duplicate.code and blocked.duplicate_of == existing


def test_record_ties_tell_syncline_activities_from_anyone_elses(pw):
    emu, org = pw.sf.emu, pw.sf.org
    lead = emu.insert(org, "Lead", {"LastName": "Doe", "Company": "Prospect Ltd"})
    ours = emu.insert(org, "Task", {"Subject": "saved", "WhoId": lead, "Syncline_Key__c": "k-ties-1"})
    theirs = emu.insert(org, "Task", {"Subject": "a call", "WhoId": lead})
    ties = pw.port().record_ties([lead])[lead]
    assert {(t.record_id, t.field, t.ours) for t in ties} == {(ours, "WhoId", True), (theirs, "WhoId", False)}
