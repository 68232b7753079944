"""How far along the timeline a change cursor has looked, so a wider window backfills.

A delta cursor (CalDAV sync token, Salesforce SystemModstamp watermark) never re-delivers an
unchanged item. Items the window kept out when they last changed are therefore missed for good
once the window reaches them: an admin widening ``calendar_days_back``/``calendar_days_ahead``,
a window narrowed and widened again, or the horizon sliding forward with time (a meeting booked
90 days ahead, new occurrences of an endless series). Each stream stores the span it has seen
beside its cursor; when the current window reaches outside it, the stream is listed in full once
and the planner reconciles that listing against the ID map. Narrowing only shrinks the span.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from app.sync.idmap import CursorStore
from app.sync.items import FolderKind
from app.sync.policy import SyncWindow

# The horizon moves every session; listing everything each time would cost too much, so an item
# entering the window ahead is picked up within a day (it is still ~60 days away then).
HORIZON_SLACK = timedelta(days=1)
_UNBOUNDED = "-"


@dataclass(frozen=True)
class Reach:
    """A span of the timeline (``None``: unbounded on that side) the window gate let through."""

    low: datetime | None = None
    high: datetime | None = None

    def covers(self, wanted: Reach) -> bool:
        """Has a cursor that saw ``self`` already had the chance to deliver everything in ``wanted``?"""
        low_ok = self.low is None or (wanted.low is not None and wanted.low >= self.low)
        high_ok = self.high is None or (wanted.high is not None and wanted.high <= self.high + HORIZON_SLACK)
        return low_ok and high_ok

    def narrowed_to(self, current: Reach) -> Reach:
        """What a delta pass under ``current`` leaves seen: only what both spans let through."""
        low = current.low if self.low is None else self.low if current.low is None else max(self.low, current.low)
        high = current.high if self.high is None else self.high if current.high is None else min(self.high,
                                                                                               current.high)
        return Reach(low, high)

    def encode(self) -> str:
        return "/".join(_UNBOUNDED if b is None else b.isoformat() for b in (self.low, self.high))

    @classmethod
    def decode(cls, text: str | None) -> Reach | None:
        """None for a missing or unreadable value (treated as "seen what the window shows now")."""
        try:
            low, high = (text or "").split("/")
            return cls(*(None if b == _UNBOUNDED else datetime.fromisoformat(b) for b in (low, high)))
        except ValueError:
            return None


def window_reach(window: SyncWindow, kind: FolderKind, now: datetime, backfill_from: datetime | None = None) -> Reach:
    """The span the planner's window gate (``policy.in_window``) admits for this kind; a pending
    meetings backfill reaches back to its window's start, so that session lists the calendar in full."""
    if kind is FolderKind.CALENDAR:
        low, high = window.bounds(now)
        return Reach(min(low, backfill_from) if backfill_from is not None else low, high)
    if kind is FolderKind.TASKS:
        return Reach(low=now - timedelta(days=window.task_recent_days))   # completed tasks by last change
    return Reach()


def reach_stream(stream: str) -> str:
    """Where a stream's reach is kept, beside its cursor."""
    return f"{stream}@reach"


class ReachCursors:
    """The CursorStore the engine uses for one table: a stream whose stored reach does not cover
    the current window loads as "no cursor" (a full listing); saving a cursor also saves its reach."""

    def __init__(self, cursors: CursorStore, current: Reach, relist: frozenset[str] = frozenset()) -> None:
        """``relist``: streams to list in full this session whatever they have seen (a backfill)."""
        self.cursors, self.current, self.relist = cursors, current, relist

    def load(self, mailbox_id: str, stream: str) -> str | None:
        if stream in self.relist:
            return None
        cursor = self.cursors.load(mailbox_id, stream)
        seen = Reach.decode(self.cursors.load(mailbox_id, reach_stream(stream)))
        if cursor is not None and seen is not None and not seen.covers(self.current):
            return None
        return cursor

    def save(self, mailbox_id: str, stream: str, cursor: str | None, full: bool = False) -> None:
        """The cursor first, then its reach: a crash between costs one extra listing, never an item.

        A stored cursor without a reach (taken before reaches were kept) counts as having seen the
        current window."""
        seen = Reach.decode(self.cursors.load(mailbox_id, reach_stream(stream)))
        after = self.current if full or seen is None else seen.narrowed_to(self.current)
        self.cursors.save(mailbox_id, stream, cursor)
        self.cursors.save(mailbox_id, reach_stream(stream), after.encode())
