"""Graph fake ⇄ product (real sessions through ``run_session`` and ``default_ports``) ⇄ Salesforce
emulator: meetings both ways, edits, deletes, an expired delta token with a deletion in the gap,
a 429 storm, and not one invitation sent by the product's writes."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from app.models import Mailbox
from app.sync.transforms import parse_sf_datetime
from tests.integration.graph.session_world import FMT, START


def test_meetings_flow_both_ways_with_edits_and_deletes_and_no_invitation(world):
    event_id = world.outlook_meeting("Pipeline review")
    first = world.sync()
    assert first.status == "succeeded", first.errors
    [event] = world.sf_events()
    assert (event["Subject"], event["Location"], event["OwnerId"]) == ("Pipeline review", "Room 9", world.sf_user)
    assert parse_sf_datetime(event["StartDateTime"]) == START

    world.emu.insert(world.sf_org, "Event", {
        "Subject": "Demo from Salesforce", "OwnerId": world.sf_user,
        "StartDateTime": (START + timedelta(days=1)).strftime(FMT + ".000+0000"),
        "EndDateTime": (START + timedelta(days=1, hours=1)).strftime(FMT + ".000+0000")})
    assert world.sync().status == "succeeded"
    [demo] = [e for e in world.outlook() if e["subject"] == "Demo from Salesforce"]
    assert demo["attendees"] == [] and demo["transactionId"]

    world.fake.store.update_event(world.address, event_id, {"subject": "Pipeline review (moved)"})
    assert world.sync().status == "succeeded"
    assert sorted(e["Subject"] for e in world.sf_events()) == ["Demo from Salesforce", "Pipeline review (moved)"]

    [sf_demo] = [e for e in world.sf_events() if e["Subject"] == "Demo from Salesforce"]
    world.emu.update(world.sf_org, "Event", sf_demo["Id"], {"Subject": "Demo (renamed in Salesforce)"})
    assert world.sync().status == "succeeded"
    assert sorted(e["subject"] for e in world.outlook()) == ["Demo (renamed in Salesforce)", "Pipeline review (moved)"]

    world.fake.store.delete_event(world.address, event_id)
    world.sf_delete("Event", sf_demo["Id"])
    assert world.sync().status == "succeeded"
    assert world.sf_events() == [] and world.outlook() == []
    quiet = world.sync()    # a second pass changes nothing
    assert quiet.status == "succeeded" and quiet.errors == []
    assert not any(n for kind in quiet.counts.values() if isinstance(kind, dict)
                   for n in kind.values() if isinstance(n, int)), quiet.counts
    assert world.fake.store.outbox and all(m.event_id == event_id for m in world.fake.store.outbox)


def test_an_expired_delta_token_resyncs_in_full_and_finds_the_deletion_made_in_the_gap(world):
    kept, gone = world.outlook_meeting("Kept"), world.outlook_meeting("Deleted in the gap", days=1)
    assert world.sync().status == "succeeded" and len(world.sf_events()) == 2
    world.fake.store.expire_delta_tokens()
    world.fake.store.delete_event(world.address, gone)
    record = world.sync()
    assert record.status == "succeeded", record.errors
    assert [e["Subject"] for e in world.sf_events()] == ["Kept"]
    assert kept in {e["id"] for e in world.outlook()}


def test_a_429_storm_defers_the_session_then_it_completes_once(world):
    world.outlook_meeting("During the storm")
    world.fake.store.throttle(1000, retry_after=30)
    record = world.sync()
    assert record.status == "failed" and "429" in str(record.failure), record
    with world.rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, world.mailbox_id)
        assert mailbox.status == "active" and mailbox.next_sync_at is not None
        waited = mailbox.next_sync_at.replace(tzinfo=UTC) - datetime.now(UTC)
        assert waited >= timedelta(seconds=20)
    world.fake.store.throttle(0)
    assert world.sync().status == "succeeded"
    assert world.sync().status == "succeeded"
    assert [e["Subject"] for e in world.sf_events()] == ["During the storm"]


def test_an_outlook_series_with_a_moved_and_a_cancelled_occurrence_reaches_salesforce_as_its_occurrences(world):
    store, first = world.fake.store, START.replace(hour=15)
    master, _ = store.create_event(world.address, {
        "subject": "Weekly sync", "originalStartTimeZone": "America/New_York",
        "start": {"dateTime": first.strftime(FMT), "timeZone": "UTC"},
        "end": {"dateTime": (first + timedelta(minutes=45)).strftime(FMT), "timeZone": "UTC"},
        "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [
            first.astimezone(ZoneInfo("America/New_York")).strftime("%A").lower()], "firstDayOfWeek": "sunday"},
            "range": {"type": "numbered", "numberOfOccurrences": 4, "recurrenceTimeZone": "America/New_York",
                      "startDate": first.date().isoformat()}}})
    occurrences = store.instances(world.address, master["id"], START - timedelta(days=1), START + timedelta(days=60))
    moved_to = first + timedelta(days=7, hours=2)
    store.update_event(world.address, occurrences[1]["id"], {
        "start": {"dateTime": moved_to.strftime(FMT), "timeZone": "UTC"},
        "end": {"dateTime": (moved_to + timedelta(minutes=45)).strftime(FMT), "timeZone": "UTC"}})
    store.delete_event(world.address, occurrences[2]["id"])
    record = world.sync()
    assert record.status == "succeeded" and record.errors == [], record.errors
    starts = sorted(parse_sf_datetime(e["StartDateTime"]) for e in world.sf_events())
    assert starts == [first, moved_to, first + timedelta(days=21)]
    assert {e["Subject"] for e in world.sf_events()} == {"Weekly sync"}

    store.delete_event(world.address, master["id"])
    assert world.sync().status == "succeeded"
    assert world.sf_events() == []


def test_a_refused_secret_waits_for_reauthorisation_and_the_token_cache_is_kept_encrypted(world):
    world.outlook_meeting("Before the secret rotated")
    assert world.sync().status == "succeeded"
    with world.rt.db.session_scope() as s:
        profile = s.get(Mailbox, world.mailbox_id).server_profile
        cache = world.rt.secrets.decrypt(profile.settings["token_cache_enc"])
        assert "AccessToken" in cache and "app-secret" not in cache
    tokens_before = len(world.fake.store.access_tokens)
    assert world.sync().status == "succeeded"
    assert len(world.fake.store.access_tokens) == tokens_before      # the cached token was reused

    world.fake.store.register_client("app-1", "rotated-secret")
    world.fake.store.access_tokens.clear()                           # the old token no longer works either
    assert world.sync().status == "failed"
    with world.rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, world.mailbox_id)
        assert mailbox.status == "needs_reauth" and "invalid_client" in mailbox.status_reason
    rotated = world.client.put(f"/api/v1/orgs/{world.user.org_id}/server-profiles/{world.profile_id}/client-secret",
                               headers=world.headers, json={"client_secret": "rotated-secret"})
    assert rotated.status_code == 200 and "rotated" not in rotated.get_data(as_text=True)
    with world.rt.db.session_scope() as s:
        assert s.get(Mailbox, world.mailbox_id).status == "active"
    assert world.sync().status == "succeeded"
    world.fake.store.register_client("app-1", "app-secret")


def test_a_salesforce_series_is_written_as_one_graph_recurrence_with_its_exceptions(world):
    berlin = ZoneInfo("Europe/Berlin")
    day = START.astimezone(berlin).date()
    day += timedelta(days=(1 - day.weekday()) % 7)
    first = datetime(day.year, day.month, day.day, 10, tzinfo=berlin)
    stamp = "%Y-%m-%dT%H:%M:%S.000+0000"
    master = world.emu.insert(world.sf_org, "Event", {
        "Subject": "Pipeline call", "IsRecurrence": True, "StartDateTime": first.astimezone(UTC).strftime(stamp),
        "EndDateTime": (first + timedelta(minutes=30)).astimezone(UTC).strftime(stamp),
        "RecurrenceStartDateTime": first.astimezone(UTC).strftime(stamp),
        "RecurrenceEndDateOnly": (first + timedelta(weeks=5)).date().isoformat(),
        "RecurrenceType": "RecursWeekly", "RecurrenceInterval": 1, "RecurrenceDayOfWeekMask": 4,
        "RecurrenceTimeZoneSidKey": "Europe/Berlin", "OwnerId": world.sf_user})
    kids = sorted((e for e in world.sf_events() if e.get("RecurrenceActivityId") == master),
                  key=lambda e: e["StartDateTime"])
    world.sf_delete("Event", kids[3]["Id"])
    world.emu.update(world.sf_org, "Event", kids[4]["Id"], {"Location": "Berlin office"})
    before = sorted(e["Id"] for e in world.sf_events())
    record = world.sync()
    assert record.status == "succeeded" and record.errors == [], record.errors
    [series] = world.outlook()
    assert series["type"] == "seriesMaster" and series["attendees"] == []
    assert series["recurrence"]["pattern"]["type"] == "weekly"
    assert series["recurrence"]["pattern"]["daysOfWeek"] == ["tuesday"]
    instances = world.fake.store.instances(world.address, series["id"], START - timedelta(days=7),
                                           START + timedelta(days=60))
    local = [datetime.fromisoformat(i["start"]["dateTime"][:19]).replace(tzinfo=UTC).astimezone(berlin)
             for i in instances]
    assert len(instances) == 5 and {t.hour for t in local} == {10}
    assert first + timedelta(weeks=3) not in local
    assert [i.get("location", {}).get("displayName") for i in instances].count("Berlin office") == 1
    quiet = world.sync()
    assert quiet.status == "succeeded" and quiet.errors == []
    assert sorted(e["Id"] for e in world.sf_events()) == before     # nothing came back as a new Event

    world.emu.update(world.sf_org, "Event", kids[1]["Id"], {"Subject": "Pipeline call (prep)"})
    world.sf_delete("Event", kids[2]["Id"])
    assert world.sync().status == "succeeded"
    subjects = [i["subject"] for i in world.fake.store.instances(world.address, series["id"], START - timedelta(days=7),
                                                                 START + timedelta(days=60))]
    assert len(subjects) == 4 and subjects.count("Pipeline call (prep)") == 1
    assert len(world.outlook()) == 1


def test_salesforce_changes_to_an_outlook_meeting_with_attendees_are_not_mailed_but_reported(world):
    world.outlook_meeting("Customer kickoff", guests=("buyer@fabrikam.test", "cfo@fabrikam.test"))
    assert world.sync().status == "succeeded"
    [event] = world.sf_events()
    world.emu.update(world.sf_org, "Event", event["Id"], {"Subject": "Customer kickoff (moved)"})
    record = world.sync()                      # sync() itself asserts the outbox did not grow
    [error] = record.errors
    assert "2 attendee(s)" in error["reason"] and "Exchange would mail" in error["reason"], error
    assert [e["subject"] for e in world.outlook()] == ["Customer kickoff"]
    world.sf_delete("Event", event["Id"])
    record = world.sync()
    assert any("Exchange would mail" in e["reason"] for e in record.errors), record.errors
    assert len(world.outlook()) == 1


def test_writes_throttled_inside_a_batch_are_retried_by_the_next_session_and_never_duplicated(world):
    for day in (1, 2):
        world.emu.insert(world.sf_org, "Event", {
            "Subject": f"Throttled {day}", "OwnerId": world.sf_user,
            "StartDateTime": (START + timedelta(days=day)).strftime(FMT + ".000+0000"),
            "EndDateTime": (START + timedelta(days=day, hours=1)).strftime(FMT + ".000+0000")})
    world.fake.store.throttle(1, retry_after=5, match="POST /v1.0/users/")   # one create inside the $batch
    first = world.sync()
    assert len(world.outlook()) == 1
    assert [e["code"] for e in first.errors] == ["throttled"] and first.errors[0]["will_retry"], first.errors
    assert world.sync().status == "succeeded"
    assert sorted(e["subject"] for e in world.outlook()) == ["Throttled 1", "Throttled 2"]
    assert world.sync().status == "succeeded" and len(world.outlook()) == 2
