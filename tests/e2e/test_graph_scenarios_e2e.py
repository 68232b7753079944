"""Issue 12's calendar scenarios through the REAL worker: Graph fake ⇄ `python -m app worker` ⇄
Salesforce emulator. Every forced session asserts the product mailed nobody (Office365User.sync),
and every scenario ends proving the only invitations sent were the user's own Outlook actions."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.models import IdMapRow, Mailbox
from app.sync.transforms import parse_sf_datetime
from tests.e2e.graph_world import FMT, office365_user
from tests.e2e.helpers import NOW
from tests.e2e.shared_scenarios import force_sync_and_suspend_resume, salesforce_series_with_exceptions, wrote_nothing

START = NOW + timedelta(days=3)


def test_meetings_flow_both_ways_and_our_own_writes_do_not_come_back(e2e, factory):
    ann = office365_user(e2e, factory)
    ann.meeting("Pipeline review", START, guests=("buyer@fabrikam.test",))
    ann.sf_event("Demo from Salesforce", START + timedelta(days=1))
    asked = len(ann.store.preferences)
    ann.sync()
    assert all('IdType="ImmutableId"' in p for p in ann.store.preferences[asked:])   # $batch parts included
    assert sorted(e["Subject"] for e in ann.sf_events()) == ["Demo from Salesforce", "Pipeline review"]
    [demo] = [e for e in ann.outlook() if e["subject"] == "Demo from Salesforce"]
    assert demo["attendees"] == [] and demo["transactionId"]
    stamps = {e["Id"]: e["SystemModstamp"] for e in ann.sf_events()}
    quiet = ann.sync()      # changeKey: the event we wrote is not a change to push back to Salesforce
    assert wrote_nothing(quiet), quiet["counts"]
    assert quiet["counts"]["calendar"]["skipped_because"] == {"echo of our own write": 1}, quiet["counts"]
    assert {e["Id"]: e["SystemModstamp"] for e in ann.sf_events()} == stamps
    assert ann.store.mailbox(ann.address).events[demo["id"]]["changeKey"] == demo["changeKey"]

    [sf_demo] = [e for e in ann.sf_events() if e["Subject"] == "Demo from Salesforce"]
    e2e.emu.update(ann.sf_org, "Event", sf_demo["Id"], {"Subject": "Demo (renamed in Salesforce)"})
    review = next(e for e in ann.outlook() if e["subject"] == "Pipeline review")
    ann.edit(review["id"], {"location": {"displayName": "Room 12"}})
    ann.sync()
    assert ann.subjects() == ["Demo (renamed in Salesforce)", "Pipeline review"]
    assert {e["Subject"]: e["Location"] for e in ann.sf_events()}["Pipeline review"] == "Room 12"
    keys = {e["id"]: e["changeKey"] for e in ann.outlook()}
    stamps = {e["Id"]: e["SystemModstamp"] for e in ann.sf_events()}
    assert wrote_nothing(ann.sync())         # neither update comes back to the side it came from
    assert {e["id"]: e["changeKey"] for e in ann.outlook()} == keys
    assert {e["Id"]: e["SystemModstamp"] for e in ann.sf_events()} == stamps
    ann.assert_no_invitation_from_the_product()


def test_a_meeting_shared_by_two_synced_users_is_one_salesforce_event_related_to_both(e2e, factory):
    ann = office365_user(e2e, factory)
    bob = office365_user(e2e, factory, colleague_of=ann)
    buyer = e2e.emu.insert(ann.sf_org, "Contact", {"LastName": "Buyer", "Email": "buyer@fabrikam.test"})
    ann.meeting("Pricing call", START, guests=(bob.address, "buyer@fabrikam.test"))
    [bobs_copy] = bob.outlook()
    assert bobs_copy["iCalUId"] == ann.outlook()[0]["iCalUId"] and not bobs_copy["isOrganizer"]
    ann.sync()
    bob.sync()
    [event] = ann.sf_events()
    assert (event["Subject"], event["OwnerId"]) == ("Pricing call", ann.sf_user)
    with e2e.rt.db.session_scope() as s:
        rows = s.scalars(select(IdMapRow).where(IdMapRow.mailbox_id.in_((ann.mailbox_id, bob.mailbox_id)),
                                                IdMapRow.kind == "calendar")).all()
        assert sorted((r.mailbox_id, r.crm_id) for r in rows) == [(ann.mailbox_id, event["Id"]),
                                                                    (bob.mailbox_id, event["Id"])]
    relations = [r for r in e2e.emu.records(ann.sf_org, "EventRelation") if r["EventId"] == event["Id"]]
    assert [r["RelationId"] for r in relations] == [buyer]

    ann.edit(ann.outlook()[0]["id"], {"subject": "Pricing call (moved)"})    # Exchange updates Bob's copy
    bob.sync()
    ann.sync()
    assert [(e["Id"], e["Subject"]) for e in ann.sf_events()] == [(event["Id"], "Pricing call (moved)")]
    assert bob.subjects() == ["Pricing call (moved)"] and ann.subjects() == ["Pricing call (moved)"]

    ann.delete(ann.outlook()[0]["id"])        # the organiser cancels: Bob's copy stays, marked cancelled
    ann.sync()
    assert [e["Id"] for e in ann.sf_events()] == [event["Id"]]       # Bob's calendar still holds it
    bob.sync()
    assert ann.sf_events() == []              # the org's policy: a cancelled meeting deletes its Event
    assert [e["isCancelled"] for e in bob.outlook()] == [True]
    ann.assert_no_invitation_from_the_product()
    bob.assert_no_invitation_from_the_product()


def _weekly(first: datetime, zone: str, count: int) -> dict:
    return {"pattern": {"type": "weekly", "interval": 1, "firstDayOfWeek": "sunday",
                        "daysOfWeek": [first.astimezone(ZoneInfo(zone)).strftime("%A").lower()]},
            "range": {"type": "numbered", "numberOfOccurrences": count, "recurrenceTimeZone": zone,
                      "startDate": first.astimezone(ZoneInfo(zone)).date().isoformat()}}


def test_an_outlook_series_with_a_moved_and_a_cancelled_occurrence_syncs_both_ways(e2e, factory):
    ann = office365_user(e2e, factory)
    store, first = ann.store, START.replace(hour=15)
    master = ann.meeting("Weekly sync", first, recurrence=_weekly(first, "America/New_York", 5),
                         originalStartTimeZone="America/New_York")
    occurrences = store.instances(ann.address, master, START - timedelta(days=1), START + timedelta(days=60))
    moved_to = first + timedelta(days=7, hours=2)
    ann.edit(occurrences[1]["id"], {"start": {"dateTime": moved_to.strftime(FMT), "timeZone": "UTC"},
                                    "end": {"dateTime": (moved_to + timedelta(hours=1)).strftime(FMT),
                                            "timeZone": "UTC"}})
    ann.delete(occurrences[2]["id"])
    ann.sync()
    by_start = {parse_sf_datetime(e["StartDateTime"]): e for e in ann.sf_events()}
    assert sorted(by_start) == [first, moved_to, first + timedelta(days=21), first + timedelta(days=28)]

    # Salesforce → Outlook: one occurrence renamed, one deleted; Outlook keeps ONE series
    e2e.emu.update(ann.sf_org, "Event", by_start[first]["Id"], {"Subject": "Weekly sync (kick-off)"})
    ann.sf_delete(by_start[first + timedelta(days=28)]["Id"])
    ann.sync()
    assert [e["type"] for e in ann.outlook()] == ["seriesMaster"]
    left = store.instances(ann.address, master, START - timedelta(days=1), START + timedelta(days=60))
    assert [i["subject"] for i in left] == ["Weekly sync (kick-off)", "Weekly sync", "Weekly sync"]
    assert wrote_nothing(ann.sync())
    assert len(ann.sf_events()) == 3
    ann.assert_no_invitation_from_the_product()


def test_a_salesforce_series_reaches_outlook_as_one_recurrence_with_its_exceptions(e2e, factory):
    ann = office365_user(e2e, factory)
    before = salesforce_series_with_exceptions(ann, START)
    ann.sync()
    [series] = ann.outlook()
    assert series["type"] == "seriesMaster" and series["recurrence"]["pattern"]["daysOfWeek"] == ["tuesday"]
    instances = ann.store.instances(ann.address, series["id"], START - timedelta(days=7), START + timedelta(days=60))
    assert [i["subject"] for i in instances] == ["Pipeline call", "Pipeline call (prep)", "Pipeline call"]
    second = ann.sync()             # reads our own series back: nothing goes either way
    assert wrote_nothing(second), second["counts"]
    assert sorted(e["Id"] for e in ann.sf_events()) == before and len(ann.outlook()) == 1
    ann.assert_no_invitation_from_the_product()


def test_force_sync_and_suspend_resume_through_the_api(e2e, factory):
    force_sync_and_suspend_resume(office365_user(e2e, factory), START)


def test_an_expired_delta_token_finds_the_deletions_and_edits_made_in_the_gap(e2e, factory):
    ann = office365_user(e2e, factory)
    kept = ann.meeting("Kept", START)
    gone = ann.meeting("Deleted in the gap", START + timedelta(days=1))
    edited = ann.meeting("Edited in the gap", START + timedelta(days=2))
    weekly = ann.meeting("Weekly", START.replace(hour=9), recurrence=_weekly(START.replace(hour=9), "UTC", 3))
    ann.sf_event("Written by us, deleted in the gap", START + timedelta(days=4))
    ann.sync()
    assert len(ann.sf_events()) == 7
    ann.store.expire_delta_tokens()
    ann.delete(gone)
    ann.delete(next(e["id"] for e in ann.outlook() if e["subject"] == "Written by us, deleted in the gap"))
    ann.delete(ann.store.instances(ann.address, weekly, START - timedelta(days=1), START + timedelta(days=60))[1]["id"])
    ann.edit(edited, {"subject": "Edited in the gap (new title)"})
    ann.meeting("Created in the gap", START + timedelta(days=3))
    ann.sync()
    assert sorted(e["Subject"] for e in ann.sf_events()) == ["Created in the gap", "Edited in the gap (new title)",
                                                             "Kept", "Weekly", "Weekly"]
    assert kept in {e["id"] for e in ann.outlook()}
    assert wrote_nothing(ann.sync())
    ann.assert_no_invitation_from_the_product()


def test_a_429_storm_ends_with_everything_synced_once(e2e, factory):
    ann = office365_user(e2e, factory)
    for n in range(3):
        ann.meeting(f"Outlook meeting {n}", START + timedelta(days=n, hours=1))
    for n in range(8):
        ann.sf_event(f"Salesforce meeting {n}", START + timedelta(days=n, hours=4))
    ann.store.throttle(2, retry_after=30)                                  # the session's first calls
    for _ in range(2):
        failed = ann.sync(status="failed")
        assert "429" in str(failed["failure"]), failed
        with e2e.rt.db.session_scope() as s:                               # the schedule honours Retry-After
            waited = s.get(Mailbox, ann.mailbox_id).next_sync_at.replace(tzinfo=UTC) - datetime.now(UTC)
            assert waited >= timedelta(seconds=20), waited
    ann.store.throttle(10, retry_after=1, match="POST /v1.0/users/")        # then most writes, batch by batch
    sessions = [ann.sync(status=None) for _ in range(4)]
    assert sessions[0]["status"] != "succeeded" and sessions[-1]["status"] == "succeeded", sessions
    assert any(e["will_retry"] for s in sessions for e in s["errors"]), sessions
    expected_sf = sorted([f"Outlook meeting {n}" for n in range(3)] + [f"Salesforce meeting {n}" for n in range(8)])
    assert sorted(e["Subject"] for e in ann.sf_events()) == expected_sf
    assert ann.subjects() == expected_sf
    ann.assert_no_invitation_from_the_product()


def test_a_create_whose_answer_was_lost_is_retried_into_one_event(e2e, factory):
    ann = office365_user(e2e, factory)
    ann.sf_event("Answer lost", START)
    ann.store.lost_answers.lose(1, match=f"POST /v1.0/users/{ann.address}/events")   # created; answer: 504
    lost = ann.sync(status=None)
    assert ann.store.lost_answers.left == 0 and ann.subjects() == ["Answer lost"]
    assert [(e["code"], e["will_retry"]) for e in lost["errors"]] == [("temporary", True)], lost
    ann.sync()
    ann.sync()
    assert ann.subjects() == ["Answer lost"] and [e["Subject"] for e in ann.sf_events()] == ["Answer lost"]
    ann.assert_no_invitation_from_the_product()


def test_a_weekly_meeting_shared_by_two_synced_users_is_one_event_per_occurrence(e2e, factory):
    ann = office365_user(e2e, factory)
    bob = office365_user(e2e, factory, colleague_of=ann)
    first = START.replace(hour=14)
    master = ann.meeting("Team weekly", first, guests=(bob.address,), recurrence=_weekly(first, "Europe/Paris", 3),
                         originalStartTimeZone="Europe/Paris")
    ann.delete(ann.store.instances(ann.address, master, START - timedelta(days=1), START + timedelta(days=60))[2]["id"])
    ann.sync()
    bob.sync()
    starts = sorted(parse_sf_datetime(e["StartDateTime"]) for e in ann.sf_events())
    assert starts == [first, first + timedelta(days=7)]
    bob.sync()
    ann.sync()
    assert len(ann.sf_events()) == 2
    ann.assert_no_invitation_from_the_product()
    bob.assert_no_invitation_from_the_product()
