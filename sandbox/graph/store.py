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
from datetime import UTC, datetime
from typing import Any

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
        self.requests = 0
        self.clock = lambda: datetime.now(UTC)

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
    def throttle(self, count: int, retry_after: int = 1) -> None:
        """The next ``count`` Graph requests answer 429 with ``Retry-After``."""
        with self.lock:
            self.throttle_left, self.throttle_retry_after = count, retry_after

    def expire_delta_tokens(self) -> None:
        """Every delta and skip token issued so far answers 410 (the sync state is gone)."""
        with self.lock:
            self.tokens.clear()

    # -- events -------------------------------------------------------------------------------
    def _touch(self, box: Mailbox, event: Event) -> None:
        seq = next(self.counter)
        event["changeKey"] = secrets.token_urlsafe(12)
        event["lastModifiedDateTime"] = _stamp(self.clock())
        event["@odata.etag"] = f'W/"{event["changeKey"]}"'
        box.changed_at[event["id"]] = seq

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
            now = _stamp(self.clock())
            event = {"subject": "", "body": {"contentType": "text", "content": ""}, "isAllDay": False,
                     "showAs": "busy", "sensitivity": "normal", "categories": [], "attendees": [],
                     "location": {"displayName": ""}, "isCancelled": False, "type": "singleInstance",
                     "seriesMasterId": None, "recurrence": None, "transactionId": None,
                     "singleValueExtendedProperties": [], **body,
                     "id": event_id, "iCalUId": "040000008200E00074C5B7101A82E008" + uuid.uuid4().hex.upper(),
                     "createdDateTime": now, "isOrganizer": True,
                     "organizer": {"emailAddress": {"name": box.address, "address": box.address}}}
            self._touch(box, event)
            box.events[event_id] = event
            self._send(box, event, "request", event["attendees"])
            return event, True

    def update_event(self, user: str, event_id: str, changes: Event) -> Event | None:
        with self.lock:
            box = self._box(user)
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
            return event

    def delete_event(self, user: str, event_id: str) -> bool:
        with self.lock:
            box = self._box(user)
            event = box.events.pop(event_id, None)
            if event is None:
                return False
            box.changed_at.pop(event_id, None)
            box.removed[event_id] = next(self.counter)
            self._send(box, event, "cancellation", event.get("attendees") or [])
            return True

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
                if overlaps(event, state.start, state.end):
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


def removed(event_id: str) -> Event:
    return {"@odata.type": "#microsoft.graph.event", "id": event_id, "@removed": {"reason": "deleted"}}


def overlaps(event: Event, start: datetime, end: datetime) -> bool:
    """calendarView semantics: the event ends after the view starts and starts before it ends."""
    ev_start, ev_end = parse_time(event["start"]), parse_time(event["end"])
    return ev_end > start and ev_start < end if ev_end > ev_start else start <= ev_start < end


def parse_time(value: dict) -> datetime:
    """A dateTimeTimeZone the fake stores: always UTC (clients write UTC or get it converted)."""
    text = value["dateTime"].rstrip("Z")[:26]
    moment = datetime.fromisoformat(text)
    zone = value.get("timeZone") or "UTC"
    if zone != "UTC":
        from zoneinfo import ZoneInfo
        return moment.replace(tzinfo=ZoneInfo(zone)).astimezone(UTC)
    return moment.replace(tzinfo=UTC)


def utc_time(moment: datetime) -> dict:
    return {"dateTime": moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.0000000"), "timeZone": "UTC"}


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"
