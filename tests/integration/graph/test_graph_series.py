"""Recurring series from Graph become the core's series model: one item with an RRULE, its moved
occurrences as exceptions and its cancelled ones as cancelled exceptions; a deleted series is a
deletion of that one item."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from app.providers.graph.series import rrule_text
from app.sync.items import FolderKind
from tests.integration.graph.conftest import NOW

CAL = FolderKind.CALENDAR
FIRST = (NOW + timedelta(days=1)).replace(hour=8, minute=0, second=0, microsecond=0)


def _weekly(fake, user, count: int = 6) -> str:
    local = FIRST.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin"))
    event, _ = fake.store.create_event(user, {
        "subject": "Weekly sync", "originalStartTimeZone": "Europe/Berlin",
        "start": {"dateTime": local.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "Europe/Berlin"},
        "end": {"dateTime": (local + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "Europe/Berlin"},
        "recurrence": {"pattern": {"type": "weekly", "interval": 1, "daysOfWeek": [local.strftime("%A").lower()],
                                   "firstDayOfWeek": "monday"},
                       "range": {"type": "numbered", "numberOfOccurrences": count, "recurrenceTimeZone": "Europe/Berlin",
                                 "startDate": local.date().isoformat()}}})
    return event["id"]


def test_a_series_is_one_item_with_its_rule_moved_and_cancelled_occurrences(graph_fake, graph_user, graph_mailbox):
    master = _weekly(graph_fake, graph_user)
    store = graph_fake.store
    occurrences = store.instances(graph_user, master, NOW, NOW + timedelta(days=60))
    moved_to = datetime.fromisoformat(occurrences[1]["start"]["dateTime"][:19]).replace(tzinfo=UTC) + timedelta(hours=2)
    store.update_event(graph_user, occurrences[1]["id"], {
        "subject": "Weekly sync (later)", "start": {"dateTime": moved_to.strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"},
        "end": {"dateTime": (moved_to + timedelta(minutes=30)).strftime("%Y-%m-%dT%H:%M:%S"), "timeZone": "UTC"}})
    store.delete_event(graph_user, occurrences[2]["id"])

    full = graph_mailbox.changes_since(CAL, None)
    [series] = full.items
    assert (series.item_id, series.timezone, series.subject) == (master, "Europe/Berlin", "Weekly sync")
    assert series.rrule.startswith("FREQ=WEEKLY;INTERVAL=1;BYDAY=") and "COUNT=6" in series.rrule
    moved, cancelled = series.exceptions
    original = lambda o: datetime.fromisoformat(o["originalStart"].replace("Z", "+00:00"))  # noqa: E731
    assert (moved.recurrence_id, moved.start, moved.subject) == (original(occurrences[1]), moved_to,
                                                                 "Weekly sync (later)")
    assert (cancelled.recurrence_id, cancelled.cancelled) == (original(occurrences[2]), True)

    store.delete_event(graph_user, occurrences[3]["id"])
    delta = graph_mailbox.changes_since(CAL, full.cursor)
    [again] = delta.items
    assert sum(e.cancelled for e in again.exceptions) == 2

    store.delete_event(graph_user, master)
    gone = graph_mailbox.changes_since(CAL, delta.cursor)
    assert gone.items == () and master in gone.deleted_ids
    assert graph_mailbox.get_items(CAL, [master]) == []


def test_every_graph_pattern_becomes_the_same_rfc5545_rule():
    def rule(pattern, rng=None):
        return rrule_text({"pattern": pattern, "range": rng or {"type": "noEnd"}}, "America/New_York")
    assert rule({"type": "daily", "interval": 2}) == "FREQ=DAILY;INTERVAL=2"
    assert rule({"type": "relativeMonthly", "interval": 1, "daysOfWeek": ["friday"], "index": "last"}) == \
        "FREQ=MONTHLY;INTERVAL=1;BYDAY=FR;BYSETPOS=-1"
    assert rule({"type": "absoluteYearly", "interval": 1, "month": 3, "dayOfMonth": 14}) == \
        "FREQ=YEARLY;INTERVAL=1;BYMONTH=3;BYMONTHDAY=14"
    assert rule({"type": "relativeYearly", "interval": 1, "month": 11, "daysOfWeek": ["thursday"], "index": "fourth"}) \
        == "FREQ=YEARLY;INTERVAL=1;BYMONTH=11;BYDAY=TH;BYSETPOS=4"
    assert rule({"type": "weekly", "interval": 1, "daysOfWeek": ["monday", "wednesday"], "firstDayOfWeek": "sunday"},
                {"type": "endDate", "endDate": "2026-12-31"}) == \
        "FREQ=WEEKLY;INTERVAL=1;BYDAY=MO,WE;WKST=SU;UNTIL=20270101T045959Z"


def test_rules_graph_cannot_hold_are_refused_and_the_others_become_patterns():
    import pytest

    from app.providers.graph.series_write import recurrence_of
    from app.sync.errors import UnsupportedRecurrence
    from app.sync.items import CalendarItem

    start = datetime(2026, 3, 10, 14, tzinfo=UTC)

    def pattern(rule):
        item = CalendarItem("x", "u", start=start, end=start + timedelta(hours=1), timezone="America/New_York",
                            rrule=rule)
        return recurrence_of(item)

    weekdays = pattern("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=10")
    assert weekdays["pattern"]["type"] == "weekly" and len(weekdays["pattern"]["daysOfWeek"]) == 5
    assert weekdays["range"] == {"startDate": "2026-03-10", "recurrenceTimeZone": "Eastern Standard Time",
                                 "type": "numbered", "numberOfOccurrences": 10}
    second_tuesday = pattern("FREQ=MONTHLY;BYDAY=2TU;UNTIL=20261231T235959Z")
    assert second_tuesday["pattern"] == {"interval": 1, "type": "relativeMonthly", "daysOfWeek": ["tuesday"],
                                         "index": "second"}
    assert second_tuesday["range"]["endDate"] == "2026-12-31"
    for rule in ("FREQ=HOURLY", "FREQ=MONTHLY;BYDAY=1MO,3MO", "FREQ=WEEKLY;BYHOUR=9"):
        with pytest.raises(UnsupportedRecurrence):
            pattern(rule)
