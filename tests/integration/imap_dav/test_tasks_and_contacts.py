"""VTODO tasks (CalDAV) and vCard contacts (CardDAV) against a real Radicale."""
from __future__ import annotations

from datetime import date

import vobject
from icalendar import Calendar

from app.sync.items import ContactItem, FolderKind, TaskItem, TaskPriority, TaskStatus
from app.sync.ports import ItemPatch
from tests.integration.imap_dav import ics_samples
from tests.integration.imap_dav.dav_client import delete_raw, get_raw, put_raw

TASKS, CONTACTS = FolderKind.TASKS, FolderKind.CONTACTS


def test_user_task_reads_as_core_task_and_events_are_not_tasks(dav_account, dav_mailbox):
    path = put_raw(dav_account, "calendar", "todo-1.ics", ics_samples.TODO)
    put_raw(dav_account, "calendar", "event.ics", ics_samples.ALL_DAY)  # same collection, other kind
    [task] = dav_mailbox.changes_since(TASKS, None).items
    assert task.item_id == path and task.subject == "Send the quote – Müller"
    assert (task.due_date, task.status, task.priority) == (date(2026, 3, 20), TaskStatus.IN_PROGRESS, TaskPriority.HIGH)
    assert task.categories == ("Salesforce", "Follow-up") and task.version
    assert [i.subject for i in dav_mailbox.changes_since(FolderKind.CALENDAR, None).items] == ["Trade fair"]


def test_task_create_update_delete_through_the_port(dav_account, dav_mailbox):
    task = TaskItem(item_id="", subject="Call back", due_date=date(2026, 4, 1), status=TaskStatus.WAITING,
                    categories=("Salesforce",), sync_key="task-1")
    created = dav_mailbox.create_items(TASKS, [task])[0]
    assert created.ok and dav_mailbox.create_items(TASKS, [task])[0].target_id == created.target_id
    todo = Calendar.from_ical(get_raw(dav_account, created.target_id)).walk("VTODO")[0]
    assert str(todo["UID"]) == "syncline-task-1@syncline" and todo.decoded("DUE") == date(2026, 4, 1)
    assert dav_mailbox.get_items(TASKS, [created.target_id])[0].status is TaskStatus.WAITING
    cursor = dav_mailbox.changes_since(TASKS, None).cursor
    done = dav_mailbox.update_items(TASKS, [ItemPatch(created.target_id, {"status": TaskStatus.COMPLETED})])[0]
    [changed] = dav_mailbox.changes_since(TASKS, cursor).items
    assert done.ok and changed.status is TaskStatus.COMPLETED and changed.completed_at is not None
    assert changed.version == done.version
    assert dav_mailbox.delete_items(TASKS, [created.target_id])[0].ok
    assert get_raw(dav_account, created.target_id) is None


def test_user_contact_reads_as_core_contact(dav_account, dav_mailbox):
    path = put_raw(dav_account, "contacts", "card-1.vcf", ics_samples.VCARD, "text/vcard")
    [contact] = dav_mailbox.changes_since(CONTACTS, None).items
    assert contact.item_id == path
    assert (contact.given_name, contact.surname, contact.email) == ("Zoë", "Ångström", "zoe@client.test")
    assert (contact.business_phone, contact.mobile_phone) == ("+49 30 1234", "+49 170 555")
    assert (contact.company, contact.department, contact.job_title) == ("Client GmbH", "Sales", "Head of Sales")
    assert (contact.street, contact.city, contact.postal_code, contact.country) == (
        "Hauptstraße 1", "Berlin", "10115", "Germany")
    assert contact.categories == ("Salesforce",) and contact.notes == "Met at the fair"


def test_contact_writes_keep_unmapped_fields_and_cursor_sees_deletes(dav_account, dav_mailbox):
    path = put_raw(dav_account, "contacts", "card-1.vcf", ics_samples.VCARD, "text/vcard")
    cursor = dav_mailbox.changes_since(CONTACTS, None).cursor
    result = dav_mailbox.update_items(CONTACTS, [ItemPatch(path, {"job_title": "CEO", "mobile_phone": ""})])[0]
    card = vobject.readOne(get_raw(dav_account, path, "text/vcard"))
    assert result.ok and card.title.value == "CEO" and card.photo  # PHOTO survives our write
    assert [t.value for t in card.contents["tel"]] == ["+49 30 1234"]
    after_update = dav_mailbox.changes_since(CONTACTS, cursor)
    assert [c.job_title for c in after_update.items] == ["CEO"]
    created = dav_mailbox.create_items(CONTACTS, [ContactItem(item_id="", given_name="Jörg", surname="Müller",
                                                              email="joerg@client.test", sync_key="c-1")])[0]
    delete_raw(dav_account, path)
    later = dav_mailbox.changes_since(CONTACTS, after_update.cursor)
    assert later.deleted_ids == (path,) and [c.item_id for c in later.items] == [created.target_id]
    assert vobject.readOne(get_raw(dav_account, created.target_id, "text/vcard")).fn.value == "Jörg Müller"


def test_text_is_normalised_before_writing(dav_account, dav_mailbox):
    bad = TaskItem(item_id="", subject="Cafe\u0301 \ud800 bell\x07", sync_key="task-enc")
    created = dav_mailbox.create_items(TASKS, [bad])[0]
    [task] = dav_mailbox.get_items(TASKS, [created.target_id])
    assert task.subject == "Café \ufffd bell"
