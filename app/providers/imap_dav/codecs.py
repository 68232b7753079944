"""The three resource codecs the DAV folders use, behind one small interface."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from app.providers.imap_dav.ical_event import read_event, write_event
from app.providers.imap_dav.ical_task import read_task, write_task
from app.providers.imap_dav.vcard_contact import read_contact, write_contact
from app.sync.items import CalendarItem, ContactItem, MailboxItem, TaskItem


def holds(component: str) -> Callable[[str], bool]:
    """A cheap test whether a resource's text can hold ``component`` at all, so a task list that
    shares its collection with the calendar skips parsing every event (and vice versa)."""
    pattern = re.compile(rf"^BEGIN:{component}\s*$", re.IGNORECASE | re.MULTILINE)
    return lambda data: pattern.search(data) is not None


HOLDS_VEVENT, HOLDS_VTODO = holds("VEVENT"), holds("VTODO")


class EventCodec:
    """VEVENT series ⇄ CalendarItem; the item's own UID is kept (the core derives it from the key).

    ``floating`` is the mailbox owner's zone, the zone of times with neither TZID nor Z;
    ``owner_addresses`` gives the calendar owner's addresses (read at discovery) when writing,
    to tell the organizer's copy from an attendee's.
    """

    def __init__(self, floating: str = "UTC",
                 owner_addresses: Callable[[], frozenset[str]] = frozenset) -> None:
        self.floating = floating
        self.owner_addresses = owner_addresses

    component = "VEVENT"

    def read(self, href: str, etag: str, data: str) -> CalendarItem | None:
        return read_event(href, etag, data, self.floating) if HOLDS_VEVENT(data) else None

    def write(self, item: MailboxItem, existing: str | None, uid: str) -> str:
        assert isinstance(item, CalendarItem)
        return write_event(replace(item, uid=item.uid or uid), existing, self.owner_addresses())

    def uid_of(self, item: MailboxItem) -> str:
        return getattr(item, "uid", "")


class TaskCodec:
    """VTODO ⇄ TaskItem; due dates are days in the mailbox owner's zone (``floating``)."""

    def __init__(self, floating: str = "UTC") -> None:
        self.floating = floating

    component = "VTODO"

    def read(self, href: str, etag: str, data: str) -> TaskItem | None:
        return read_task(href, etag, data, self.floating) if HOLDS_VTODO(data) else None

    def write(self, item: MailboxItem, existing: str | None, uid: str) -> str:
        assert isinstance(item, TaskItem)
        return write_task(item, existing, uid, self.floating)

    def uid_of(self, item: MailboxItem) -> str:
        return ""


class ContactCodec:
    """vCard ⇄ ContactItem; ``in_scope_book`` tells (after discovery) whether a path lies in the
    contact scope's address book, whose cards all sync."""

    def __init__(self, in_scope_book: Callable[[str], bool] = lambda href: False) -> None:
        self.in_scope_book = in_scope_book

    component = None

    def read(self, href: str, etag: str, data: str) -> ContactItem | None:
        item = read_contact(href, etag, data)
        return replace(item, in_scope_book=True) if item is not None and self.in_scope_book(href) else item

    def write(self, item: MailboxItem, existing: str | None, uid: str) -> str:
        assert isinstance(item, ContactItem)
        return write_contact(item, existing, uid)

    def uid_of(self, item: MailboxItem) -> str:
        return ""
