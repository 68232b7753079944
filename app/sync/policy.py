"""Per-org sync policy and the per-run session: all the knobs the planner reads.

Defaults follow what users of this kind of product expect: two-way, last writer wins,
cancelled meetings removed from Salesforce, a 14-days-back / 60-days-ahead calendar window.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import Enum

from app.sync.auto_save import MeetingAutoSave
from app.sync.items import CalendarItem, FolderKind, MailboxItem, TaskItem, TaskStatus
from app.sync.link_ladder import LadderRules
from app.sync.mapping import Direction
from app.sync.recurrence import SeriesExpander, is_series
from app.sync.transforms import parse_sf_datetime


class ConflictPolicy(str, Enum):
    """Who wins when the same field changed on both sides since the last sync."""

    LAST_WRITER_WINS = "last_writer_wins"
    SALESFORCE_WINS = "salesforce_wins"
    MAILBOX_WINS = "mailbox_wins"


class CancellationPolicy(str, Enum):
    """What a cancelled meeting (or occurrence) does to its Salesforce Event."""

    DELETE = "delete"
    MARK = "mark"


class SyncOption(str, Enum):
    """Per-object switch an admin sets."""

    OFF = "off"
    TO_SALESFORCE = "to_salesforce"
    TO_MAILBOX = "to_mailbox"
    TWO_WAY = "two_way"

    @property
    def direction(self) -> Direction:
        return {SyncOption.OFF: Direction.NONE, SyncOption.TO_SALESFORCE: Direction.TO_SALESFORCE,
                SyncOption.TO_MAILBOX: Direction.TO_MAILBOX, SyncOption.TWO_WAY: Direction.BOTH}[self]


@dataclass(frozen=True)
class SyncWindow:
    """Which items are eligible to be mirrored; leaving the window never deletes anything, and a
    wider window (or the horizon moving on) backfills what it had kept out (``window_reach``)."""

    days_back: int = 14
    days_ahead: int = 60
    task_recent_days: int = 30

    def bounds(self, now: datetime) -> tuple[datetime, datetime]:
        return now - timedelta(days=self.days_back), now + timedelta(days=self.days_ahead)


@dataclass(frozen=True)
class SyncPolicy:
    """An org's choices. ``options`` missing a kind means two-way."""

    conflict: ConflictPolicy = ConflictPolicy.LAST_WRITER_WINS
    cancellation: CancellationPolicy = CancellationPolicy.DELETE
    propagate_deletes: bool = True
    window: SyncWindow = SyncWindow()
    options: Mapping[FolderKind, SyncOption] = field(default_factory=dict)
    max_attempts: int = 5
    # Only cards carrying it, or read from the scope's address book, sync (None: every card read).
    contact_category: str | None = None
    contact_book: str | None = None       # that address book's name, for the skip reason only
    crm_batch_size: int = 200
    mailbox_batch_size: int = 20
    # Mailbox items read, planned and written together: an import's memory stays flat whatever its size.
    import_chunk_size: int = 1000
    # A chunk's Salesforce writes run while the next chunk is read and looked up (app.sync.chunk_writes).
    overlap_chunk_writes: bool = True
    # How series become occurrences (app.recurrence's RFC 5545 library); None refuses every series.
    series_expander: SeriesExpander | None = field(default=None, compare=False)
    # The org's resolution-ladder settings for meetings' Who/What (None: the defaults).
    ladder: LadderRules | None = field(default=None, compare=False)
    # "Save all new meetings": which new meetings the mirror creates in Salesforce (off: every one).
    meetings: MeetingAutoSave = field(default=MeetingAutoSave(), compare=False)

    def option(self, kind: FolderKind) -> SyncOption:
        return self.options.get(kind, SyncOption.TWO_WAY)


@dataclass(frozen=True)
class SyncSession:
    """Who is being synced, now. ``owner_id`` is the user's Salesforce User id."""

    sf_org_id: str
    mailbox_id: str
    owner_id: str
    owner_email: str = ""
    timezone: str = "UTC"
    now: datetime = field(default_factory=lambda: datetime.now(UTC))


def in_window(item: MailboxItem, policy: SyncPolicy, now: datetime) -> bool:
    """May this item be created on the other side? (Only creates are gated.)"""
    if isinstance(item, CalendarItem):
        return _calendar_in_window(item, policy.window, now, policy.meetings.backfill_from)
    if isinstance(item, TaskItem):
        if item.status is not TaskStatus.COMPLETED:
            return True
        recent = now - timedelta(days=policy.window.task_recent_days)
        return item.modified_at is None or item.modified_at >= recent
    return True


def _calendar_in_window(item: CalendarItem, window: SyncWindow, now: datetime,
                        backfill_from: datetime | None = None) -> bool:
    """``backfill_from``: "save all new meetings" lists its backfill window once, however far back."""
    if is_series(item):
        return True  # a series is judged occurrence by occurrence
    low, high = window.bounds(now)
    low = min(low, backfill_from) if backfill_from is not None else low
    start = _start_instant(item)
    return start is None or low <= start < high


def _start_instant(item: CalendarItem) -> datetime | None:
    if item.all_day and item.start_date is not None:
        return datetime.combine(item.start_date, datetime.min.time(), UTC)
    return item.start


def record_in_window(fields: Mapping[str, object], kind: FolderKind, policy: SyncPolicy, now: datetime) -> bool:
    """The same gate for records that start in Salesforce."""
    if kind is FolderKind.TASKS:
        return _task_record_in_window(fields, policy, now)
    if kind is not FolderKind.CALENDAR:
        return True
    low, high = policy.window.bounds(now)
    when = fields.get("StartDateTime") or fields.get("ActivityDate")
    if not when:
        return True
    text = str(when)
    instant = (datetime.combine(date.fromisoformat(text), datetime.min.time(), UTC)
               if len(text) == 10 else parse_sf_datetime(text))
    return low <= instant < high


EMAIL_SUBTYPES = frozenset({"Email", "ListEmail"})


def _task_record_in_window(fields: Mapping[str, object], policy: SyncPolicy, now: datetime) -> bool:
    """As for mailbox tasks: open Tasks, and closed ones changed in the last ``task_recent_days``
    (not years of activity history). A Task that logs an email (``TaskSubtype`` Email/ListEmail,
    as Salesforce and mail tools write for every email logged) is a record of mail, not a to-do."""
    if str(fields.get("TaskSubtype") or "") in EMAIL_SUBTYPES:
        return False
    closed = fields["IsClosed"] if "IsClosed" in fields else fields.get("Status") == "Completed"
    modified = fields.get("LastModifiedDate")
    if not closed or not modified:
        return True
    return parse_sf_datetime(str(modified)) >= now - timedelta(days=policy.window.task_recent_days)


def calendar_bounds(policy: SyncPolicy, now: datetime) -> tuple[datetime, datetime]:
    """What a calendar adapter lists: the sync window, back to a pending meetings backfill's start."""
    low, high = policy.window.bounds(now)
    since = policy.meetings.backfill_from
    return (min(low, since) if since is not None else low), high
