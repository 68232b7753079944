"""Value rules: time zones (incl. DST), all-day events, picklists, truncation, HTML, Unicode."""
from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from app.sync import EVENT_MAPPING, TASK_MAPPING, CalendarItem, ShowAs, TaskItem, TaskPriority, TaskStatus, bind_mapping
from app.sync.mapping import crm_values, item_changes, mailbox_values, record_fields
from app.sync.transforms import format_sf_datetime, html_to_text, parse_sf_datetime
from tests.unit.sync.sync_world import event_describe

BERLIN = ZoneInfo("Europe/Berlin")
EVENTS = bind_mapping(EVENT_MAPPING, event_describe(Subject=20))
CTX = EVENTS.context("Europe/Berlin")


def berlin_meeting(start: datetime, end: datetime, **changes) -> CalendarItem:
    return CalendarItem("i1", "u1", **{"subject": "Review", **changes}, start=start, end=end, timezone="Europe/Berlin")


def test_salesforce_datetimes_are_utc_with_milliseconds_and_plus_zero_offset():
    assert format_sf_datetime(datetime(2026, 11, 23, 11, 0, tzinfo=BERLIN)) == "2026-11-23T10:00:00.000+0000"
    assert format_sf_datetime(datetime(2026, 1, 2, 3, 4, 5, 678999, tzinfo=UTC)) == "2026-01-02T03:04:05.678+0000"
    assert format_sf_datetime(datetime(999, 5, 1, tzinfo=UTC)) == "0999-05-01T00:00:00.000+0000"   # four-digit year
    assert parse_sf_datetime("2026-11-23T10:00:00.000+0000") == datetime(2026, 11, 23, 10, tzinfo=UTC)
    assert parse_sf_datetime("2026-11-23T10:00:00Z") == parse_sf_datetime("2026-11-23T10:00:00.000+00:00")


def test_berlin_meeting_before_and_after_spring_dst_change_keeps_local_ten_oclock():
    before = berlin_meeting(datetime(2026, 3, 28, 10, tzinfo=BERLIN), datetime(2026, 3, 28, 11, tzinfo=BERLIN))
    after = berlin_meeting(datetime(2026, 3, 29, 10, tzinfo=BERLIN), datetime(2026, 3, 29, 11, tzinfo=BERLIN))
    assert record_fields(EVENTS, mailbox_values(EVENTS, before, CTX), CTX)["StartDateTime"] == "2026-03-28T09:00:00.000+0000"
    assert record_fields(EVENTS, mailbox_values(EVENTS, after, CTX), CTX)["StartDateTime"] == "2026-03-29T08:00:00.000+0000"


def test_meeting_spanning_the_autumn_dst_night_keeps_its_real_duration():
    # 25 Oct 2026: 03:00 CEST becomes 02:00 CET, so 01:00 → 04:00 local is four real hours.
    item = berlin_meeting(datetime(2026, 10, 25, 1, tzinfo=BERLIN), datetime(2026, 10, 25, 4, tzinfo=BERLIN))
    fields = record_fields(EVENTS, mailbox_values(EVENTS, item, CTX), CTX)
    assert (fields["StartDateTime"], fields["EndDateTime"]) == ("2026-10-24T23:00:00.000+0000", "2026-10-25T03:00:00.000+0000")


def test_salesforce_utc_time_is_written_to_the_mailbox_in_the_users_zone_across_dst():
    record = {"IsAllDayEvent": False, "StartDateTime": "2026-10-26T09:00:00.000+0000",
              "EndDateTime": "2026-10-26T10:00:00.000+0000"}
    changes = item_changes(EVENTS, {"timing": crm_values(EVENTS, record, CTX)["timing"]}, CTX)
    assert changes["start"] == datetime(2026, 10, 26, 10, tzinfo=BERLIN)
    assert changes["start"].utcoffset().total_seconds() == 3600 and changes["timezone"] == "Europe/Berlin"


def test_multi_day_all_day_event_becomes_activity_date_and_1440_minutes_per_day():
    item = CalendarItem("i1", "u1", subject="Trade fair", all_day=True, start_date=date(2026, 12, 1),
                        end_date=date(2026, 12, 4))
    fields = record_fields(EVENTS, mailbox_values(EVENTS, item, CTX), CTX)
    assert fields["IsAllDayEvent"] is True
    assert (fields["ActivityDate"], fields["DurationInMinutes"]) == ("2026-12-01", 3 * 1440)
    back = item_changes(EVENTS, {"timing": crm_values(EVENTS, fields, CTX)["timing"]}, CTX)
    assert (back["start_date"], back["end_date"], back["all_day"]) == (date(2026, 12, 1), date(2026, 12, 4), True)


def test_show_as_maps_to_salesforce_picklist_and_tentative_counts_as_busy():
    values = mailbox_values(EVENTS, berlin_meeting(datetime(2026, 5, 1, 9, tzinfo=BERLIN),
                                                   datetime(2026, 5, 1, 10, tzinfo=BERLIN), show_as=ShowAs.OUT_OF_OFFICE), CTX)
    assert record_fields(EVENTS, {"show_as": values["show_as"]}, CTX) == {"ShowAs": "OutOfOffice"}
    tentative = mailbox_values(EVENTS, berlin_meeting(datetime(2026, 5, 1, 9, tzinfo=BERLIN),
                                                      datetime(2026, 5, 1, 10, tzinfo=BERLIN), show_as=ShowAs.TENTATIVE), CTX)
    assert tentative["show_as"] == "Busy"
    assert item_changes(EVENTS, {"show_as": "Free"}, CTX) == {"show_as": ShowAs.FREE}


def test_task_status_and_priority_map_both_ways():
    tasks = bind_mapping(TASK_MAPPING)
    ctx = tasks.context("UTC")
    item = TaskItem("t1", subject="Call back", status=TaskStatus.WAITING, priority=TaskPriority.HIGH,
                    due_date=date(2026, 11, 30))
    fields = record_fields(tasks, mailbox_values(tasks, item, ctx), ctx)
    assert (fields["Status"], fields["Priority"], fields["ActivityDate"]) == ("Waiting on someone else", "High", "2026-11-30")
    back = item_changes(tasks, crm_values(tasks, fields, ctx), ctx)
    assert (back["status"], back["priority"], back["due_date"]) == (TaskStatus.WAITING, TaskPriority.HIGH, date(2026, 11, 30))


def test_over_long_subject_is_truncated_to_the_describe_length_without_breaking_unicode():
    item = berlin_meeting(datetime(2026, 5, 1, 9, tzinfo=BERLIN), datetime(2026, 5, 1, 10, tzinfo=BERLIN),
                          subject="Größenwahn 東京 🎉 meeting with a very long title")
    subject = mailbox_values(EVENTS, item, CTX)["subject"]
    assert subject == "Größenwahn 東京 🎉 meet" and len(subject) == 20


def test_html_body_becomes_readable_text_for_the_description():
    html = "<html><style>p{}</style><body><p>Hello&nbsp;<b>Zoë</b></p><ul><li>one</li><li>two &amp; three</li></ul></body></html>"
    assert html_to_text(html) == "Hello Zoë\n\none\n\ntwo & three"
    item = berlin_meeting(datetime(2026, 5, 1, 9, tzinfo=BERLIN), datetime(2026, 5, 1, 10, tzinfo=BERLIN),
                          body_html="<div>Agenda<br>1. Numbers</div>", body_text="ignored when html exists")
    assert mailbox_values(EVENTS, item, CTX)["body_text"] == "Agenda\n1. Numbers"


def test_empty_text_and_salesforce_null_are_the_same_value():
    item = berlin_meeting(datetime(2026, 5, 1, 9, tzinfo=BERLIN), datetime(2026, 5, 1, 10, tzinfo=BERLIN))
    assert mailbox_values(EVENTS, item, CTX)["location"] == crm_values(EVENTS, {"Location": None}, CTX)["location"]
    assert record_fields(EVENTS, {"location": ""}, CTX) == {"Location": None}
