"""Auto-save rules on plain data: direction by sender, the window by arrival, externals only."""
from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from app.sync.auto_save import (
    MEETING_BEFORE,
    MEETING_BLOCKED,
    MEETING_DIRECTION,
    MEETING_NO_EXTERNAL,
    NO_EXTERNAL,
    REASONS,
    AutoSaveRule,
    MeetingAutoSave,
    auto_verdict,
    meeting_skip,
)
from app.sync.blocklist import parse_blocklist
from app.sync.email_rules import SaveRules, automatic_skips, save_reason
from app.sync.items import Attendee, CalendarItem, EmailMessage

START = datetime(2026, 12, 1, tzinfo=UTC)
OWNER = "ann@acme.test"


def _mail(sender: str, to: tuple[str, ...] = (OWNER,), received: datetime = START + timedelta(hours=1)):
    return EmailMessage(item_id="1", message_id="<m@x>", sender=sender, to=to, received_at=received)


def _rule(mode: str, **kw) -> AutoSaveRule:
    return AutoSaveRule(mode, START, OWNER, frozenset({"acme-group.test"}), **kw)


@pytest.mark.parametrize("mode, inbound, outbound", [("off", None, None), ("inbound", True, None),
                                                     ("outbound", None, True), ("both", True, True)])
def test_direction_comes_from_the_sender(mode, inbound, outbound):
    got_in = auto_verdict(_mail("client@customer.test"), _rule(mode))
    got_out = auto_verdict(_mail(OWNER, ("client@customer.test",)), _rule(mode))
    assert (got_in and got_in[0], got_out and got_out[0]) == (inbound, outbound)


def test_mail_that_arrived_before_the_window_is_not_auto_saved():
    assert auto_verdict(_mail("client@customer.test", received=START - timedelta(minutes=1)), _rule("both")) is None


def test_internal_only_mail_is_skipped_including_the_orgs_other_domains():
    message = _mail("bob@acme-group.test", (OWNER, "carol@acme.test"))
    assert auto_verdict(message, _rule("both")) == (False, NO_EXTERNAL)
    rules = SaveRules(auto=_rule("both"))
    assert save_reason(message, rules) is None and automatic_skips([message], rules) == [message]


def test_an_auto_saved_message_is_an_automatic_save():
    reason = save_reason(_mail("client@customer.test"), SaveRules(auto=_rule("inbound")))
    assert reason is not None and reason.automatic and reason.reason == REASONS["inbound"]


def _meeting(organizer: str, *attendees: str) -> CalendarItem:
    return CalendarItem(item_id="e", uid="u", subject="Demo", organizer=organizer,
                        attendees=tuple(Attendee(a) for a in attendees))


def test_meetings_are_saved_by_direction_with_an_external_unblocked_attendee():
    rule = MeetingAutoSave("inbound", OWNER, frozenset(), parse_blocklist(["@robots.test"]))
    assert meeting_skip(_meeting("client@customer.test", OWNER), rule) is None
    assert meeting_skip(_meeting(OWNER, "client@customer.test"), rule) == MEETING_DIRECTION["inbound"]
    assert meeting_skip(_meeting("bob@acme.test", OWNER), rule) == MEETING_NO_EXTERNAL
    assert meeting_skip(_meeting("noreply@robots.test", OWNER), rule) == MEETING_BLOCKED
    assert meeting_skip(_meeting(OWNER, "client@customer.test"), MeetingAutoSave()) is None


def test_meetings_before_the_window_are_skipped_and_a_pending_backfill_reaches_back_to_its_start():
    rule = MeetingAutoSave("both", OWNER, since=START, backfill=True)
    before = CalendarItem(item_id="e", uid="u", subject="Old", organizer="client@customer.test",
                          attendees=(Attendee(OWNER),), start=START - timedelta(hours=1))
    assert meeting_skip(before, rule) == MEETING_BEFORE
    assert meeting_skip(replace(before, start=START), rule) is None
    assert meeting_skip(replace(before, rrule="FREQ=WEEKLY"), rule) is None     # a series: by its occurrences
    assert rule.backfill_from == START
    assert replace(rule, backfill=False).backfill_from is None and MeetingAutoSave().backfill_from is None
