"""When a cheap check may stand in for a mailbox's full session (app.sync.idle_check)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from app.sync.idle_check import IdleFacts, changed_collections, full_session_reason

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)
SETTLED = IdleFacts(NOW - timedelta(hours=1), collections={"/ann/calendar/": "tok-1"})


def test_a_settled_mailbox_may_be_checked_instead_of_synced():
    assert full_session_reason(SETTLED, NOW) is None
    older_settings = IdleFacts(NOW - timedelta(hours=1), collections={"/c/": "t"},
                               settings_changed_at=NOW - timedelta(hours=2))
    assert full_session_reason(older_settings, NOW) is None
    assert full_session_reason(IdleFacts(NOW - timedelta(hours=1), collections={}), NOW) is None, "IMAP only"


@pytest.mark.parametrize(("facts", "reason"), [
    (IdleFacts(None, collections={"/c/": "t"}), "no full session yet"),
    (IdleFacts(NOW - timedelta(hours=24), collections={"/c/": "t"}), "older than"),
    (IdleFacts(NOW - timedelta(hours=1), failures=1, collections={"/c/": "t"}), "failed"),
    (IdleFacts(NOW - timedelta(hours=1), unfinished_items=True, collections={"/c/": "t"}), "retry"),
    (IdleFacts(NOW - timedelta(hours=1), salesforce_unread=True, collections={"/c/": "t"}), "Salesforce"),
    (IdleFacts(NOW - timedelta(hours=1), collections=None), "cannot be checked"),
    (IdleFacts(NOW - timedelta(hours=1), collections={"/c/": "t"}, settings_changed_at=NOW - timedelta(minutes=5)),
     "settings changed"),
])
def test_what_the_check_cannot_see_asks_for_a_full_session(facts, reason):
    assert reason in (full_session_reason(facts, NOW) or "")


def test_a_moved_missing_or_empty_token_counts_as_changed():
    stored = {"/cal/": "a", "/book/": "b", "/empty/": ""}
    assert changed_collections(stored, {"/cal/": "a", "/book/": "b", "/empty/": ""}) == ["/empty/"]
    assert changed_collections(stored, {"/cal/": "a2", "/empty/": "x"}) == ["/cal/", "/book/", "/empty/"]
    assert changed_collections({"/cal/": "a"}, {"/cal/": "a"}) == []
