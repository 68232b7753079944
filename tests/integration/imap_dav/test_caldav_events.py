"""CalDAV calendar items against a real Radicale: reading what clients write, writing what
clients read, cursors, recurrence, time zones and idempotent creates."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from app.providers.imap_dav.davsync import encode_cursor
from app.sync.errors import CursorExpired
from app.sync.items import (
    Attendee,
    CalendarException,
    CalendarItem,
    FolderKind,
    ResponseStatus,
    ShowAs,
    occurrence_id,
)
from app.sync.ports import ItemPatch
from tests.integration.imap_dav import ics_samples
from tests.integration.imap_dav.dav_client import delete_raw, get_raw, put_raw, vevents

CAL = FolderKind.CALENDAR
BERLIN = ZoneInfo("Europe/Berlin")
UTC = UTC


def _meeting(key: str, **overrides) -> CalendarItem:
    values = dict(item_id="", uid=f"syncline-{key}@syncline", subject="Pricing call",
                  start=datetime(2026, 5, 4, 15, tzinfo=BERLIN), end=datetime(2026, 5, 4, 16, tzinfo=BERLIN),
                  timezone="Europe/Berlin", categories=("Salesforce",), sync_key=key)
    return CalendarItem(**{**values, **overrides})


def test_outlook_event_with_windows_time_zone_reads_as_core_item(dav_account, dav_mailbox):
    path = put_raw(dav_account, "calendar", "outlook-1.ics", ics_samples.OUTLOOK_WINDOWS_TZ)
    changes = dav_mailbox.changes_since(CAL, None)
    assert changes.full and [i.item_id for i in changes.items] == [path]
    item = changes.items[0]
    assert item.timezone == "Europe/Berlin"
    assert item.start == datetime(2026, 3, 10, 8, tzinfo=UTC) and item.end == datetime(2026, 3, 10, 9, 30, tzinfo=UTC)
    assert (item.subject, item.location, item.body_text) == ("Quarterly review", "Room 4", "Agenda\nline two")
    assert item.private and item.show_as is ShowAs.OUT_OF_OFFICE and item.categories == ("Salesforce",)
    assert item.organizer == "ann@acme.test"
    assert item.attendees == (Attendee("bob@client.test", "Bob", ResponseStatus.ACCEPTED, True),
                              Attendee("cy@client.test", "Cy", ResponseStatus.TENTATIVE, False))
    assert item.version and item.version == _etag_now(dav_mailbox, path)


def test_customized_time_zone_is_named_by_its_embedded_rules(dav_account, dav_mailbox):
    put_raw(dav_account, "calendar", "custom-tz.ics", ics_samples.OUTLOOK_CUSTOM_TZ)
    item = dav_mailbox.changes_since(CAL, None).items[0]
    assert item.start == datetime(2026, 7, 10, 13, tzinfo=UTC)  # 09:00 at UTC-4 (summer)
    assert item.timezone == "America/New_York"
    assert ZoneInfo(item.timezone).utcoffset(datetime(2026, 1, 10)).total_seconds() == -5 * 3600
    assert ZoneInfo(item.timezone).utcoffset(datetime(2026, 3, 9, 12)).total_seconds() == -4 * 3600


def test_updating_an_outlook_series_keeps_instants_zone_and_exceptions(dav_account, dav_mailbox):
    for name, text in (("win.ics", ics_samples.OUTLOOK_WINDOWS_TZ), ("custom.ics", ics_samples.OUTLOOK_CUSTOM_TZ),
                       ("weekly.ics", ics_samples.RECURRING_WITH_EXCEPTIONS)):
        path = put_raw(dav_account, "calendar", name, text)
        [before] = dav_mailbox.get_items(CAL, [path])
        assert dav_mailbox.update_items(CAL, [ItemPatch(path, {"subject": "edited"})])[0].ok
        [after] = dav_mailbox.get_items(CAL, [path])
        assert (after.subject, after.start, after.end, after.timezone) == ("edited", before.start, before.end,
                                                                           before.timezone)
        assert after.exceptions == before.exceptions


def test_all_day_event_uses_dates_with_exclusive_end(dav_account, dav_mailbox):
    put_raw(dav_account, "calendar", "allday.ics", ics_samples.ALL_DAY)
    item = dav_mailbox.changes_since(CAL, None).items[0]
    assert item.all_day and (item.start_date, item.end_date) == (date(2026, 4, 1), date(2026, 4, 3))
    assert item.start is None and item.show_as is ShowAs.FREE
    created = dav_mailbox.create_items(CAL, [_meeting("allday", all_day=True, start=None, end=None,
                                                       start_date=date(2026, 6, 1), end_date=date(2026, 6, 2))])[0]
    event = vevents(get_raw(dav_account, created.target_id))[0]
    assert event.decoded("DTSTART") == date(2026, 6, 1) and event.decoded("DTEND") == date(2026, 6, 2)


def test_series_keeps_moved_and_cancelled_occurrences_in_one_item(dav_account, dav_mailbox):
    path = put_raw(dav_account, "calendar", "weekly.ics", ics_samples.RECURRING_WITH_EXCEPTIONS)
    [series] = dav_mailbox.changes_since(CAL, None).items
    assert series.item_id == path and series.rrule == "FREQ=WEEKLY;COUNT=6"
    by_rid = {e.recurrence_id: e for e in series.exceptions}
    moved = by_rid[datetime(2026, 3, 9, 8, tzinfo=UTC)]
    assert moved.start == datetime(2026, 3, 10, 13, tzinfo=UTC) and moved.subject == "Standup (moved)"
    assert by_rid[datetime(2026, 3, 16, 8, tzinfo=UTC)].cancelled  # EXDATE
    assert by_rid[datetime(2026, 3, 23, 8, tzinfo=UTC)].cancelled  # STATUS:CANCELLED override


def test_occurrence_writes_become_overrides_and_exdates(dav_account, dav_mailbox):
    created = dav_mailbox.create_items(CAL, [_meeting("series", rrule="FREQ=DAILY;COUNT=5")])[0]
    second, third = (occurrence_id(created.target_id, datetime(2026, 5, d, 13, tzinfo=UTC)) for d in (5, 6))
    moved = dav_mailbox.update_items(CAL, [ItemPatch(second, {"start": datetime(2026, 5, 5, 17, tzinfo=BERLIN),
                                                              "end": datetime(2026, 5, 5, 18, tzinfo=BERLIN)})])
    cancelled = dav_mailbox.delete_items(CAL, [third])
    assert moved[0].ok and cancelled[0].ok and moved[0].target_id == second
    events = vevents(get_raw(dav_account, created.target_id))
    master = next(e for e in events if "RECURRENCE-ID" not in e)
    override = next(e for e in events if "RECURRENCE-ID" in e)
    assert override.decoded("DTSTART") == datetime(2026, 5, 5, 17, tzinfo=BERLIN)
    assert [d.dt for d in master["EXDATE"].dts] == [datetime(2026, 5, 6, 15, tzinfo=BERLIN)]
    [item] = dav_mailbox.get_items(CAL, [created.target_id])
    assert item.exceptions == (CalendarException(datetime(2026, 5, 5, 13, tzinfo=UTC), False,
                                                 datetime(2026, 5, 5, 17, tzinfo=BERLIN),
                                                 datetime(2026, 5, 5, 18, tzinfo=BERLIN)),
                               CalendarException(datetime(2026, 5, 6, 13, tzinfo=UTC), cancelled=True))


def test_port_writes_are_visible_to_the_users_client(dav_account, dav_mailbox):
    item = _meeting("k-write", subject="Größe – 会议 ✓", location="Zürich", body_text="Zeile 1\nZeile 2",
                    attendees=(Attendee("bob@client.test", "Bøb", ResponseStatus.DECLINED),))
    created = dav_mailbox.create_items(CAL, [item])[0]
    event = vevents(get_raw(dav_account, created.target_id))[0]
    assert str(event["SUMMARY"]) == "Größe – 会议 ✓" and str(event["LOCATION"]) == "Zürich"
    assert str(event["UID"]) == "syncline-k-write@syncline" and "Salesforce" in str(event.get("CATEGORIES").to_ical())
    assert event.decoded("DTSTART") == datetime(2026, 5, 4, 15, tzinfo=BERLIN)
    assert event["ATTENDEE"].params["PARTSTAT"] == "DECLINED"
    updated = dav_mailbox.update_items(CAL, [ItemPatch(created.target_id, {"subject": "Renamed"})])[0]
    assert updated.ok and updated.version != created.version
    assert str(vevents(get_raw(dav_account, created.target_id))[0]["SUMMARY"]) == "Renamed"
    assert dav_mailbox.delete_items(CAL, [created.target_id])[0].ok
    assert get_raw(dav_account, created.target_id) is None


def test_update_keeps_properties_the_core_does_not_map(dav_account, dav_mailbox):
    path = put_raw(dav_account, "calendar", "alarm.ics", ics_samples.ALL_DAY.replace(
        "END:VEVENT", "X-CLIENT-PRIVATE:keep me\nBEGIN:VALARM\nACTION:DISPLAY\nTRIGGER:-PT15M\n"
                      "DESCRIPTION:ring\nEND:VALARM\nEND:VEVENT"))
    assert dav_mailbox.update_items(CAL, [ItemPatch(path, {"location": "Hall 3"})])[0].ok
    event = vevents(get_raw(dav_account, path))[0]
    assert str(event["X-CLIENT-PRIVATE"]) == "keep me" and event.walk("VALARM")
    assert str(event["LOCATION"]) == "Hall 3"


def test_stale_etag_update_fails_as_temporary_and_changes_nothing(dav_account, dav_mailbox):
    created = dav_mailbox.create_items(CAL, [_meeting("k-stale")])[0]
    client = dav_mailbox.folders[CAL].client
    data = get_raw(dav_account, created.target_id)
    put_raw(dav_account, "calendar", created.target_id.rsplit("/", 1)[1], data.replace("Pricing call", "User edit"))
    with pytest.raises(Exception) as caught:
        client.put(created.target_id, data, created.version)
    assert getattr(caught.value, "code", "") == "temporary"
    assert "User edit" in get_raw(dav_account, created.target_id)


def test_cursor_reports_only_what_changed_and_tombstones(dav_account, dav_mailbox):
    first = put_raw(dav_account, "calendar", "a.ics", ics_samples.ALL_DAY)
    second = put_raw(dav_account, "calendar", "b.ics", ics_samples.OUTLOOK_WINDOWS_TZ)
    cursor = dav_mailbox.changes_since(CAL, None).cursor
    unchanged = dav_mailbox.changes_since(CAL, cursor)
    assert unchanged.items == () and unchanged.deleted_ids == () and not unchanged.full
    put_raw(dav_account, "calendar", "b.ics", ics_samples.OUTLOOK_WINDOWS_TZ.replace("Room 4", "Room 5"))
    changed = dav_mailbox.changes_since(CAL, unchanged.cursor)
    assert [i.item_id for i in changed.items] == [second] and changed.items[0].location == "Room 5"
    delete_raw(dav_account, first)
    gone = dav_mailbox.changes_since(CAL, changed.cursor)
    assert gone.items == () and gone.deleted_ids == (first,)


def test_invalid_sync_token_raises_cursor_expired(dav_mailbox):
    dav_mailbox.changes_since(CAL, None)
    collection = dav_mailbox.folders[CAL].client.collection.href
    with pytest.raises(CursorExpired):
        dav_mailbox.changes_since(CAL, encode_cursor(collection, t="http://radicale.org/ns/sync/0000"))
    with pytest.raises(CursorExpired):
        dav_mailbox.changes_since(CAL, "not-a-cursor")


def test_retried_create_finds_the_first_and_never_duplicates(dav_mailbox):
    first = dav_mailbox.create_items(CAL, [_meeting("k-retry")])[0]
    again = dav_mailbox.create_items(CAL, [_meeting("k-retry", subject="replayed")])[0]
    assert again.ok and (again.target_id, again.version) == (first.target_id, first.version)
    everything = dav_mailbox.changes_since(CAL, None).items
    assert [i.sync_key for i in everything] == ["k-retry"]
    found = dav_mailbox.find_by_sync_keys(CAL, ["k-retry", "never-created"])
    assert list(found) == ["k-retry"] and found["k-retry"].item_id == first.target_id


def test_many_items_are_read_with_batched_multiget(dav_account, dav_mailbox):
    for n in range(30):
        put_raw(dav_account, "calendar", f"bulk-{n}.ics", ics_samples.ALL_DAY.replace("allday-1", f"bulk-{n}"))
    dav_mailbox.changes_since(CAL, None)  # discovery happens on first use
    dav_mailbox.counter.reset()
    changes = dav_mailbox.changes_since(CAL, None)
    assert len(changes.items) == 30
    assert dav_mailbox.counter.total == 2  # one sync-collection, one calendar-multiget


def _etag_now(mailbox, path: str) -> str:
    return mailbox.get_items(CAL, [path])[0].version

