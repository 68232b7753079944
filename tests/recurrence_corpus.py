"""Recurring series shaped like real clients' exports (Outlook, Google, Apple, Fastmail, Thunderbird):
many zones, DST gaps and folds, every RRULE part, RDATE/EXDATE and moved overrides.

Each case is (name, owner's zone for floating times, iCalendar text). The unit tests compare our
expansion with ``recurring_ical_events``; the real-server tests put some on Radicale and Xandikos.
"""
from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

Span = tuple[datetime, datetime] | tuple[date, date]


def vcalendar(*events: str, prodid: str = "-//Syncline tests//EN", timezones: str = "") -> str:
    body = "".join(f"BEGIN:VEVENT\nDTSTAMP:20260101T000000Z\n{e.strip()}\nEND:VEVENT\n" for e in events)
    return f"BEGIN:VCALENDAR\nVERSION:2.0\nPRODID:{prodid}\n{timezones}{body}END:VCALENDAR\n"


OUTLOOK_PRODID = "-//Microsoft Corporation//Outlook 16.0 MIMEDIR//EN"
GOOGLE_PRODID = "-//Google Inc//Google Calendar 70.9054//EN"
APPLE_PRODID = "-//Apple Inc.//macOS 14.4//EN"
FASTMAIL_PRODID = "-//CyrusIMAP.org/Cyrus 3.9//EN"

BERLIN_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Europe/Berlin
BEGIN:DAYLIGHT
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
DTSTART:19810329T020000
RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU
TZNAME:CEST
END:DAYLIGHT
BEGIN:STANDARD
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
DTSTART:19961027T030000
RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU
TZNAME:CET
END:STANDARD
END:VTIMEZONE
"""

CUSTOM_EASTERN_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:Customized Time Zone
BEGIN:STANDARD
DTSTART:16010101T020000
TZOFFSETFROM:-0400
TZOFFSETTO:-0500
RRULE:FREQ=YEARLY;BYDAY=1SU;BYMONTH=11
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:-0500
TZOFFSETTO:-0400
RRULE:FREQ=YEARLY;BYDAY=2SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""

W_EUROPE_VTIMEZONE = """BEGIN:VTIMEZONE
TZID:W. Europe Standard Time
BEGIN:STANDARD
DTSTART:16010101T030000
TZOFFSETFROM:+0200
TZOFFSETTO:+0100
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10
END:STANDARD
BEGIN:DAYLIGHT
DTSTART:16010101T020000
TZOFFSETFROM:+0100
TZOFFSETTO:+0200
RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3
END:DAYLIGHT
END:VTIMEZONE
"""

# DST across the series, a moved override, a cancelled one: Outlook with a Windows zone name.
OUTLOOK_WEEKLY_DST = ("outlook weekly across DST, Windows zone", "UTC", vcalendar("""
UID:040000008200E00074C5B7101A82E008-weekly
SUMMARY:Pipeline review
DTSTART;TZID=W. Europe Standard Time:20260317T100000
DTEND;TZID=W. Europe Standard Time:20260317T110000
RRULE:FREQ=WEEKLY;UNTIL=20260421T090000Z;INTERVAL=1;BYDAY=TU;WKST=MO
EXDATE;TZID=W. Europe Standard Time:20260407T100000
""", """
UID:040000008200E00074C5B7101A82E008-weekly
SUMMARY:Pipeline review (moved)
RECURRENCE-ID;TZID=W. Europe Standard Time:20260331T100000
DTSTART;TZID=W. Europe Standard Time:20260401T150000
DTEND;TZID=W. Europe Standard Time:20260401T160000
""", prodid=OUTLOOK_PRODID, timezones=W_EUROPE_VTIMEZONE))

GOOGLE_SECOND_TUESDAY = ("google monthly 2nd Tuesday, override moved to another day", "UTC", vcalendar("""
UID:2tu-google@google.com
SUMMARY:Board prep
DTSTART;TZID=America/Los_Angeles:20260113T090000
DTEND;TZID=America/Los_Angeles:20260113T100000
RRULE:FREQ=MONTHLY;BYDAY=2TU;COUNT=8
EXDATE;TZID=America/Los_Angeles:20260512T090000
""", """
UID:2tu-google@google.com
SUMMARY:Board prep
RECURRENCE-ID;TZID=America/Los_Angeles:20260310T090000
DTSTART;TZID=America/Los_Angeles:20260312T160000
DTEND;TZID=America/Los_Angeles:20260312T173000
""", prodid=GOOGLE_PRODID))

APPLE_LAST_FRIDAY = ("apple last Friday with an embedded VTIMEZONE", "UTC", vcalendar("""
UID:lastfri-apple
SUMMARY:Month close
DTSTART;TZID=Europe/Berlin:20260130T170000
DTEND;TZID=Europe/Berlin:20260130T180000
RRULE:FREQ=MONTHLY;BYDAY=-1FR
""", prodid=APPLE_PRODID, timezones=BERLIN_VTIMEZONE))

LAST_WEEKDAY_BYSETPOS = ("last weekday of the month (BYSETPOS=-1)", "UTC", vcalendar("""
UID:setpos-1
SUMMARY:Payroll
DTSTART;TZID=Europe/London:20260130T160000
DTEND;TZID=Europe/London:20260130T163000
RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;COUNT=12
"""))

FIRST_AND_THIRD_MONDAY = ("first and third Monday (ordinal BYDAY list)", "UTC", vcalendar("""
UID:ord-1
SUMMARY:Ops sync
DTSTART;TZID=America/New_York:20260105T083000
DTEND;TZID=America/New_York:20260105T090000
RRULE:FREQ=MONTHLY;INTERVAL=1;BYDAY=1MO,3MO;UNTIL=20261231T235959Z
"""))

YEARLY_BYMONTH = ("yearly last Sunday of March and October (BYMONTH)", "UTC", vcalendar("""
UID:yearly-1
SUMMARY:Clock change check
DTSTART;TZID=Europe/Paris:20250330T120000
DTEND;TZID=Europe/Paris:20250330T121500
RRULE:FREQ=YEARLY;BYMONTH=3,10;BYDAY=-1SU
"""))

DST_GAP_DAILY = ("daily at 02:30 through the spring gap", "UTC", vcalendar("""
UID:gap-1
SUMMARY:Night batch
DTSTART;TZID=Europe/Berlin:20260326T023000
DTEND;TZID=Europe/Berlin:20260326T031500
RRULE:FREQ=DAILY;COUNT=6
"""))

DST_FOLD_DAILY = ("daily at 01:30 through the autumn fold (New York)", "UTC", vcalendar("""
UID:fold-1
SUMMARY:Early call
DTSTART;TZID=America/New_York:20261030T013000
DTEND;TZID=America/New_York:20261030T020000
RRULE:FREQ=DAILY;COUNT=5
"""))

FLOATING_WEEKLY = ("floating weekly (no TZID): the owner's zone", "America/Chicago", vcalendar("""
UID:floating-1
SUMMARY:Gym
DTSTART:20260302T073000
DTEND:20260302T083000
RRULE:FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8
EXDATE:20260309T073000
"""))

ALL_DAY_WEEKLY = ("all-day weekly with DATE UNTIL and DATE EXDATE", "UTC", vcalendar("""
UID:allday-weekly
SUMMARY:Home office
DTSTART;VALUE=DATE:20260302
DTEND;VALUE=DATE:20260303
RRULE:FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20260410
EXDATE;VALUE=DATE:20260313
"""))

ALL_DAY_MULTI_DAY_MONTHLY = ("all-day two-day event monthly on the 15th", "UTC", vcalendar("""
UID:allday-monthly
SUMMARY:Offsite
DTSTART;VALUE=DATE:20260115
DTEND;VALUE=DATE:20260117
RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=6
"""))

RDATE_AND_EXDATE = ("RDATE list, PERIOD RDATE and EXDATE", "UTC", vcalendar("""
UID:rdate-1
SUMMARY:Training
DTSTART;TZID=Europe/Madrid:20260204T100000
DTEND;TZID=Europe/Madrid:20260204T120000
RRULE:FREQ=WEEKLY;COUNT=4
RDATE;TZID=Europe/Madrid:20260220T090000,20260305T140000
RDATE;VALUE=PERIOD:20260320T080000Z/20260320T110000Z
EXDATE;TZID=Europe/Madrid:20260218T100000
"""))

RDATE_ONLY = ("RDATEs without a rule (Apple 'custom' dates)", "UTC", vcalendar("""
UID:rdate-only
SUMMARY:Workshop days
DTSTART;TZID=Asia/Tokyo:20260410T093000
DTEND;TZID=Asia/Tokyo:20260410T123000
RDATE;TZID=Asia/Tokyo:20260417T093000,20260508T093000
""", prodid=APPLE_PRODID))

WKST_BIWEEKLY = ("every other week Tue+Sun, WKST=SU", "UTC", vcalendar("""
UID:wkst-1
SUMMARY:Planning
DTSTART;TZID=America/Sao_Paulo:20260106T140000
DTEND;TZID=America/Sao_Paulo:20260106T150000
RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,SU;WKST=SU;COUNT=10
"""))

BYWEEKNO = ("yearly by week number", "UTC", vcalendar("""
UID:weekno-1
SUMMARY:Week 20 review
DTSTART;TZID=Europe/Helsinki:20260511T100000
DTEND;TZID=Europe/Helsinki:20260511T110000
RRULE:FREQ=YEARLY;BYWEEKNO=20,40;BYDAY=MO
"""))

BYYEARDAY = ("yearly by year day", "UTC", vcalendar("""
UID:yearday-1
SUMMARY:Day 100
DTSTART;TZID=Europe/Helsinki:20260410T100000
DTEND;TZID=Europe/Helsinki:20260410T110000
RRULE:FREQ=YEARLY;BYYEARDAY=100,200
"""))

LAST_DAY_OF_MONTH = ("last day of the month (BYMONTHDAY=-1)", "UTC", vcalendar("""
UID:lastday-1
SUMMARY:Invoice run
DTSTART;TZID=Australia/Sydney:20260131T180000
DTEND;TZID=Australia/Sydney:20260131T190000
RRULE:FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=9
"""))

FASTMAIL_SYDNEY_UNTIL = ("Fastmail: UTC UNTIL, southern-hemisphere DST", "UTC", vcalendar("""
UID:fm-syd
SUMMARY:Standup
DTSTART;TZID=Australia/Sydney:20260330T090000
DTEND;TZID=Australia/Sydney:20260330T091500
RRULE:FREQ=WEEKLY;BYDAY=MO,WE;UNTIL=20260420T225959Z
""", prodid=FASTMAIL_PRODID))

MOVED_IN_FROM_OUTSIDE = ("override moved from before the window into it", "UTC", vcalendar("""
UID:moved-in
SUMMARY:Quarterly
DTSTART;TZID=Europe/Zurich:20251215T100000
DTEND;TZID=Europe/Zurich:20251215T110000
RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=4
""", """
UID:moved-in
SUMMARY:Quarterly (postponed)
RECURRENCE-ID;TZID=Europe/Zurich:20251215T100000
DTSTART;TZID=Europe/Zurich:20260105T100000
DTEND;TZID=Europe/Zurich:20260105T113000
"""))

OUTLOOK_CUSTOM_ZONE = ("Outlook 'Customized Time Zone' weekly across US DST", "UTC", vcalendar("""
UID:custom-weekly
SUMMARY:Call with NY
DTSTART;TZID=Customized Time Zone:20260302T090000
DTEND;TZID=Customized Time Zone:20260302T093000
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=4
""", prodid=OUTLOOK_PRODID, timezones=CUSTOM_EASTERN_VTIMEZONE))

DURATION_SERIES = ("DURATION instead of DTEND, across DST", "UTC", vcalendar("""
UID:duration-1
SUMMARY:On call handover
DTSTART;TZID=Europe/Berlin:20260327T080000
DURATION:PT1H45M
RRULE:FREQ=DAILY;COUNT=4
"""))

UTC_SERIES = ("UTC series with a UTC UNTIL", "UTC", vcalendar("""
UID:utc-1
SUMMARY:Deploy window
DTSTART:20260303T220000Z
DTEND:20260303T230000Z
RRULE:FREQ=DAILY;INTERVAL=3;UNTIL=20260320T220000Z
"""))

THIS_AND_FUTURE = ("RANGE=THISANDFUTURE moves the rest of the series", "UTC", vcalendar("""
UID:taf-1
SUMMARY:Team lunch
DTSTART;TZID=Europe/Berlin:20260302T120000
DTEND;TZID=Europe/Berlin:20260302T130000
RRULE:FREQ=WEEKLY;COUNT=6
""", """
UID:taf-1
SUMMARY:Team lunch (new time)
RECURRENCE-ID;RANGE=THISANDFUTURE;TZID=Europe/Berlin:20260316T120000
DTSTART;TZID=Europe/Berlin:20260316T123000
DTEND;TZID=Europe/Berlin:20260316T140000
"""))

EXDATE_AS_DATE = ("timed series with a DATE EXDATE (removes that day's occurrence)", "UTC", vcalendar("""
UID:exdate-date
SUMMARY:Daily check-in
DTSTART;TZID=Europe/Berlin:20260302T100000
DTEND;TZID=Europe/Berlin:20260302T101500
RRULE:FREQ=DAILY;COUNT=5
EXDATE;VALUE=DATE:20260304
"""))

NOMINAL_DAY_DURATION = ("DURATION:P1D timed series across DST (nominal days)", "UTC", vcalendar("""
UID:duration-day
SUMMARY:On call
DTSTART;TZID=Europe/Berlin:20260327T080000
DURATION:P1DT2H
RRULE:FREQ=DAILY;COUNT=4
"""))

TWO_RULES_AND_EXRULE = ("two RRULEs; an EXRULE is ignored (RFC 5545 A.3, as the reference)", "UTC", vcalendar("""
UID:two-rules
SUMMARY:Office hours
DTSTART;TZID=America/Denver:20260302T130000
DTEND;TZID=America/Denver:20260302T140000
RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=8
RRULE:FREQ=MONTHLY;BYDAY=1FR;COUNT=3
EXRULE:FREQ=MONTHLY;BYDAY=2MO;COUNT=2
"""))

ORPHAN_OVERRIDE = ("override whose recurrence-id the rule no longer yields (series shortened)", "UTC", vcalendar("""
UID:orphan
SUMMARY:Coaching
DTSTART;TZID=Europe/Vienna:20260302T100000
DTEND;TZID=Europe/Vienna:20260302T110000
RRULE:FREQ=WEEKLY;COUNT=3
""", """
UID:orphan
SUMMARY:Coaching (extra)
RECURRENCE-ID;TZID=Europe/Vienna:20260330T100000
DTSTART;TZID=Europe/Vienna:20260331T100000
DTEND;TZID=Europe/Vienna:20260331T110000
"""))

MIXED_VALUE_TYPES = ("DATE RDATE and DATE EXDATE on a timed series", "UTC", vcalendar("""
UID:mixed
SUMMARY:Site visit
DTSTART;TZID=Europe/Berlin:20260302T100000
DTEND;TZID=Europe/Berlin:20260302T110000
RRULE:FREQ=WEEKLY;COUNT=3
RDATE;VALUE=DATE:20260320
EXDATE;VALUE=DATE:20260309
"""))

CASES = [OUTLOOK_WEEKLY_DST, GOOGLE_SECOND_TUESDAY, APPLE_LAST_FRIDAY, LAST_WEEKDAY_BYSETPOS, FIRST_AND_THIRD_MONDAY,
         YEARLY_BYMONTH, DST_GAP_DAILY, DST_FOLD_DAILY, FLOATING_WEEKLY, ALL_DAY_WEEKLY, ALL_DAY_MULTI_DAY_MONTHLY,
         RDATE_AND_EXDATE, RDATE_ONLY, WKST_BIWEEKLY, BYWEEKNO, BYYEARDAY, LAST_DAY_OF_MONTH, FASTMAIL_SYDNEY_UNTIL,
         MOVED_IN_FROM_OUTSIDE, OUTLOOK_CUSTOM_ZONE, DURATION_SERIES, UTC_SERIES, THIS_AND_FUTURE, EXDATE_AS_DATE,
         NOMINAL_DAY_DURATION, TWO_RULES_AND_EXRULE, ORPHAN_OVERRIDE,
         MIXED_VALUE_TYPES]


# RFC 5545 §3.8.5.3 gives every instance the EXACT duration DTEND - DTSTART; the reference keeps the
# wall-clock end instead, so across a DST change its end moves (on the spring-gap day a 02:30-03:15
# meeting would end before it starts). For these cases the expected end is start + exact duration.
EXACT_DURATION = {DST_GAP_DAILY[0]: timedelta(minutes=45), DST_FOLD_DAILY[0]: timedelta(minutes=30)}


def expected(name: str, owner_zone: str, ics: str, low: datetime, high: datetime) -> list[Span]:
    """What a correct expansion yields: the reference's occurrences, with RFC-exact ends."""
    spans = reference(ics, owner_zone, low, high)
    if name in EXACT_DURATION:
        return [(start, start + EXACT_DURATION[name]) for start, _ in spans]  # type: ignore[misc]
    return spans


def reference(ics: str, owner_zone: str, low: datetime, high: datetime) -> list[Span]:
    """The reference's occurrences starting in [low, high), cancelled ones left out."""
    found = recurring_ical_events.of(Calendar.from_ical(ics)).between(low - timedelta(days=3), high + timedelta(days=3))
    spans = [_reference_span(c, ZoneInfo(owner_zone)) for c in found if str(c.get("STATUS", "")) != "CANCELLED"]
    return sorted(s for s in spans if starts_in_window(s, low, high))


def _reference_span(component, floating: ZoneInfo) -> Span:
    start = component.decoded("DTSTART")
    if "DTEND" in component:
        end = component.decoded("DTEND")
    else:
        end = start + (component.decoded("DURATION") if "DURATION" in component else timedelta(0))
    if not isinstance(start, datetime):
        return start, end
    return _utc(start, floating), _utc(end, floating)


def _utc(value: datetime, floating: ZoneInfo) -> datetime:
    return (value if value.tzinfo else value.replace(tzinfo=floating)).astimezone(UTC)


def starts_in_window(span: Span, low: datetime, high: datetime) -> bool:
    start = span[0]
    start = start if isinstance(start, datetime) else datetime.combine(start, time(), UTC)
    return low <= start < high
