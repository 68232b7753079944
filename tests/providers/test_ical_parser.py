"""The quick iCalendar parser builds exactly the calendar icalendar builds, line shapes included.

`calendar_from_ical` takes shortcuts in splitting lines and finding value types only; so every
resource here, from the real-world corpus and from lines chosen to hit each shortcut's edge
(quotes, colons and backslashes in parameters, escapes in values, X- properties kept raw,
CATEGORIES, broken values, folding), must come out equal to `Calendar.from_ical`'s, errors too.
"""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar

from app.providers.imap_dav.ical_parser import calendar_from_ical, split_line
from tests.integration.imap_dav import ics_samples
from tests.recurrence_corpus import CASES

EDGE_LINES = [
    "SUMMARY:Lunch: a, b; c \\, d \\; e \\n f \\N g \\\\ h",
    "DESCRIPTION;ALTREP=\"cid:part1.0001@example.org\":The Fall'98 Wild: yes",
    "ATTENDEE;CN=\"Doe, John: Sales\";PARTSTAT=ACCEPTED;ROLE=OPT-PARTICIPANT:mailto:john@example.com",
    "ATTENDEE;CN=Jane ^'Q^' Roe^nSecond;RSVP=TRUE:mailto:jane@example.com",
    "ATTENDEE;DELEGATED-FROM=\"mailto:a@x.test\",\"mailto:b@x.test\";CN=Z:mailto:z@x.test",
    "ATTENDEE;CN=Back\\slash:mailto:back@x.test",
    "ORGANIZER;CN=\"Open quote:mailto:open@x.test",
    "CATEGORIES:Salesforce,Work\\,Late,Customer\\;A",
    "CATEGORIES;LANGUAGE=en:One,Two",
    "X-ALT-DESC;FMTTYPE=text/html:<p>Hi\\, there\\nline</p>",
    "X-SYNCLINE-KEY:evt-1\\,2",
    "X-MICROSOFT-CDO-BUSYSTATUS:OOF",
    "x-lower-case:kept\\;raw",
    "summary:lower-case name",
    "LOCATION ;LANGUAGE = de : Raum 1",
    "LOCATION;LANGUAGE=de;:Raum 2",
    "DTSTART;TZID=Europe/Berlin:20260310T090000",
    "DTSTART;TZID=\"W. Europe Standard Time\":20260310T090000",
    "DTSTART;VALUE=DATE:20260310",
    "DTEND:2026031OT100000Z",
    "URL:https://example.com/a%3Ab?c=1\\,2",
    "NOCOLON",
    ":novalue",
    "GEO:37.386013;-122.082932",
    "RDATE:",
    "RDATE;VALUE=DATE:20260311,20260312",
    "FREEBUSY:20260308T160000Z/PT3H,20260308T200000Z/PT1H",
    "DTSTAMP;TZID=Europe/Berlin:20260101T100000",
    "EXDATE;TZID=Europe/Berlin:20260317T090000,20260324T090000",
    "DURATION:PT1H",
    "ATTENDEE:mailto:plain@x.test",
]


def _event(*lines: str) -> str:
    body = "\r\n".join(lines)
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:u1\r\n"
            "DTSTAMP:20260101T000000Z\r\nDTSTART:20260310T090000Z\r\n" + body + "\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")


def assert_same(data: str) -> None:
    try:
        expected = Calendar.from_ical(data)
    except Exception as exc:    # noqa: BLE001  (icalendar's own failures, AttributeError included)
        with pytest.raises(type(exc)):
            calendar_from_ical(data)
        return
    got = calendar_from_ical(data)
    assert got == expected
    assert got.to_ical() == expected.to_ical()
    assert [c.errors for c in got.walk()] == [c.errors for c in expected.walk()]
    for mine, theirs in zip(got.walk(), expected.walk(), strict=True):
        assert {k: (type(v), getattr(v, "params", None)) for k, v in mine.property_items(recursive=False)} == \
            {k: (type(v), getattr(v, "params", None)) for k, v in theirs.property_items(recursive=False)}


CORPUS = [case[2] for case in CASES] + [
    getattr(ics_samples, name) for name in ("OUTLOOK_WINDOWS_TZ", "OUTLOOK_CUSTOM_TZ", "ALL_DAY",
                                            "RECURRING_WITH_EXCEPTIONS", "TODO")]


@pytest.mark.parametrize("data", CORPUS, ids=range(len(CORPUS)))
def test_the_real_world_corpus_parses_as_icalendar_parses_it(data):
    assert_same(data)


@pytest.mark.parametrize("line", EDGE_LINES)
def test_each_edge_line_parses_as_icalendar_parses_it(line):
    assert_same(_event(line))


def test_folded_lines_alarms_and_time_zones_parse_as_icalendar_parses_them():
    data = _event("SUMMARY:A long\r\n  folded\r\n\tsummary", "BEGIN:VALARM", "ACTION:DISPLAY",
                  "DESCRIPTION:Reminder", "TRIGGER:-PT15M", "END:VALARM")
    assert_same(data)
    assert_same(data.replace("\r\n", "\n"))


def test_properties_outside_any_component_are_refused_or_ignored_as_icalendar_does():
    calendar = _event("SUMMARY:x")
    assert_same(calendar + "X-COMMENT:trailing note\r\n")
    assert_same("SUMMARY:before any component\r\n" + calendar)


def test_common_lines_take_the_short_path_and_odd_ones_are_left_to_icalendar():
    assert split_line("SUMMARY:a\\, b")[::2] == ("SUMMARY", "a, b")
    name, params, value = split_line("ATTENDEE;CN=\"Doe, J\";PARTSTAT=ACCEPTED:mailto:j@x.test")
    assert (name, dict(params), value) == ("ATTENDEE", {"CN": "Doe, J", "PARTSTAT": "ACCEPTED"}, "mailto:j@x.test")
    params["CN"] = "changed"                                   # each property owns its parameters
    assert split_line("ATTENDEE;CN=\"Doe, J\";PARTSTAT=ACCEPTED:mailto:k@x.test")[1]["CN"] == "Doe, J"
    assert split_line("ATTENDEE;CN=Back\\slash:mailto:b@x.test") is None
    assert split_line("ORGANIZER;CN=\"Open:mailto:o@x.test") is None
    assert split_line("NOCOLON") is None


_text = st.text(alphabet=st.sampled_from(list("aZ09 ,;:\\\"'^n=-./@")), max_size=12)


@settings(max_examples=300, deadline=None)
@given(name=st.sampled_from(["SUMMARY", "ATTENDEE", "X-FOO", "CATEGORIES", "DTSTART", "URL", "summary"]),
       params=st.lists(st.tuples(st.sampled_from(["CN", "PARTSTAT", "TZID", "VALUE", "X-P"]), _text), max_size=3),
       value=_text)
def test_any_line_from_these_pieces_parses_as_icalendar_parses_it(name, params, value):
    head = name + "".join(f";{k}={v}" for k, v in params)
    assert_same(_event(f"{head}:{value}"))
