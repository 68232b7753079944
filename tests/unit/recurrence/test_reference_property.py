"""Property: for generated rules (every FREQ, INTERVAL, ordinal BYDAY, BYSETPOS, BYMONTH, BYMONTHDAY,
COUNT/UNTIL, WKST) in zones with DST, starting near a DST change, our starts are the reference's and
every occurrence lasts exactly DTEND - DTSTART."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from app.providers.imap_dav.ical_event import read_event
from app.recurrence import RruleExpander
from app.sync.recurrence import expand_series
from tests.recurrence_corpus import reference, vcalendar

LOW, HIGH = datetime(2026, 1, 1, tzinfo=UTC), datetime(2027, 6, 1, tzinfo=UTC)
ZONES = ["Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Sao_Paulo", "Asia/Kolkata", "UTC"]
DAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]


@st.composite
def rules(draw) -> str:
    freq = draw(st.sampled_from(["DAILY", "WEEKLY", "MONTHLY", "YEARLY"]))
    parts = [f"FREQ={freq}", f"INTERVAL={draw(st.integers(1, 3))}"]
    days = draw(st.lists(st.sampled_from(DAYS), min_size=0, max_size=3, unique=True))
    if days and freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
        days = [f"{draw(st.sampled_from([-1, 1, 2, 3, 4]))}{d}" for d in days]  # ordinal weekdays
    if days:
        parts.append("BYDAY=" + ",".join(days))
        if freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
            parts.append(f"BYSETPOS={draw(st.sampled_from([-1, 1, 2]))}")
    elif freq in ("MONTHLY", "YEARLY") and draw(st.booleans()):
        parts.append(f"BYMONTHDAY={draw(st.sampled_from([1, 15, 28, 31, -1]))}")
    if freq == "YEARLY" and draw(st.booleans()):
        parts.append("BYMONTH=" + ",".join(map(str, draw(st.lists(st.integers(1, 12), min_size=1, max_size=3,
                                                                         unique=True)))))
    if freq == "WEEKLY" and draw(st.booleans()):
        parts.append(f"WKST={draw(st.sampled_from(['MO', 'SU']))}")
    if draw(st.booleans()):
        parts.append(f"COUNT={draw(st.integers(1, 20))}")
    else:
        until = datetime(2026, 3, 1, tzinfo=UTC) + timedelta(days=draw(st.integers(0, 400)), hours=draw(st.integers(0, 23)))
        parts.append(f"UNTIL={until.strftime('%Y%m%dT%H%M%SZ')}")
    return ";".join(parts)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rule=rules(), zone=st.sampled_from(ZONES), day=st.integers(0, 300), hour=st.integers(0, 23),
       minute=st.sampled_from([0, 30]), minutes=st.sampled_from([15, 60, 90, 600]))
def test_generated_rules_match_the_reference(rule, zone, day, hour, minute, minutes):
    start = datetime(2026, 2, 1, hour, minute) + timedelta(days=day)
    end = start + timedelta(minutes=minutes)
    ics = vcalendar(f"UID:p\nSUMMARY:P\nDTSTART;TZID={zone}:{start:%Y%m%dT%H%M%S}\n"
                    f"DTEND;TZID={zone}:{end:%Y%m%dT%H%M%S}\nRRULE:{rule}")
    item = read_event("/p.ics", "e", ics, "UTC")
    ours = [o for o in expand_series(item, LOW, HIGH, RruleExpander()) if LOW <= o.start < HIGH]
    want = reference(ics, "UTC", LOW, HIGH)
    assert [o.start.astimezone(UTC) for o in ours] == [s for s, _ in want]
    exact = item.end.astimezone(UTC) - item.start.astimezone(UTC)
    assert all(o.end.astimezone(UTC) - o.start.astimezone(UTC) == exact for o in ours)
    assert all(o.end > o.start for o in ours) or exact == timedelta(0)
    assert ZoneInfo(item.timezone)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(rule=rules(), day=st.integers(0, 300), days=st.integers(1, 3), owner=st.sampled_from(ZONES),
       floating=st.booleans(), hour=st.integers(0, 23))
def test_generated_all_day_and_floating_series_match_the_reference(rule, day, days, owner, floating, hour):
    start = datetime(2026, 2, 1, hour) + timedelta(days=day)
    if floating:  # RFC 5545: a floating DTSTART takes a floating UNTIL
        timing = f"DTSTART:{start:%Y%m%dT%H%M%S}\nDTEND:{start + timedelta(hours=1):%Y%m%dT%H%M%S}"
        rule = rule.replace("Z", "")
    else:
        timing = f"DTSTART;VALUE=DATE:{start:%Y%m%d}\nDTEND;VALUE=DATE:{start + timedelta(days=days):%Y%m%d}"
    ics = vcalendar(f"UID:p\nSUMMARY:P\n{timing}\nRRULE:{rule}")
    item = read_event("/p.ics", "e", ics, owner)
    ours = expand_series(item, LOW, HIGH, RruleExpander())
    spans = sorted((o.start_date, o.end_date) if o.all_day else (o.start.astimezone(UTC), o.end.astimezone(UTC))
                   for o in ours)
    want = reference(ics, owner, LOW, HIGH)
    if floating:
        assert [s for s, _ in spans if LOW <= s < HIGH] == [s for s, _ in want]
    else:
        assert [s for s in spans if LOW.date() <= s[0] < HIGH.date()] == want
