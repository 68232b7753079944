"""Provider-neutral mailbox item types.

Adapters translate Graph / EWS / Gmail / CalDAV / CardDAV payloads into these values and
back; the core never sees a provider object. Every item carries its provider ``version``
(etag / changekey) so that our own writes can be recognised when they come back.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any


class FolderKind(str, Enum):
    """The mailbox folders Syncline reads; each has its own change cursor."""

    CALENDAR = "calendar"
    TASKS = "tasks"
    CONTACTS = "contacts"
    MAIL = "mail"


class ResponseStatus(str, Enum):
    NONE = "none"
    ORGANIZER = "organizer"
    ACCEPTED = "accepted"
    TENTATIVE = "tentative"
    DECLINED = "declined"


class ShowAs(str, Enum):
    FREE = "free"
    TENTATIVE = "tentative"
    BUSY = "busy"
    OUT_OF_OFFICE = "oof"
    WORKING_ELSEWHERE = "working_elsewhere"


class TaskStatus(str, Enum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETED = "completed"
    WAITING = "waiting"
    DEFERRED = "deferred"


class TaskPriority(str, Enum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"


@dataclass(frozen=True)
class Attendee:
    """One invitee; ``email`` is compared case-insensitively everywhere in the core."""

    email: str
    name: str = ""
    response: ResponseStatus = ResponseStatus.NONE
    required: bool = True


@dataclass(frozen=True)
class CalendarException:
    """An overridden occurrence of a series, identified by its original start.

    ``None`` fields inherit from the master; ``cancelled`` removes the occurrence.
    """

    recurrence_id: datetime
    cancelled: bool = False
    start: datetime | None = None
    end: datetime | None = None
    subject: str | None = None
    location: str | None = None
    this_and_future: bool = False  # RANGE=THISANDFUTURE: the change applies to every later occurrence too


@dataclass(frozen=True)
class CalendarItem:
    """A meeting or appointment; a series is ONE item (master + ``exceptions``).

    Timed items use aware ``start``/``end`` plus the IANA ``timezone`` they were entered in;
    all-day items use ``start_date`` and an exclusive ``end_date``. Occurrences produced by
    the core carry ``series_id`` and ``recurrence_id`` and an id from ``occurrence_id()``.
    """

    item_id: str
    uid: str
    subject: str = ""
    start: datetime | None = None
    end: datetime | None = None
    timezone: str = "UTC"
    all_day: bool = False
    start_date: date | None = None
    end_date: date | None = None
    organizer: str = ""
    attendees: tuple[Attendee, ...] = ()
    rrule: str | None = None
    rdates: tuple[datetime, ...] = ()  # RDATE instants (UTC, like recurrence ids), extra to the RRULE
    nominal_duration: timedelta | None = None  # a DURATION with days: each occurrence adds them on the wall clock
    exceptions: tuple[CalendarException, ...] = ()
    series_id: str | None = None
    recurrence_id: datetime | None = None
    cancelled: bool = False
    private: bool = False
    categories: tuple[str, ...] = ()
    body_text: str = ""
    body_html: str = ""
    location: str = ""
    show_as: ShowAs = ShowAs.BUSY
    version: str = ""
    modified_at: datetime | None = None
    sync_key: str | None = None


@dataclass(frozen=True)
class TaskItem:
    """A to-do; ``due_date`` is a plain date because both sides store tasks by day."""

    item_id: str
    subject: str = ""
    body_text: str = ""
    due_date: date | None = None
    status: TaskStatus = TaskStatus.NOT_STARTED
    priority: TaskPriority = TaskPriority.NORMAL
    completed_at: datetime | None = None
    private: bool = False
    categories: tuple[str, ...] = ()
    version: str = ""
    modified_at: datetime | None = None
    sync_key: str | None = None
    # Attributes the mailbox holds only coarsely: (attribute, every value it cannot tell apart from the
    # one reported). Google Tasks' "needsAction" is any open status and it has no priority at all, so
    # while the last agreed value is one of these the merge counts the attribute unchanged.
    coarse: tuple[tuple[str, tuple[Any, ...]], ...] = ()


@dataclass(frozen=True)
class ContactItem:
    """An address-book entry; ``email`` is the primary address used for matching.

    ``display_name`` is the card's formatted name (vCard FN); ``street`` holds every street line
    (PO box, extended address and street, newline-separated) as Salesforce's MailingStreet does.
    """

    item_id: str
    given_name: str = ""
    surname: str = ""
    email: str = ""
    business_phone: str = ""
    mobile_phone: str = ""
    company: str = ""
    job_title: str = ""
    department: str = ""
    street: str = ""
    city: str = ""
    postal_code: str = ""
    country: str = ""
    notes: str = ""
    categories: tuple[str, ...] = ()
    version: str = ""
    modified_at: datetime | None = None
    sync_key: str | None = None
    display_name: str = ""
    state: str = ""
    # Read from the address book the contact scope names (every card there syncs, tagged or not).
    in_scope_book: bool = False


@dataclass(frozen=True)
class EmailMessage:
    """A message saved one-way to Salesforce, identified across mailboxes by Message-ID."""

    item_id: str
    message_id: str
    conversation_id: str = ""
    sender: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    sent_at: datetime | None = None
    subject: str = ""
    body_text: str = ""
    body_html: str = ""
    categories: tuple[str, ...] = ()
    folder: str = ""
    version: str = ""
    modified_at: datetime | None = None
    sync_key: str | None = None
    save_marker: str = ""  # the X-Syncline-Save header of a Compose-mode "save when sent"
    received_at: datetime | None = None   # when it reached this mailbox (auto-save's window), not the Date header


MailboxItem = CalendarItem | TaskItem | ContactItem | EmailMessage

ITEM_TYPES: dict[FolderKind, type[MailboxItem]] = {
    FolderKind.CALENDAR: CalendarItem,
    FolderKind.TASKS: TaskItem,
    FolderKind.CONTACTS: ContactItem,
    FolderKind.MAIL: EmailMessage,
}

OCCURRENCE_SEPARATOR = "::"


def occurrence_id(series_id: str, recurrence_id: datetime) -> str:
    """The stable id of one occurrence of a series; mailbox ports accept it for update/delete."""
    return f"{series_id}{OCCURRENCE_SEPARATOR}{recurrence_id.strftime('%Y%m%dT%H%M%SZ')}"


def split_occurrence_id(item_id: str) -> tuple[str, str | None]:
    """Inverse of ``occurrence_id``: (series id, recurrence stamp or None for plain items)."""
    if OCCURRENCE_SEPARATOR not in item_id:
        return item_id, None
    series, stamp = item_id.rsplit(OCCURRENCE_SEPARATOR, 1)
    return series, stamp


def item_field_names(kind: FolderKind) -> frozenset[str]:
    """Attribute names a mapping row may reference for this folder kind."""
    return frozenset(f.name for f in fields(ITEM_TYPES[kind])) - {"coarse"}


__all__ = [
    "Attendee", "CalendarException", "CalendarItem", "ContactItem", "EmailMessage",
    "FolderKind", "ITEM_TYPES", "MailboxItem", "ResponseStatus", "ShowAs", "TaskItem",
    "TaskPriority", "TaskStatus", "item_field_names", "occurrence_id", "split_occurrence_id",
]
