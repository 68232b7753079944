"""One org's Change Data Capture subscription, in its own thread: it tells the push watcher when
a synced object changed, so the org's poll runs in seconds instead of at the next minute.

The poll stays the single source of routing (a change event is only a "poll now"), so nothing
is lost or duplicated however events arrive. The subscription resumes after the stored replayId;
with none it subscribes to new events only (the minute's poll covers what came before: a watcher
starting for thousands of orgs does not queue thousands of polls at once); with one Salesforce no
longer retains (a gap beyond 72 hours: events were missed) it subscribes to new events only and
asks for a poll at once (the poll's own window catches up). A dropped
connection is retried with jittered backoff; an org whose subscribe is refused (no Change Data
Capture) is left to the poll and probed again after ``reprobe_seconds``.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from app.models import OrgStreamState
from app.providers.salesforce.errors import ReauthorizationRequired
from app.providers.salesforce.streaming import (
    ALL_CHANGES,
    NEW_ONLY,
    ClientUnknown,
    CometdStream,
    ReplayIdInvalid,
    StreamRefused,
)
from app.providers.salesforce.tokens import ConnectionTokens
from app.runtime import Runtime
from app.sync.push_timing import reconnect_delay

log = logging.getLogger("syncline.push")

# A change event: (org, highest replayId seen, whether a synced object changed). None replayId: no
# event, but a poll is owed (a fresh subscription or a gap).
OnEvents = Callable[[int, int | None, bool], None]


@dataclass(frozen=True)
class StreamSettings:
    reprobe_seconds: float = 3600.0     # an org without Change Data Capture is asked again this often
    backoff_base: float = 1.0
    backoff_cap: float = 300.0


def stored_replay_id(rt: Runtime, org_pk: int, channel: str = ALL_CHANGES) -> int | None:
    with rt.db.session_scope() as s:
        return s.scalar(select(OrgStreamState.replay_id).where(OrgStreamState.org_id == org_pk,
                                                                OrgStreamState.channel == channel))


def store_replay_id(rt: Runtime, org_pk: int, replay_id: int | None, channel: str = ALL_CHANGES) -> None:
    """Durably note where the org's stream stands (None: start afresh next time)."""
    with rt.db.session_scope() as s:
        state = s.scalar(select(OrgStreamState).where(OrgStreamState.org_id == org_pk,
                                                       OrgStreamState.channel == channel))
        if state is None:
            s.add(OrgStreamState(org_id=org_pk, channel=channel, replay_id=replay_id))
        else:
            state.replay_id = replay_id


class OrgChangeStream(threading.Thread):
    """Keeps one org subscribed until ``stop``; ``live`` while a subscription is in place."""

    def __init__(self, rt: Runtime, org_pk: int, connection_id: int, objects: frozenset[str],
                 on_events: OnEvents, settings: StreamSettings = StreamSettings()) -> None:
        super().__init__(name=f"sf-stream-{org_pk}", daemon=True)
        self.rt, self.org_pk, self.connection_id = rt, org_pk, connection_id
        self.objects, self.on_events, self.settings = objects, on_events, settings
        self.live = False
        self.mode = "connecting"           # connecting | cdc | poll-only
        self._stop_event = threading.Event()
        self._stream: CometdStream | None = None

    def stop(self) -> None:
        """Ask the thread to end; a held long poll is ended by disconnecting the client."""
        self._stop_event.set()
        stream = self._stream
        if stream is not None:
            threading.Thread(target=stream.disconnect, daemon=True).start()

    def run(self) -> None:
        failures = 0
        while not self._stop_event.is_set():
            try:
                self._subscribed()
                continue
            except ClientUnknown:         # handshake again at once; if it keeps happening, back off
                failures = 1 if self.live else failures + 1
                delay = 0.0 if failures == 1 else self._backoff(failures)
            except (StreamRefused, ReauthorizationRequired) as exc:
                self.mode, delay = "poll-only", self.settings.reprobe_seconds
                log.info("salesforce stream unavailable; poll only", extra={"ctx": {
                    "org_pk": self.org_pk, "error": str(exc), "reprobe_in_s": delay}})
            except Exception as exc:      # SalesforceError as a rule; nothing may end the thread
                failures = 1 if self.live else failures + 1      # a subscription that held starts afresh
                delay = self._backoff(failures)
                log.warning("salesforce stream dropped; reconnecting", extra={"ctx": {
                    "org_pk": self.org_pk, "error": str(exc) or type(exc).__name__, "retry_in_s": round(delay, 1)}})
            finally:
                self.live = False
                self._close()
            self._stop_event.wait(delay)

    def _backoff(self, failures: int) -> float:
        return reconnect_delay(failures, self.settings.backoff_base, self.settings.backoff_cap)

    def _subscribed(self) -> None:
        """Handshake, subscribe (resuming where the org's stream stood) and long-poll until stopped."""
        self._stream = stream = CometdStream(self.rt.config, ConnectionTokens(self.rt, self.connection_id))
        stream.handshake()
        resume, missed = stored_replay_id(self.rt, self.org_pk), False
        try:
            stream.subscribe(ALL_CHANGES, NEW_ONLY if resume is None else resume)
        except ReplayIdInvalid:
            log.info("salesforce replay id no longer retained; polling to catch up", extra={"ctx": {
                "org_pk": self.org_pk, "replay_id": resume}})
            stream.subscribe(ALL_CHANGES, NEW_ONLY)
            resume, missed = None, True
        self.live, self.mode = True, "cdc"
        log.info("salesforce stream subscribed", extra={"ctx": {"org_pk": self.org_pk, "replay_id": resume}})
        if missed:
            self.on_events(self.org_pk, None, True)       # the events lost in the gap: the poll reads them
        while not self._stop_event.is_set():
            notices = stream.connect()
            if notices:
                relevant = any(n.entity in self.objects for n in notices)
                self.on_events(self.org_pk, max(n.replay_id for n in notices), relevant)

    def _close(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            if not self._stop_event.is_set():
                stream.disconnect()
            stream.close()
