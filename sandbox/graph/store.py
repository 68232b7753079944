"""The fake's state: users' calendars, a change log that delta tokens point into, and the outbox.

Every change bumps one counter; a delta token remembers (user, window, counter) so the next
round returns exactly what changed after it. Deleted events leave tombstones so a delta round
reports them as ``@removed``. The outbox records each message Exchange would send to attendees.
"""
from __future__ import annotations

import itertools
import secrets
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.graph import meetings, series
from sandbox.graph.contacts_store import ContactStore
from sandbox.graph.faults import LostAnswers
from sandbox.graph.identity import Identity
from sandbox.graph.limits import MailboxLimits
from sandbox.graph.mail_store import MailStore
from sandbox.graph.push import PushBook
from sandbox.graph.store_times import overlaps, stamp
from sandbox.graph.todo_store import TodoStore

Event = dict[str, Any]


@dataclass(frozen=True)
class OutboxMessage:
    """A meeting message the real service would have sent: ``kind`` is request, update or cancellation."""

    kind: str
    organizer: str
    to: tuple[str, ...]
    subject: str
    event_id: str


@dataclass
class DeltaState:
    """What a delta or skip token stands for."""

    user: str
    start: datetime
    end: datetime
    since: int                       # changes after this counter value are reported
    pending: list[Event] = field(default_factory=list)  # a page round in progress
    upto: int = 0                    # the counter value the round's deltaLink will carry


@dataclass
class Mailbox:
    address: str
    events: dict[str, Event] = field(default_factory=dict)
    changed_at: dict[str, int] = field(default_factory=dict)     # event id → counter of its last change
    removed: dict[str, int] = field(default_factory=dict)        # deleted event id → counter


class GraphStore:
    """Thread-safe state of the fake tenant."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.mailboxes: dict[str, Mailbox] = {}
        self.counter = itertools.count(1)
        self.tokens: dict[str, DeltaState] = {}
        self.outbox: list[OutboxMessage] = []
        self.clients: dict[str, str] = {}          # client id → secret
        self.access_tokens: set[str] = set()
        self.throttle_left = 0
        self.throttle_retry_after = 1
        self.throttle_match = ""
        self.requests = 0
        self.preferences: list[str] = []           # the Prefer header of every Graph request, in order
        self.clock = lambda: datetime.now(UTC)
        self.mail = MailStore(self)                # folders, messages and categories (mail_store.py)
        self.contacts = ContactStore(self)
        self.limits = MailboxLimits()              # Outlook's 4 concurrent requests per mailbox; latency
        self.todo = TodoStore(self)                # Microsoft To Do lists and tasks (todo_store.py)
        self.push = PushBook(lambda: self.clock())   # subscriptions and change notifications
        self.lost_answers = LostAnswers()          # work done, answer lost (faults.py)
        self.identity = Identity()                 # certificates, consents, sign-ins (identity.py)

    # -- tenant setup -------------------------------------------------------------------------
    def add_user(self, address: str) -> str:
        """A licensed mailbox; its id is the address (Graph accepts the UPN in /users/{id})."""
        with self.lock:
            self.mailboxes.setdefault(address.lower(), Mailbox(address))
            return address

    def mailbox(self, user: str) -> Mailbox | None:
        return self.mailboxes.get(user.lower())

    def register_client(self, client_id: str, secret: str) -> None:
        self.clients[client_id] = secret

    def issue_access_token(self) -> str:
        token = secrets.token_urlsafe(24)
        self.access_tokens.add(token)
        return token

    # -- faults -------------------------------------------------------------------------------
    def throttle(self, count: int, retry_after: int = 1, match: str = "") -> None:
        """The next ``count`` Graph requests (those whose ``METHOD /path`` contains ``match``; inside a
        ``$batch`` each request counts on its own) answer 429 with ``Retry-After``."""
        with self.lock:
            self.throttle_left, self.throttle_retry_after, self.throttle_match = count, retry_after, match

    def expire_delta_tokens(self) -> None:
        """Every delta and skip token issued so far answers 410 (the sync state is gone)."""
        with self.lock:
            self.tokens.clear()

    # -- events -------------------------------------------------------------------------------
    def _touch(self, box: Mailbox, event: Event) -> None:
        seq = next(self.counter)
        event["changeKey"] = secrets.token_urlsafe(12)
        event["lastModifiedDateTime"] = stamp(self.clock())
        event["@odata.etag"] = f'W/"{event["changeKey"]}"'
        box.changed_at[event["id"]] = seq
        self.push.changed(box.address, "events", event["id"], "updated" if event["id"] in box.events else "created",
                          event["@odata.etag"])

    def create_event(self, user: str, body: Event) -> tuple[Event, bool]:
        """The stored event and whether it is new (a repeated ``transactionId`` returns the first one)."""
        with self.lock:
            box = self._box(user)
            txn = body.get("transactionId")
            if txn:
                for existing in box.events.values():
                    if existing.get("transactionId") == txn:
                        return existing, False
            event_id = "AAkALg" + uuid.uuid4().hex + uuid.uuid4().hex[:8]
            if body.get("recurrence"):
                body = {**body, "type": "seriesMaster", "_overrides": {}, "_cancelled": set()}
            now = stamp(self.clock())
            event = {"subject": "", "body": {"contentType": "text", "content": ""}, "isAllDay": False,
                     "showAs": "busy", "sensitivity": "normal", "categories": [], "attendees": [],
                     "location": {"displayName": ""}, "isCancelled": False, "type": "singleInstance",
                     "seriesMasterId": None, "recurrence": None, "transactionId": None,
                     "singleValueExtendedProperties": [],
                     "originalStartTimeZone": (body.get("start") or {}).get("timeZone") or "UTC",
                     "originalEndTimeZone": (body.get("end") or {}).get("timeZone") or "UTC", **body,
                     "id": event_id, "iCalUId": "040000008200E00074C5B7101A82E008" + uuid.uuid4().hex.upper(),
                     "createdDateTime": now, "isOrganizer": True,
                     "organizer": {"emailAddress": {"name": box.address, "address": box.address}}}
            self._touch(box, event)
            box.events[event_id] = event
            self._send(box, event, "request", event["attendees"])
            meetings.deliver(self, box, event)
            return event, True

    def update_event(self, user: str, event_id: str, changes: Event) -> Event | None:
        with self.lock:
            box = self._box(user)
            occurrence = self.occurrence(user, event_id)
            if occurrence is not None:   # an occurrence edited alone becomes an exception of its series
                master = box.events[occurrence["seriesMasterId"]]
                original = occurrence["originalStart"].replace("-", "").replace(":", "")
                master["_overrides"].setdefault(original, {}).update(changes)
                self._touch(box, master)
                self._send(box, master, "update", master.get("attendees") or [])
                meetings.deliver(self, box, master)
                return self.occurrence(user, event_id)
            event = box.events.get(event_id)
            if event is None:
                return None
            before = [a["emailAddress"]["address"].lower() for a in event.get("attendees") or []]
            props = {p["id"]: p for p in event.get("singleValueExtendedProperties") or []}
            for prop in changes.get("singleValueExtendedProperties") or []:
                props[prop["id"]] = prop
            event.update({k: v for k, v in changes.items() if k != "singleValueExtendedProperties"})
            event["singleValueExtendedProperties"] = list(props.values())
            self._touch(box, event)
            attendees = event.get("attendees") or []
            kept = [a for a in attendees if a["emailAddress"]["address"].lower() in before]
            self._send(box, event, "update", kept)
            self._send(box, event, "request", [a for a in attendees if a not in kept])
            meetings.deliver(self, box, event)
            return event

    def delete_event(self, user: str, event_id: str) -> bool:
        with self.lock:
            box = self._box(user)
            occurrence = self.occurrence(user, event_id)
            if occurrence is not None:   # deleting one occurrence cancels it in its series
                master = box.events[occurrence["seriesMasterId"]]
                master["_cancelled"].add(occurrence["originalStart"].replace("-", "").replace(":", ""))
                self._touch(box, master)
                box.removed[event_id] = next(self.counter)
                self.push.changed(box.address, "events", event_id, "deleted")
                self._send(box, master, "cancellation", master.get("attendees") or [])
                meetings.deliver(self, box, master)
                return True
            event = box.events.pop(event_id, None)
            if event is None:
                return False
            box.changed_at.pop(event_id, None)
            box.removed[event_id] = next(self.counter)
            self.push.changed(box.address, "events", event_id, "deleted")
            if event.get("type") == "seriesMaster":
                now = self.clock()
                for instance in series.instances(event, now - _YEARS, now + _YEARS):
                    box.removed[instance["id"]] = next(self.counter)
            self._send(box, event, "cancellation", event.get("attendees") or [])
            meetings.cancel(self, box, event)
            return True

    def occurrence(self, user: str, event_id: str) -> Event | None:
        """An occurrence or exception of a series by its id (None: not one, or cancelled)."""
        parts = series.split_occurrence(event_id)
        box = self.mailbox(user)
        master = box.events.get(parts[0]) if box and parts else None
        if master is None:
            return None
        now = self.clock()
        return next((i for i in series.instances(master, now - _YEARS, now + _YEARS) if i["id"] == event_id), None)

    def instances(self, user: str, master_id: str, start: datetime, end: datetime) -> list[Event] | None:
        master = self._box(user).events.get(master_id)
        if master is None or master.get("type") != "seriesMaster":
            return None
        return series.instances(master, start, end)

    def _send(self, box: Mailbox, event: Event, kind: str, attendees: list[dict]) -> None:
        """Exchange mails attendees of an organiser's meeting; nothing for a plain appointment."""
        to = tuple(a["emailAddress"]["address"] for a in attendees
                   if a["emailAddress"]["address"].lower() != box.address.lower())
        if to and event.get("isOrganizer", True):
            self.outbox.append(OutboxMessage(kind, box.address, to, event.get("subject", ""), event["id"]))

    def _box(self, user: str) -> Mailbox:
        box = self.mailbox(user)
        if box is None:
            raise KeyError(user)
        return box

    # -- delta --------------------------------------------------------------------------------
    def new_round(self, user: str, start: datetime, end: datetime) -> DeltaState:
        with self.lock:
            return DeltaState(user, start, end, since=0)

    def collect(self, state: DeltaState) -> list[Event]:
        """Every change after ``state.since`` in the window: current events, ``@removed`` for the rest."""
        with self.lock:
            box = self._box(state.user)
            out: list[Event] = []
            for event_id, seq in sorted(box.changed_at.items(), key=lambda kv: kv[1]):
                if seq <= state.since:
                    continue
                event = box.events[event_id]
                if event.get("type") == "seriesMaster":
                    shown = series.instances(event, state.start, state.end)
                    out += [dict(i) for i in shown]
                    if state.since:
                        out += [removed(series.occurrence_id(event_id, _original(stamp_)))
                                for stamp_ in event["_cancelled"]]
                elif overlaps(event, state.start, state.end):
                    out.append(dict(event))
                elif state.since:   # moved out of the view: gone from the client's point of view
                    out.append(removed(event_id))
            if state.since:
                out += [removed(i) for i, seq in sorted(box.removed.items(), key=lambda kv: kv[1])
                        if seq > state.since]
            state.upto = next(self.counter)
            return out

    def keep(self, state: DeltaState) -> str:
        token = secrets.token_urlsafe(18)
        with self.lock:
            self.tokens[token] = state
        return token

    def find(self, token: str) -> DeltaState | None:
        with self.lock:
            return self.tokens.get(token)


_YEARS = timedelta(days=730)


def _original(text: str) -> datetime:
    return datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)


def removed(event_id: str) -> Event:
    return {"@odata.type": "#microsoft.graph.event", "id": event_id, "@removed": {"reason": "deleted"}}


