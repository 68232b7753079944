"""Skipped items one by one on plain data: subject and date per item kind, the bound, echoes left out."""
from __future__ import annotations

from datetime import UTC, date, datetime

from app.sync.actions import Skip
from app.sync.items import CalendarItem, ContactItem, EmailMessage, FolderKind, TaskItem
from app.sync.outcome import OutcomeBuilder
from app.sync.skipped_items import ECHO, MAX_SKIPPED_ITEMS, item_facts, record_facts

WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def test_each_kind_names_its_subject_and_date():
    assert item_facts(CalendarItem(item_id="e", uid="u", subject="Demo", start=WHEN)) == ("Demo", WHEN.isoformat())
    assert item_facts(TaskItem(item_id="t", subject="Call", due_date=date(2026, 12, 2))) == ("Call", "2026-12-02")
    assert item_facts(ContactItem(item_id="c", given_name="Ada", surname="Lovelace")) == ("Ada Lovelace", "")
    assert item_facts(EmailMessage(item_id="m", message_id="<m@x>", subject="Hi", sent_at=WHEN)) == ("Hi", WHEN.isoformat())
    assert record_facts({"Subject": "Sync", "StartDateTime": "2026-12-01T09:30:00.000+0000"}) == (
        "Sync", "2026-12-01T09:30:00.000+0000")
    assert record_facts({"Name": "Bob"}) == ("Bob", "")


def test_the_list_keeps_the_last_items_and_leaves_echoes_to_the_counts():
    outcome = OutcomeBuilder()
    for n in range(MAX_SKIPPED_ITEMS + 3):
        outcome.count(FolderKind.MAIL, Skip(f"k{n}", "why", None, frozenset({"mailbox:mail"}), ref=f"r{n}",
                                            subject=f"s{n}"), False)
    outcome.count(FolderKind.CALENDAR, Skip("e", ECHO, None, frozenset({"crm:calendar_as_event"})), False)
    built = outcome.build()
    assert len(built.skipped_items) == MAX_SKIPPED_ITEMS and built.skipped_items[0].item == "r3"
    assert built.skipped_items[-1].as_dict() == {"kind": "mail", "item": f"r{MAX_SKIPPED_ITEMS + 2}",
                                                 "sync_key": f"k{MAX_SKIPPED_ITEMS + 2}",
                                                 "subject": f"s{MAX_SKIPPED_ITEMS + 2}", "when": "", "reason": "why",
                                                 "side": "mailbox"}
    assert built.skips_by_kind[FolderKind.CALENDAR] == {ECHO: 1}
