"""Auto-save ("save all new mail"): which new messages a user's setting saves without a tag.

Direction comes from the sender, not the folder name, so every provider reads alike: mail from
the owner is outbound, anything else inbound. Only mail dated from the activation window on
(``since``: activation time minus the chosen backfill days; arrival time first, else the Date header) and with at least one external
participant (outside the owner's address, their domain and the org's own domains) is saved;
internal-only mail is skipped with ``NO_EXTERNAL``. The blocklist rule is ``email_rules``'s.
"Save all new meetings" (``MeetingAutoSave``) gates the calendar mirror's creates the same way.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from app.sync.blocklist import AddressBlocklist
from app.sync.items import CalendarItem, EmailMessage

MODES = ("off", "inbound", "outbound", "both")
MAX_BACKFILL_DAYS = 90      # a window's backfill lists (and fetches) every message of those days, once
NO_EXTERNAL = "automatic save skipped: no external participant"
REASONS = {"inbound": "auto-save: new inbound mail", "outbound": "auto-save: new outbound mail"}


@dataclass(frozen=True)
class AutoSaveRule:
    """One user's effective "save all new mail" setting for a session (off unless a mode is set)."""

    mode: str = "off"
    since: datetime | None = None
    owner_email: str = ""
    own_domains: frozenset[str] = frozenset()
    backfill: bool = False      # the window before the mailbox's cursor is still to be listed once

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")

    @property
    def inbound(self) -> bool:
        return self.mode in ("inbound", "both")

    @property
    def outbound(self) -> bool:
        return self.mode in ("outbound", "both")

    def direction(self, message: EmailMessage) -> str:
        sender = message.sender.strip().lower()
        return "outbound" if sender and sender == self.owner_email.strip().lower() else "inbound"

    def applies(self, message: EmailMessage) -> bool:
        """The message's direction is switched on and it falls in the window."""
        wanted = {"inbound": self.inbound, "outbound": self.outbound}[self.direction(message)]
        when = message.received_at or message.sent_at     # arrival first: a Date header may lag
        if not wanted or self.since is None or when is None:
            return wanted
        return (when if when.tzinfo else when.replace(tzinfo=UTC)) >= self.since


def outside(addresses: Iterable[str], owner_email: str, own_domains: Iterable[str] = ()) -> set[str]:
    """The addresses outside the owner's address, the owner's domain and the org's own domains."""
    owner = owner_email.strip().lower()
    internal = {owner.rpartition("@")[2], *(d.strip().lower() for d in own_domains)} - {""}
    people = {a.strip().lower() for a in addresses if a and a.strip()}
    return {a for a in people if a != owner and a.rpartition("@")[2] not in internal}


def external_addresses(message: EmailMessage, owner_email: str, own_domains: Iterable[str] = ()) -> set[str]:
    """The message's participants outside the org."""
    return outside((message.sender, *message.to, *message.cc), owner_email, own_domains)


def auto_verdict(message: EmailMessage, rule: AutoSaveRule) -> tuple[bool, str] | None:
    """(save?, reason) for a message the rule covers, None when it does not apply."""
    if not rule.applies(message):
        return None
    if not external_addresses(message, rule.owner_email, rule.own_domains):
        return False, NO_EXTERNAL
    return True, REASONS[rule.direction(message)]


MEETING_NO_EXTERNAL = "automatic save skipped: no external attendee"
MEETING_BLOCKED = "automatic save skipped: every external attendee is blocklisted"
MEETING_BEFORE = "automatic save skipped: the meeting starts before the auto-save window"
MEETING_DIRECTION = {"inbound": "automatic save skipped: meetings you organise are not saved",
                     "outbound": "automatic save skipped: invitations you received are not saved"}


@dataclass(frozen=True)
class MeetingAutoSave:
    """"Save all new meetings": which meetings the calendar mirror creates as Events (off: all, as before).

    Inbound = invitations received (someone else organises), outbound = meetings the owner organises.
    Like mail, only meetings starting from the window's start (``since``: activation minus the backfill
    days) are saved; ``backfill``: that window is still to be listed once (the calendar's cursor may
    be past it), after which only changes are read."""

    mode: str = "off"
    owner_email: str = ""
    own_domains: frozenset[str] = frozenset()
    blocked: AddressBlocklist = AddressBlocklist()
    since: datetime | None = None
    backfill: bool = False

    @property
    def backfill_from(self) -> datetime | None:
        """Where the calendar must be listed back to this session (None: no backfill pending)."""
        return self.since if self.mode != "off" and self.backfill else None

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"mode must be one of {MODES}, not {self.mode!r}")


def _before(item: CalendarItem, since: datetime | None) -> bool:
    """Starts before the window (a series is judged by its occurrences, never by its first start)."""
    start = item.start if item.start is not None or item.start_date is None else \
        datetime.combine(item.start_date, datetime.min.time(), UTC)
    if since is None or start is None or (item.recurrence_id is None and (item.rrule or item.rdates)):
        return False
    return (start if start.tzinfo else start.replace(tzinfo=UTC)) < since


def meeting_skip(item: CalendarItem, rule: MeetingAutoSave) -> str | None:
    """Why a new meeting is not created in Salesforce under the rule; None when it is (or the rule is off)."""
    if rule.mode == "off":
        return None
    owner = rule.owner_email.strip().lower()
    organised = not item.organizer.strip() or item.organizer.strip().lower() == owner
    if rule.mode != "both" and rule.mode != ("outbound" if organised else "inbound"):
        return MEETING_DIRECTION[rule.mode]
    if _before(item, rule.since):
        return MEETING_BEFORE
    externals = outside((item.organizer, *(a.email for a in item.attendees)), owner, rule.own_domains)
    if not externals:
        return MEETING_NO_EXTERNAL
    return MEETING_BLOCKED if all(rule.blocked.blocks(a) for a in externals) else None
