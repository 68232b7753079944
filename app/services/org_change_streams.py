"""The push watcher's Salesforce side: one Change Data Capture subscription per connected org, and
ONE debounced org poll per burst of change events.

A change event only says "poll this org now": the poll job (`org_change_loop`) reads the window
and routes, so an event lost, repeated or out of order costs nothing, and the per-minute
schedule stays the backstop. The replayId of a burst is stored only once its poll is queued
(or, when no synced object changed, at once), so a crash in between replays the burst. A poll
that is running when a burst ends may have read its window before it: the burst waits and asks
again once that poll is over.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sqlalchemy import select

from app.models import Org
from app.runtime import Runtime
from app.services.org_change_loop import QUEUED, RUNNING, WAITING, connected_orgs, enqueue_org_poll, synced_objects
from app.services.org_change_stream import OrgChangeStream, StreamSettings, store_replay_id
from app.sync.push_timing import Debouncer

log = logging.getLogger("syncline.push")


class OrgChangeStreams:
    """Subscriptions by org; ``reconcile`` follows the database, ``fire_due`` queues the polls."""

    def __init__(self, rt: Runtime, quiet_seconds: float = 1.0, settings: StreamSettings = StreamSettings(),
                 enqueue: Callable[[Runtime, int], str] = enqueue_org_poll) -> None:
        self.rt, self.settings, self.enqueue = rt, settings, enqueue
        self.debouncer = Debouncer(quiet_seconds, max(5.0, quiet_seconds), time.monotonic)
        self.streams: dict[int, OrgChangeStream] = {}
        self._keys: dict[int, tuple[int, frozenset[str]]] = {}
        self._replay: dict[int, int] = {}            # org → highest replayId waiting for its poll
        self._lock = threading.Lock()

    def reconcile(self, holds: Callable[[int], bool] = lambda org_pk: True) -> None:
        """Subscribe every connected org this watcher ``holds`` (its default connection, its synced
        objects); end the rest (an org handed to another watcher resumes there after the stored replay id)."""
        wanted = {org_pk: key for org_pk, key in self._wanted().items() if holds(org_pk)}
        for org_pk in [o for o in self.streams if self._keys.get(o) != wanted.get(o)]:
            self._end(org_pk)
        for org_pk, (connection_id, objects) in wanted.items():
            if org_pk not in self.streams:
                stream = OrgChangeStream(self.rt, org_pk, connection_id, objects, self._on_events, self.settings)
                self.streams[org_pk], self._keys[org_pk] = stream, (connection_id, objects)
                stream.start()

    def _wanted(self) -> dict[int, tuple[int, frozenset[str]]]:
        out: dict[int, tuple[int, frozenset[str]]] = {}
        tokens = self.rt.salesforce_stores.tokens
        for org_pk in connected_orgs(self.rt):
            connection_id = tokens.org_default_connection(org_pk)
            with self.rt.db.session_scope() as s:
                org = s.scalar(select(Org).where(Org.id == org_pk))
                objects = frozenset(synced_objects(org, s)) if org is not None else frozenset()
            if connection_id is not None and objects:
                out[org_pk] = (connection_id, objects)
        return out

    def _on_events(self, org_pk: int, replay_id: int | None, relevant: bool) -> None:
        """Called from stream threads."""
        if not relevant:
            if replay_id is not None and org_pk not in self.debouncer.pending():
                store_replay_id(self.rt, org_pk, replay_id)
            elif replay_id is not None:
                self._note_replay(org_pk, replay_id)
            return
        self._note_replay(org_pk, replay_id)
        log.info("salesforce change seen", extra={"ctx": {"org_pk": org_pk, "replay_id": replay_id}})
        self.debouncer.changed(org_pk)

    def _note_replay(self, org_pk: int, replay_id: int | None) -> None:
        if replay_id is None:
            return
        with self._lock:
            self._replay[org_pk] = max(replay_id, self._replay.get(org_pk, replay_id))

    def fire_due(self) -> None:
        for org_pk in self.debouncer.due():
            try:
                outcome = self.enqueue(self.rt, org_pk)
            except Exception as exc:      # Redis down as a rule: keep the burst, ask again later
                self.debouncer.retry(org_pk)
                log.warning("salesforce change: could not queue the org poll", extra={"ctx": {
                    "org_pk": org_pk, "error": str(exc)}})
                continue
            if outcome == RUNNING:
                self.debouncer.retry(org_pk)
                continue
            log.info("salesforce change: org poll asked", extra={"ctx": {"org_pk": org_pk, "outcome": outcome}})
            if outcome in (QUEUED, WAITING):
                with self._lock:
                    replay_id = self._replay.pop(org_pk, None)
                if replay_id is not None:
                    store_replay_id(self.rt, org_pk, replay_id)

    def live(self) -> int:
        return sum(1 for s in self.streams.values() if s.live)

    def _end(self, org_pk: int) -> None:
        stream = self.streams.pop(org_pk)
        self._keys.pop(org_pk, None)
        stream.stop()

    def close(self) -> None:
        for org_pk in list(self.streams):
            self._end(org_pk)
