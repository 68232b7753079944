"""The push watcher process: keeps IMAP IDLE connections and DAV polls on every active IMAP+DAV
mailbox, and turns what they see into ONE debounced session per mailbox (`push_triggers.notify`).
Several watchers (one per host, same ``group``) share the mailboxes and orgs (`push_share`).

One loop: reconcile the watched set with the database every ``reconcile_seconds`` (mailboxes
added, removed, suspended or given new credentials are picked up without a restart), poll the DAV
collections that are due, fire debounced changes, and refresh each mailbox's "push live" mark.
IMAP connections are capped per process (``max_connections``): a mailbox that does not fit is
left to the schedule (not live) until room frees up. Push is a hint; the schedule stays the backstop.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime

from redis.exceptions import RedisError

from app.runtime import Runtime
from app.services import dav_push_subscriptions, push_triggers
from app.services.dav_push import DavPoller
from app.services.dav_push_subscriptions import WebDavPushKeeper
from app.services.imap_push import ImapMailboxWatch, ImapPushSettings
from app.services.org_change_stream import StreamSettings
from app.services.org_change_streams import OrgChangeStreams
from app.services.push_share import PushShare
from app.services.push_targets import PushTarget, push_targets
from app.state import push_freshness, shared_metrics
from app.sync.errors import SyncError
from app.sync.push_timing import Debouncer

log = logging.getLogger("syncline.push")
TICK_SECONDS = 0.25


@dataclass(frozen=True)
class WatcherSettings:
    dav_seconds: float = 5.0           # CalDAV/CardDAV poll interval
    dav_parallel: int = 16             # polls in flight at once
    dav_push_seconds: float = 300.0    # backstop poll interval of a mailbox its servers push for (WebDAV-Push)
    reconcile_seconds: float = 30.0    # re-read the mailboxes from the database
    quiet_seconds: float = 2.0         # debounce: fire once a mailbox has been quiet this long…
    longest_seconds: float = 30.0      # …or this long after its first change
    max_connections: int = 500         # IMAP connections this process may hold
    imap: ImapPushSettings = ImapPushSettings()
    salesforce_streams: bool = True    # a Change Data Capture subscription per connected org
    salesforce_quiet_seconds: float = 1.0
    salesforce: StreamSettings = StreamSettings()
    group: str = "default"             # watchers of one group share the mailboxes and orgs between them

    @property
    def member_ttl_seconds(self) -> float:
        """How long a watcher that stopped renewing (died) still holds its share."""
        return 3 * self.reconcile_seconds + 5


class PushWatcher:
    def __init__(self, rt: Runtime, settings: WatcherSettings, member: str | None = None) -> None:
        """``member``: this watcher's name in its group (host and process id by default)."""
        self.rt = rt
        self.settings = settings
        self.debouncer = Debouncer(settings.quiet_seconds, settings.longest_seconds, time.monotonic)
        keeper = WebDavPushKeeper(rt) if dav_push_subscriptions.enabled(rt) else None
        self.dav = DavPoller(self._changed, settings.dav_seconds, settings.dav_parallel, settings.imap.backoff_cap,
                             keeper=keeper, backstop=settings.dav_push_seconds)
        self.imap: dict[int, ImapMailboxWatch] = {}
        self.targets: dict[int, PushTarget] = {}
        self.salesforce = OrgChangeStreams(rt, settings.salesforce_quiet_seconds, settings.salesforce) \
            if settings.salesforce_streams else None
        self._next_heartbeat = 0.0
        self._owner = member or f"{socket.gethostname()}-{os.getpid()}"
        self.share = PushShare(rt, settings.group, self._owner, settings.member_ttl_seconds)

    def run(self, stop: threading.Event) -> None:
        """Until ``stop`` is set; then every connection is closed."""
        next_reconcile = 0.0
        try:
            while not stop.is_set():
                if time.monotonic() >= next_reconcile:
                    self._reconcile_safely()
                    next_reconcile = time.monotonic() + self.settings.reconcile_seconds
                self.dav.poll_due()
                if self.salesforce is not None:
                    self.salesforce.fire_due()
                self._fire_due()
                stop.wait(TICK_SECONDS)
        finally:
            self.close()

    def _reconcile_safely(self) -> None:
        try:
            self.reconcile()
        except Exception as exc:   # a database or Redis outage must not end the watcher: the next round retries
            log.warning("push reconcile failed; trying again next round", extra={"ctx": {"error": str(exc)}})

    def reconcile(self) -> None:
        """Watch exactly this watcher's share of the current targets, as they are now."""
        self.share.refresh()
        targets, active = push_targets(self.rt, self.share.holds_mailbox)
        for mailbox_id in [m for m in self.targets if m not in targets
                           or targets[m].fingerprint != self.targets[m].fingerprint]:
            self._unwatch(mailbox_id, handed_over=mailbox_id in active and not self.share.holds_mailbox(mailbox_id))
        for mailbox_id, target in targets.items():
            if mailbox_id not in self.targets:
                self._watch(target)
        dav_push_subscriptions.forget_others(self.rt, active)
        if self.salesforce is not None:
            self.salesforce.reconcile(self.share.holds_org)
        self._mark_live()

    def _watch(self, target: PushTarget) -> None:
        self.targets[target.mailbox_id] = target
        if target.has_dav:
            try:
                self.dav.watch(target)
            except SyncError as exc:     # e.g. a host the guard refuses: the session reports it
                log.warning("push cannot watch DAV", extra={"ctx": {"mailbox_id": target.mailbox_id,
                                                                    "error": str(exc)}})
        if target.has_mail:
            self._watch_imap(target)

    def _watch_imap(self, target: PushTarget) -> None:
        watch = ImapMailboxWatch(target, self._changed, self.settings.imap)
        if self._connections() + watch.slots > self.settings.max_connections:
            log.warning("push connection pool full; mailbox left to the schedule",
                        extra={"ctx": {"mailbox_id": target.mailbox_id, "max": self.settings.max_connections}})
            del self.targets[target.mailbox_id]      # the next reconcile tries again
            self.dav.forget(target.mailbox_id, release=False)
            return
        self.imap[target.mailbox_id] = watch
        watch.start()

    def _unwatch(self, mailbox_id: int, handed_over: bool = False) -> None:
        """Stop watching; ``handed_over``: another watcher of the group takes the mailbox, so its
        WebDAV-Push registrations stay (that watcher keeps them) and its live mark is left to it."""
        self.targets.pop(mailbox_id, None)
        self.dav.forget(mailbox_id, release=not handed_over)
        watch = self.imap.pop(mailbox_id, None)
        if watch is not None:
            watch.stop()
        if not handed_over:
            self._quietly(lambda: push_freshness.mark_down(self.rt.redis.client, mailbox_id))
        log.info("push handed over" if handed_over else "push stopped watching",
                 extra={"ctx": {"mailbox_id": mailbox_id}})

    def _connections(self) -> int:
        return sum(w.slots for w in self.imap.values())

    def _changed(self, mailbox_id: int) -> None:
        """Called from watch threads: note when, and let the debouncer decide when to ask."""
        self.debouncer.changed(mailbox_id)
        self._quietly(lambda: push_freshness.record_change(self.rt.redis.client, mailbox_id, datetime.now(UTC)))

    def _fire_due(self) -> None:
        for mailbox_id in self.debouncer.due():
            if mailbox_id not in self.targets:
                continue                                  # removed or suspended meanwhile
            try:
                outcome = push_triggers.notify(self.rt, mailbox_id)
            except Exception as exc:     # Redis down as a rule: never lose the change, ask again later
                self.debouncer.retry(mailbox_id)
                log.warning("push could not queue a session", extra={"ctx": {"mailbox_id": mailbox_id,
                                                                             "error": str(exc)}})
                continue
            log.info("push asked for a session", extra={"ctx": {"mailbox_id": mailbox_id, "outcome": outcome}})
        self._mark_live_if_due()

    def _mark_live_if_due(self) -> None:
        if time.monotonic() >= self._next_heartbeat:
            self._mark_live()

    def _mark_live(self) -> None:
        """Each mailbox's live mark and this process's connection counts (/metrics), kept for three
        heartbeats: a dead watcher's marks expire."""
        period = max(1.0, min(self.settings.reconcile_seconds, self.settings.dav_seconds, 10.0))
        self._next_heartbeat = time.monotonic() + period
        self._count_connections(sum(len(w.modes) for w in self.imap.values()),
                                sum(1 for w in self.dav.watches.values() if w.live), int(period * 3))
        modes = {mailbox_id: self._mode(target) for mailbox_id, target in list(self.targets.items())}
        self._quietly(lambda: push_freshness.mark_all(self.rt.redis.client, modes, int(period * 3)))

    def _count_connections(self, imap: int, dav: int, ttl_seconds: int) -> None:
        salesforce = self.salesforce.live() if self.salesforce is not None else 0
        for kind, live in (("imap", imap), ("dav", dav), ("salesforce", salesforce)):
            self._quietly(lambda k=kind, n=live: shared_metrics.set_push_connections(
                self.rt.redis.client, k, self._owner, n, ttl_seconds))

    def _mode(self, target: PushTarget) -> str | None:
        """"imap-idle+dav-poll" and the like while every part of the mailbox is watched; else None."""
        parts = []
        if target.has_mail:
            watch = self.imap.get(target.mailbox_id)
            if watch is None or not watch.live:
                return None
            parts.append(watch.mode)
        if target.has_dav:
            dav = self.dav.watches.get(target.mailbox_id)
            if dav is None or not dav.live:
                return None
            parts.append(dav_push_subscriptions.MODE if dav.pushed else "dav-poll")
        return "+".join(parts) or None

    def _quietly(self, write) -> None:
        """Freshness marks are best effort: a Redis outage must not stop the watching."""
        try:
            write()
        except RedisError:
            pass

    def close(self) -> None:
        """Stop every watch (they end within one wait slice; a connect in progress is not waited
        for past that), drop the live marks and this process's connection counts."""
        for watch in self.imap.values():
            watch.stop()
        deadline = time.monotonic() + self.settings.imap.wait_slice + 2
        for watch in self.imap.values():
            watch.join(max(0.0, deadline - time.monotonic()))
        self._quietly(lambda: push_freshness.mark_all(self.rt.redis.client, dict.fromkeys(self.targets), 1))
        self.imap.clear()
        self.dav.close()
        if self.salesforce is not None:
            self.salesforce.close()
            self.salesforce = None
        self._count_connections(0, 0, 1)
        self.share.leave()
