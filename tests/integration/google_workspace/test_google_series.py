"""Recurring series through the Google adapter: read as ONE item (RRULE + exceptions) from Google's
masters, exception events and cancelled occurrences; written back as RRULE + EXDATE with the moved
occurrences patched - all without a mail."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.sync.items import CalendarException, CalendarItem, FolderKind, occurrence_id
from app.sync.ports import ItemPatch
from tests.integration.google_workspace.conftest import NOW

CAL = FolderKind.CALENDAR
FIRST = (NOW + timedelta(days=1)).replace(hour=9, minute=0, second=0)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _weekly(store, user) -> dict:
    return store.insert_event(user, {
        "summary": "Standup", "start": {"dateTime": FIRST.isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (FIRST + timedelta(minutes=30)).isoformat(), "timeZone": "UTC"},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=6"]})


def test_a_series_with_a_moved_and_a_cancelled_occurrence_reads_as_one_item(google_fake, google_mailbox, google_user):
    store = google_fake.store
    master = _weekly(store, google_user)
    second, third = FIRST + timedelta(weeks=1), FIRST + timedelta(weeks=2)
    store.patch_event(google_user, f"{master['id']}_{_stamp(second)}", {
        "start": {"dateTime": (second + timedelta(hours=2)).isoformat(), "timeZone": "UTC"},
        "end": {"dateTime": (second + timedelta(hours=2, minutes=30)).isoformat(), "timeZone": "UTC"}}, None, None)
    store.delete_event(google_user, f"{master['id']}_{_stamp(third)}", None, None)
    changes = google_mailbox.changes_since(CAL, None)
    [series] = changes.items
    assert isinstance(series, CalendarItem)
    assert (series.item_id, series.rrule, series.start) == (master["id"], "FREQ=WEEKLY;COUNT=6", FIRST)
    assert series.exceptions == (
        CalendarException(second, start=second + timedelta(hours=2), end=second + timedelta(hours=2, minutes=30)),
        CalendarException(third, cancelled=True))
    # a later change to one occurrence brings the whole series back, not a loose occurrence
    fourth = FIRST + timedelta(weeks=3)
    store.patch_event(google_user, f"{master['id']}_{_stamp(fourth)}", {"summary": "Standup (demo)"}, None, None)
    later = google_mailbox.changes_since(CAL, changes.cursor)
    assert [i.item_id for i in later.items] == [master["id"]]
    assert CalendarException(fourth, subject="Standup (demo)") in later.items[0].exceptions


def test_a_series_is_written_as_rrule_and_exdate_with_moved_occurrences_patched(google_fake, google_mailbox, google_user):
    store = google_fake.store
    second, fourth = FIRST + timedelta(days=1), FIRST + timedelta(days=3)
    item = CalendarItem(item_id="", uid="", subject="Daily sync", start=FIRST, end=FIRST + timedelta(minutes=15),
                        timezone="Europe/Berlin", rrule="FREQ=DAILY;COUNT=5", sync_key="series-key",
                        exceptions=(CalendarException(second, cancelled=True),
                                    CalendarException(fourth, start=fourth + timedelta(hours=1),
                                                      end=fourth + timedelta(hours=1, minutes=15), subject="Late sync")))
    created = google_mailbox.create_items(CAL, [item])[0]
    assert created.ok, created
    event = store.calendar(google_user).events[str(created.target_id)]
    assert event["recurrence"] == ["RRULE:FREQ=DAILY;COUNT=5", f"EXDATE:{_stamp(second)}"]
    [back] = google_mailbox.get_items(CAL, [str(created.target_id)])
    assert isinstance(back, CalendarItem)
    assert (back.rrule, back.timezone, back.sync_key) == ("FREQ=DAILY;COUNT=5", "Europe/Berlin", "series-key")
    assert back.exceptions == item.exceptions
    # one occurrence cancelled, another retitled, through occurrence ids
    third = FIRST + timedelta(days=2)
    assert google_mailbox.delete_items(CAL, [occurrence_id(str(created.target_id), third)])[0].ok
    assert google_mailbox.update_items(CAL, [ItemPatch(occurrence_id(str(created.target_id), FIRST),
                                                       {"subject": "Kick-off"})])[0].ok
    [after] = google_mailbox.get_items(CAL, [str(created.target_id)])
    assert CalendarException(third, cancelled=True) in after.exceptions
    assert CalendarException(FIRST, subject="Kick-off") in after.exceptions
    assert {w["sendUpdates"] for w in store.writes if w["event"].startswith(str(created.target_id))} == {"none"}
    assert not store.outbox


def test_a_deleted_series_is_reported_deleted(google_fake, google_mailbox, google_user):
    store = google_fake.store
    master = _weekly(store, google_user)
    cursor = google_mailbox.changes_since(CAL, None).cursor
    store.delete_event(google_user, master["id"], None, None)
    changes = google_mailbox.changes_since(CAL, cursor)
    assert (changes.items, changes.deleted_ids) == ((), (master["id"],))


def test_an_all_day_series_keeps_its_cancelled_days(google_fake, google_mailbox, google_user):
    store = google_fake.store
    day = FIRST.date()
    master = store.insert_event(google_user, {
        "summary": "Site visit", "start": {"date": day.isoformat()}, "end": {"date": (day + timedelta(days=1)).isoformat()},
        "recurrence": ["RRULE:FREQ=WEEKLY;COUNT=4"]})
    second = datetime.combine(day + timedelta(weeks=1), datetime.min.time(), UTC)
    assert google_mailbox.delete_items(CAL, [occurrence_id(master["id"], second)])[0].ok
    [series] = google_mailbox.get_items(CAL, [master["id"]])
    assert (series.all_day, series.start_date, series.exceptions) == (True, day, (CalendarException(second, cancelled=True),))
    item = CalendarItem(item_id="", uid="", subject="Offsite", all_day=True, start_date=day,
                        end_date=day + timedelta(days=1), rrule="FREQ=DAILY;COUNT=3", sync_key="all-day-key",
                        exceptions=(CalendarException(datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC),
                                                      cancelled=True),))
    created = google_mailbox.create_items(CAL, [item])[0]
    assert store.calendar(google_user).events[str(created.target_id)]["recurrence"] == [
        "RRULE:FREQ=DAILY;COUNT=3", f"EXDATE;VALUE=DATE:{day + timedelta(days=1):%Y%m%d}"]
    [back] = google_mailbox.get_items(CAL, [str(created.target_id)])
    assert back.exceptions == item.exceptions
