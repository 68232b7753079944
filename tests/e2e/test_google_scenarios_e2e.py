"""Issue 13's calendar scenarios through the REAL worker: Google fake ⇄ `python -m app worker` ⇄
Salesforce emulator. Every forced session asserts the product's writes all said ``sendUpdates=none``
and Google mailed nobody for them; every scenario ends proving the only invitations sent were the
users' own actions in Google Calendar."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.models import IdMapRow
from app.sync.transforms import parse_sf_datetime
from tests.e2e.google_world import google_user
from tests.e2e.helpers import NOW
from tests.e2e.shared_scenarios import force_sync_and_suspend_resume, salesforce_series_with_exceptions, wrote_nothing

START = NOW + timedelta(days=3)
WIDE = (START - timedelta(days=7), START + timedelta(days=60))


def _moved(start: datetime, zone: str = "UTC") -> dict:
    return {"start": {"dateTime": start.isoformat(), "timeZone": zone},
            "end": {"dateTime": (start + timedelta(hours=1)).isoformat(), "timeZone": zone}}


def test_a_meeting_shared_by_two_google_users_is_one_salesforce_event(e2e, factory):
    ann = google_user(e2e, factory)
    bob = google_user(e2e, factory, colleague_of=ann)
    buyer = e2e.emu.insert(ann.sf_org, "Contact", {"LastName": "Buyer", "Email": "buyer@fabrikam.test"})
    meeting = ann.meeting("Pricing call", START, guests=(bob.address, "buyer@fabrikam.test"))
    [bobs_copy] = bob.google()
    assert bobs_copy["id"] == meeting and bobs_copy["iCalUID"] == ann.google()[0]["iCalUID"]
    assert bobs_copy["organizer"]["email"] == ann.address
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

    ann.edit(meeting, {"summary": "Pricing call (moved)"})        # Google updates Bob's copy too
    bob.sync()
    ann.sync()
    assert [(e["Id"], e["Subject"]) for e in ann.sf_events()] == [(event["Id"], "Pricing call (moved)")]
    assert bob.summaries() == ["Pricing call (moved)"] and ann.summaries() == ["Pricing call (moved)"]

    ann.delete(meeting)                       # the organiser cancels: Bob's copy is cancelled with it
    ann.sync()
    bob.sync()
    assert ann.sf_events() == []
    ann.assert_no_invitation_from_the_product()
    bob.assert_no_invitation_from_the_product()


def test_a_google_series_with_a_moved_and_a_cancelled_occurrence_syncs_both_ways(e2e, factory):
    ann = google_user(e2e, factory)
    zone = "America/New_York"
    first = START.replace(hour=15)
    master = ann.meeting("Weekly sync", first.astimezone(ZoneInfo(zone)), zone=zone,
                         recurrence=["RRULE:FREQ=WEEKLY;COUNT=5"])
    occurrences = ann.instances(master, *WIDE)
    moved_to = first + timedelta(days=7, hours=2)
    ann.edit(occurrences[1]["id"], _moved(moved_to))
    ann.delete(occurrences[2]["id"])
    ann.sync()
    by_start = {parse_sf_datetime(e["StartDateTime"]): e for e in ann.sf_events()}
    assert sorted(by_start) == [first, moved_to, first + timedelta(days=21), first + timedelta(days=28)]

    # Salesforce → Google: one occurrence renamed, one deleted; Google keeps ONE series
    e2e.emu.update(ann.sf_org, "Event", by_start[first]["Id"], {"Subject": "Weekly sync (kick-off)"})
    ann.sf_delete(by_start[first + timedelta(days=28)]["Id"])
    ann.sync()
    assert [e["id"] for e in ann.google() if not e.get("recurringEventId")] == [master]
    assert all(e["recurringEventId"] == master for e in ann.google() if e["id"] != master)   # no loose events
    left = ann.instances(master, *WIDE)
    assert [(i["summary"], i["start"]["dateTime"]) for i in left] == [
        ("Weekly sync (kick-off)", left[0]["start"]["dateTime"]), ("Weekly sync", left[1]["start"]["dateTime"]),
        ("Weekly sync", left[2]["start"]["dateTime"])]
    assert datetime.fromisoformat(left[1]["start"]["dateTime"]) == moved_to
    assert wrote_nothing(ann.sync())
    assert len(ann.sf_events()) == 3
    ann.assert_no_invitation_from_the_product()


def test_a_salesforce_series_reaches_google_as_one_recurrence_with_its_exceptions(e2e, factory):
    ann = google_user(e2e, factory)
    before = salesforce_series_with_exceptions(ann, START)
    ann.sync()
    [series] = [e for e in ann.google() if not e.get("recurringEventId")]
    assert any(line.startswith("RRULE:") and "BYDAY=TU" in line for line in series["recurrence"]), series
    assert any(line.startswith("EXDATE") for line in series["recurrence"]), series      # the deleted occurrence
    assert series["start"]["timeZone"] == "Europe/Berlin"
    assert all(e["recurringEventId"] == series["id"] for e in ann.google() if e["id"] != series["id"])
    instances = ann.instances(series["id"], *WIDE)
    assert [i["summary"] for i in instances] == ["Pipeline call", "Pipeline call (prep)", "Pipeline call"]
    wrote, asked = len(ann.store.writes), len(ann.e2e.emu.requests_text(ann.sf_org))
    second = ann.sync()          # reads our own series back: nothing goes either way
    assert ann.store.writes[wrote:] == []
    assert wrote_nothing(second), second["counts"]
    assert "PATCH" not in ann.e2e.emu.requests_text(ann.sf_org)[asked:], "Syncline_Cancelled__c null → false echo"
    assert wrote_nothing(ann.sync())
    assert sorted(e["Id"] for e in ann.sf_events()) == before
    ann.assert_no_invitation_from_the_product()


def test_force_sync_and_suspend_resume_through_the_api(e2e, factory):
    force_sync_and_suspend_resume(google_user(e2e, factory), START)


def test_expired_sync_token_and_history_id_find_what_changed_in_the_gap(e2e, factory):
    ann = google_user(e2e, factory)
    kept = ann.meeting("Kept", START)
    gone = ann.meeting("Deleted in the gap", START + timedelta(days=1))
    edited = ann.meeting("Edited in the gap", START + timedelta(days=2))
    weekly = ann.meeting("Weekly", START.replace(hour=9), recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])
    ann.sf_event("Written by us, deleted in the gap", START + timedelta(days=4))
    gmail = ann.store.gmail
    gmail.add_message(ann.address, {"From": "client@customer.test", "To": ann.address, "Subject": "Before",
                                    "Message-ID": "<before@customer.test>"}, labels=("INBOX", "Salesforce"))
    ann.sync()
    assert len(ann.sf_events()) == 7
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 1

    ann.store.expire_sync_tokens()            # 410 fullSyncRequired on the next events.list
    gmail.forget_history(ann.address)         # 404 on the next history.list
    ann.delete(gone)
    ann.delete(next(e["id"] for e in ann.google() if e.get("summary") == "Written by us, deleted in the gap"))
    ann.delete(ann.instances(weekly, *WIDE)[1]["id"])
    ann.edit(edited, {"summary": "Edited in the gap (new title)"})
    ann.meeting("Created in the gap", START + timedelta(days=3))
    gmail.add_message(ann.address, {"From": "client@customer.test", "To": ann.address, "Subject": "In the gap",
                                    "Message-ID": "<gap@customer.test>"}, labels=("INBOX", "Salesforce"))
    ann.sync()
    assert sorted(e["Subject"] for e in ann.sf_events()) == ["Created in the gap", "Edited in the gap (new title)",
                                                             "Kept", "Weekly", "Weekly"]
    assert sorted(m["MessageIdentifier"] for m in e2e.emu.records(ann.sf_org, "EmailMessage")) == [
        "<before@customer.test>", "<gap@customer.test>"]
    assert kept in {e["id"] for e in ann.google()}
    assert wrote_nothing(ann.sync())
    ann.assert_no_invitation_from_the_product()


def test_salesforce_meetings_with_guests_reach_google_without_one_invitation(e2e, factory):
    ann = google_user(e2e, factory)
    guest = e2e.emu.insert(ann.sf_org, "Contact", {"LastName": "Guest", "Email": "guest@fabrikam.test"})
    event = ann.sf_event("Demo with a guest", START)
    e2e.emu.insert(ann.sf_org, "EventRelation", {"EventId": event, "RelationId": guest, "IsInvitee": True})
    ann.sync()
    [mirrored] = ann.google()
    assert mirrored["summary"] == "Demo with a guest" and not mirrored.get("attendees")
    e2e.emu.update(ann.sf_org, "Event", event, {"Subject": "Demo (renamed)"})
    ann.sync()
    ann.sf_delete(event)
    ann.sync()
    assert ann.google() == []
    mine = [w for w in ann.store.writes if w["event"] == mirrored["id"]]
    assert [w["what"] for w in mine] == ["invitation", "update", "cancellation"]
    assert {w["sendUpdates"] for w in mine} == {"none"}
    assert ann.sent_by_user == 0 and not [m for m in ann.store.outbox if m.get("from") == ann.address]


def test_a_weekly_meeting_shared_by_two_google_users_is_one_event_per_occurrence(e2e, factory):
    ann = google_user(e2e, factory)
    bob = google_user(e2e, factory, colleague_of=ann)
    zone = "Europe/Paris"
    first = START.replace(hour=14)
    master = ann.meeting("Team weekly", first.astimezone(ZoneInfo(zone)), guests=(bob.address,), zone=zone,
                         recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])
    ann.delete(ann.instances(master, *WIDE)[2]["id"])          # Bob's copy loses that occurrence too
    assert len(bob.instances(master, *WIDE)) == 2
    ann.sync()
    bob.sync()
    starts = sorted(parse_sf_datetime(e["StartDateTime"]) for e in ann.sf_events())
    assert starts == [first, first + timedelta(days=7)]
    bob.sync()
    ann.sync()
    assert len(ann.sf_events()) == 2
    ann.assert_no_invitation_from_the_product()
    bob.assert_no_invitation_from_the_product()


def test_an_occurrence_edited_in_google_after_the_series_synced_reaches_salesforce(e2e, factory):
    ann = google_user(e2e, factory)
    first = START.replace(hour=11)
    master = ann.meeting("Stand-up", first, recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])
    ann.sync()
    assert len(ann.sf_events()) == 3
    second = ann.instances(master, *WIDE)[1]
    ann.edit(second["id"], {"summary": "Stand-up (demo day)"})     # only the occurrence changes, not the master
    ann.delete(ann.instances(master, *WIDE)[2]["id"])
    ann.sync()
    assert sorted((parse_sf_datetime(e["StartDateTime"]), e["Subject"]) for e in ann.sf_events()) == [
        (first, "Stand-up"), (first + timedelta(days=7), "Stand-up (demo day)")]
    assert wrote_nothing(ann.sync())
    ann.assert_no_invitation_from_the_product()


def test_a_series_deleted_and_a_meeting_moved_while_the_sync_token_expired_are_found(e2e, factory):
    ann = google_user(e2e, factory)
    series = ann.meeting("Weekly review", START.replace(hour=8), recurrence=["RRULE:FREQ=WEEKLY;COUNT=3"])
    single = ann.meeting("One-off", START + timedelta(days=1))
    ann.sync()
    assert len(ann.sf_events()) == 4
    ann.store.expire_sync_tokens()
    ann.delete(series)
    ann.edit(single, _moved(START + timedelta(days=2, hours=3)))
    ann.sync()
    [moved] = ann.sf_events()
    assert (moved["Subject"], parse_sf_datetime(moved["StartDateTime"])) == ("One-off", START + timedelta(days=2, hours=3))
    assert wrote_nothing(ann.sync())
    ann.assert_no_invitation_from_the_product()


def test_a_quota_storm_on_writes_ends_with_everything_synced_once(e2e, factory):
    ann = google_user(e2e, factory)
    for n in range(3):
        ann.meeting(f"Google meeting {n}", START + timedelta(days=n, hours=1))
    for n in range(6):
        ann.sf_event(f"Salesforce meeting {n}", START + timedelta(days=n, hours=4))
    ann.store.throttle(4, status=403, match="POST /calendar/v3/calendars/")     # the first inserts into Google
    sessions = [ann.sync(status=None) for _ in range(3)]
    assert ann.store.throttle_left == 0
    assert sessions[0]["status"] != "succeeded" and sessions[-1]["status"] == "succeeded", sessions
    assert any(e["will_retry"] for s in sessions for e in s["errors"]), sessions
    expected = sorted([f"Google meeting {n}" for n in range(3)] + [f"Salesforce meeting {n}" for n in range(6)])
    assert sorted(e["Subject"] for e in ann.sf_events()) == expected
    assert ann.summaries() == expected
    assert wrote_nothing(ann.sync())
    ann.assert_no_invitation_from_the_product()
