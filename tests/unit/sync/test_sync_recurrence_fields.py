"""Every Salesforce RecurrenceType ⇄ its RRULE, both ways, and the rules Salesforce cannot hold."""
from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.sync.event.recurrence_fields import (
    UnrepresentableRule,
    fields_from_rrule,
    normalized_rrule,
    rrule_from_fields,
)
from app.sync.plan_series import match_children

START = datetime(2026, 1, 13, 8, 0, tzinfo=UTC)          # a Tuesday, 09:00 in Berlin
END = {"RecurrenceEndDateOnly": "2026-12-31", "RecurrenceTimeZoneSidKey": "Europe/Berlin"}
UNTIL = "UNTIL=20261231T225959Z"                        # end of 31 Dec in Berlin, in UTC

CASES = [
    ({"RecurrenceType": "RecursDaily", "RecurrenceInterval": 3}, f"FREQ=DAILY;INTERVAL=3;{UNTIL}"),
    ({"RecurrenceType": "RecursEveryWeekday", "RecurrenceDayOfWeekMask": 62},
     f"FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;{UNTIL}"),
    ({"RecurrenceType": "RecursWeekly", "RecurrenceInterval": 2, "RecurrenceDayOfWeekMask": 4 + 16},
     f"FREQ=WEEKLY;INTERVAL=2;BYDAY=TU,TH;{UNTIL}"),
    ({"RecurrenceType": "RecursMonthly", "RecurrenceInterval": 1, "RecurrenceDayOfMonth": 13},
     f"FREQ=MONTHLY;BYMONTHDAY=13;{UNTIL}"),
    ({"RecurrenceType": "RecursMonthlyNth", "RecurrenceInterval": 1, "RecurrenceInstance": "Second",
      "RecurrenceDayOfWeekMask": 4}, f"FREQ=MONTHLY;BYDAY=2TU;{UNTIL}"),
    ({"RecurrenceType": "RecursMonthlyNth", "RecurrenceInterval": 3, "RecurrenceInstance": "Last",
      "RecurrenceDayOfWeekMask": 62}, f"FREQ=MONTHLY;INTERVAL=3;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1;{UNTIL}"),
    ({"RecurrenceType": "RecursYearly", "RecurrenceMonthOfYear": "January", "RecurrenceDayOfMonth": 13},
     f"FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=13;{UNTIL}"),
    ({"RecurrenceType": "RecursYearlyNth", "RecurrenceMonthOfYear": "November", "RecurrenceInstance": "Fourth",
      "RecurrenceDayOfWeekMask": 16}, f"FREQ=YEARLY;BYMONTH=11;BYDAY=4TH;{UNTIL}"),
]


@pytest.mark.parametrize(("pattern", "rrule"), CASES, ids=[c[0]["RecurrenceType"] + str(n) for n, c in enumerate(CASES)])
def test_each_recurrence_type_translates_both_ways(pattern, rrule):
    fields = {"IsRecurrence": True, **pattern, **END}
    assert rrule_from_fields(fields) == rrule
    back = fields_from_rrule(rrule, START, "Europe/Berlin")
    expected = {k: v for k, v in pattern.items() if not (k == "RecurrenceInterval" and v == 1)}
    assert {k: back[k] for k in expected} == expected
    assert back["RecurrenceEndDateOnly"] == "2026-12-31"
    assert back["RecurrenceStartDateTime"] == "2026-01-13T08:00:00.000+0000"


def test_an_all_day_series_ends_on_a_date_and_a_plain_event_has_no_rule():
    fields = {"IsRecurrence": True, "IsAllDayEvent": True, "RecurrenceType": "RecursDaily",
              "RecurrenceInterval": 1, "RecurrenceEndDateOnly": "2026-02-01"}
    assert rrule_from_fields(fields) == "FREQ=DAILY;UNTIL=20260201"
    assert fields_from_rrule("FREQ=DAILY;UNTIL=20260201", date(2026, 1, 20), all_day=True)[
        "RecurrenceEndDateOnly"] == "2026-02-01"
    assert rrule_from_fields({"IsRecurrence": False, "RecurrenceType": "RecursDaily"}) is None


@pytest.mark.parametrize(("rrule", "part"), [
    ("FREQ=WEEKLY;COUNT=10", "end date"),
    ("FREQ=WEEKLY", "end date"),
    ("FREQ=HOURLY;UNTIL=20261231T000000Z", "HOURLY"),
    ("FREQ=MONTHLY;BYMONTHDAY=1,15;UNTIL=20261231T000000Z", "MONTHLY"),
    ("FREQ=MONTHLY;BYDAY=5FR;UNTIL=20261231T000000Z", "5FR"),
    ("FREQ=YEARLY;INTERVAL=2;BYMONTH=1;BYMONTHDAY=1;UNTIL=20261231T000000Z", "yearly"),
    ("FREQ=WEEKLY;BYDAY=MO;BYHOUR=9;UNTIL=20261231T000000Z", "BYHOUR"),
])
def test_rules_salesforce_cannot_hold_say_which_part(rrule, part):
    with pytest.raises(UnrepresentableRule, match=part):
        fields_from_rrule(rrule, START, "Europe/Berlin")


def test_rules_are_compared_in_one_spelling():
    assert normalized_rrule("RRULE:byday=TU;freq=weekly;INTERVAL=1;WKST=MO") == "FREQ=WEEKLY;BYDAY=TU"


def test_children_take_their_own_slot_else_the_nearest_free_one():
    slots = [datetime(2026, 3, d, 9, tzinfo=UTC) for d in (3, 10, 17, 24)]
    moved = datetime(2026, 3, 11, 15, tzinfo=UTC)
    got = match_children(slots, [("a", slots[0]), ("b", moved), ("d", slots[3])])
    assert got == {"a": slots[0], "b": slots[1], "d": slots[3]}
