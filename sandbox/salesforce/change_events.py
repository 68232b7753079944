"""Change Data Capture: every committed DML of a selected entity becomes a change event with a
replayId, kept 72 hours (on the emulator's clock) for replay.

Events are made from the store's journal when a transaction commits (one API request, or one
façade call): a record created → CREATE with its non-null fields, changed → UPDATE with the
changed fields (`changedFields` lists LastModifiedDate too, as Salesforce does), moved to the
recycle bin → DELETE, restored → UNDELETE. Events of one transaction share a transactionKey and
count up `sequenceNumber`. Replay ids only grow (they start at the clock's epoch milliseconds, so
a restarted emulator does not reissue an id a client may have stored).
"""
from __future__ import annotations

import threading
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

RETENTION = timedelta(hours=72)
DEFAULT_ENTITIES = frozenset({"Account", "Contact", "Event", "Lead", "Opportunity", "Task"})
SYSTEM_FIELDS = frozenset({"Id", "IsDeleted", "SystemModstamp", "attributes"})
ALL_CHANNEL = "/data/ChangeEvents"


class InvalidReplayId(Exception):
    """A replayId that is neither -1, -2 nor a retained event's id."""

    def __init__(self, replay_id: Any) -> None:
        super().__init__(f"The replayId {{{replay_id}}} you provided was invalid.  Please provide a valid ID, "
                         "-2 to replay all events, or -1 to replay only new events.")


@dataclass(frozen=True)
class ChangeEvent:
    replay_id: int
    entity: str
    published: datetime
    payload: dict[str, Any]

    def channels(self) -> tuple[str, str]:
        return ALL_CHANNEL, channel_for(self.entity)

    def message(self, channel: str) -> dict[str, Any]:
        """The Bayeux data message a subscriber of ``channel`` receives."""
        return {"channel": channel, "data": {"schema": f"emulator-{self.entity}ChangeEvent",
                                             "payload": self.payload, "event": {"replayId": self.replay_id}}}


def channel_for(entity: str) -> str:
    """`/data/ContactChangeEvent`; custom objects drop the `c` of `__c` (`/data/Foo__ChangeEvent`)."""
    return f"/data/{entity[:-1] if entity.endswith('__c') else entity}ChangeEvent"


class ChangeEventBus:
    """One org's event stream. Thread-safe; long-polling readers wait on ``cond``."""

    def __init__(self, first_replay_id: int = 1) -> None:
        self.enabled = True
        self.entities: set[str] = set(DEFAULT_ENTITIES)
        self.events: list[ChangeEvent] = []
        self.cond = threading.Condition()
        self._next = first_replay_id
        self._commits = 0

    def publish(self, journal: Sequence[tuple[str, str, Any, Any]], current: Any, now: datetime) -> None:
        """Turn one committed transaction (the store's journal; ``current(kind, id)`` gives a record's
        state after it) into events."""
        if not self.enabled:
            return
        first_old: dict[str, tuple[str, Any]] = {}
        for kind, rid, old, _ in journal:
            if kind in self.entities and rid not in first_old:
                first_old[rid] = (kind, old)
        made = [e for e in (_event(kind, old, current(kind, rid)) for rid, (kind, old) in first_old.items()) if e]
        if not made:
            return
        key, stamp = str(uuid.uuid4()), int(now.timestamp() * 1000)
        with self.cond:
            self._commits += 1
            for n, (kind, change_type, body, header) in enumerate(made, start=1):
                header.update(entityName=kind, changeType=change_type, transactionKey=key, sequenceNumber=n,
                              commitTimestamp=stamp, commitNumber=self._commits,
                              changeOrigin="com/salesforce/api/rest/62.0")
                self.events.append(ChangeEvent(self._next, kind, now, {"ChangeEventHeader": header, **body}))
                self._next += 1
            self._expire(now)
            self.cond.notify_all()

    def _expire(self, now: datetime) -> None:
        cut = now - RETENTION
        while self.events and self.events[0].published < cut:
            self.events.pop(0)

    def position(self, replay: Any, now: datetime) -> int:
        """Where a subscription starts: events with a replayId above the answer are delivered."""
        with self.cond:
            self._expire(now)
            value = _as_int(replay)
            if value == -1:
                return self._next - 1
            if value == -2:
                return self.events[0].replay_id - 1 if self.events else self._next - 1
            if value is None or not any(e.replay_id == value for e in self.events):
                raise InvalidReplayId(replay)
            return value

    def after(self, position: int, channel: str) -> list[ChangeEvent]:
        """Retained events past ``position`` that ``channel`` carries (caller holds ``cond``)."""
        return [e for e in self.events if e.replay_id > position and channel in e.channels()]

    def carries(self, channel: str) -> bool:
        return channel == ALL_CHANNEL or any(channel == channel_for(e) for e in self.entities)


def _as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _event(kind: str, old: dict | None, new: dict | None) -> tuple[str, str, dict, dict] | None:
    """(entity, changeType, body fields, header) for one record's net change, or None."""
    if new is None:
        return None
    rid, user = new["Id"], new.get("LastModifiedById")
    header: dict[str, Any] = {"recordIds": [rid], "commitUser": user, "changedFields": [], "diffFields": [],
                              "nulledFields": []}
    if old is None or (old.get("IsDeleted") and not new.get("IsDeleted")):
        if new.get("IsDeleted"):
            return None
        body = {k: v for k, v in new.items() if k not in SYSTEM_FIELDS and v is not None}
        return kind, "CREATE" if old is None else "UNDELETE", body, header
    if new.get("IsDeleted"):
        return (kind, "DELETE", {}, header) if not old.get("IsDeleted") else None
    changed = sorted(k for k in new if k not in SYSTEM_FIELDS and old.get(k) != new.get(k))
    if not changed:
        return None
    header.update(changedFields=changed, nulledFields=[k for k in changed if new.get(k) is None])
    return kind, "UPDATE", {k: new.get(k) for k in changed}, header
