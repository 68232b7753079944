"""CalDAV/CardDAV push by cheap polling: every few seconds, one PROPFIND per collection asks for its
sync-token/ctag; a version different from the one seen last time is reported to ``on_change``.

The first answer for a mailbox is its baseline (what the schedule's sessions already cover). A
server that fails is asked again after a jittered backoff; the mailbox is "not live" meanwhile.
With a ``keeper`` (WebDAV-Push), a mailbox whose collections all hold a push registration is
polled only every ``backstop`` seconds: the server's pushes carry its changes, the poll catches
what a lost push would miss.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from app.providers.imap_dav import ImapDavMailbox, build_mailbox
from app.providers.imap_dav.dav_probe import collection_versions, dav_collections
from app.services.dav_push_subscriptions import WebDavPushKeeper
from app.services.push_targets import PushTarget
from app.sync.push_timing import reconnect_delay

log = logging.getLogger("syncline.push")


@dataclass
class DavWatch:
    """One mailbox's DAV side: its port (HTTP sessions, discovered collections) and what it saw."""

    target: PushTarget
    port: ImapDavMailbox
    versions: dict[str, str] | None = None
    failures: int = 0
    next_poll: float = 0.0
    live: bool = False
    polling: bool = False
    pushed: bool = False             # every collection holds a WebDAV-Push registration
    next_push_check: float = 0.0


class DavPoller:
    """Polls every registered mailbox's collections at ``interval`` seconds, ``parallel`` at a time."""

    def __init__(self, on_change: Callable[[int], None], interval: float, parallel: int = 16,
                 backoff_cap: float = 300.0, clock: Callable[[], float] = time.monotonic,
                 keeper: WebDavPushKeeper | None = None, backstop: float = 300.0,
                 push_check: float = 600.0) -> None:
        self.on_change = on_change
        self.interval = interval
        self.keeper = keeper
        self.backstop = max(backstop, interval)
        self.push_check = push_check
        self.backoff_cap = backoff_cap
        self.clock = clock
        self.watches: dict[int, DavWatch] = {}
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="dav-push")

    def watch(self, target: PushTarget) -> None:
        """Start (or restart, when the target changed) polling a mailbox."""
        current = self.watches.get(target.mailbox_id)
        if current is not None and current.target.fingerprint == target.fingerprint:
            return
        self.forget(target.mailbox_id)
        no_mail = {k: v for k, v in target.endpoints.items() if k != "imap_host"}   # DAV only: no IMAP login here
        port = build_mailbox(no_mail, *target.dav_login, target.options, target.dav_login, target.discovered)
        self.watches[target.mailbox_id] = DavWatch(target, port)

    def forget(self, mailbox_id: int, release: bool = True) -> None:
        """Stop polling; with ``release``, its push registrations are removed (in the pool: the
        server may be slow) before its connections close."""
        watch = self.watches.pop(mailbox_id, None)
        if watch is None:
            return
        registrations = self.keeper.take_registrations(mailbox_id) if release and self.keeper is not None else []
        if not registrations:
            watch.port.close()
            return
        self._pool.submit(self._release, watch, registrations)

    def _release(self, watch: DavWatch, registrations: list[str]) -> None:
        try:
            sessions = list(dav_collections(watch.port).values())
            if self.keeper is not None:
                self.keeper.release(registrations, sessions[0] if sessions else None)
        except Exception as exc:      # forgotten here already: their pushes get 404, and the server drops them
            log.warning("webdav-push release failed", extra={"ctx": {"mailbox_id": watch.target.mailbox_id,
                                                                      "error": str(exc) or type(exc).__name__}})
        finally:
            watch.port.close()

    def poll_due(self) -> None:
        """Start polling the mailboxes whose time has come (in the pool: a slow server holds up
        nobody else); one poll per mailbox at a time."""
        now = self.clock()
        for watch in list(self.watches.values()):
            if watch.next_poll <= now and not watch.polling:
                watch.polling = True
                self._pool.submit(self._poll, watch)

    def _poll(self, watch: DavWatch) -> None:
        try:
            self._poll_once(watch)
        finally:
            watch.polling = False

    def _poll_once(self, watch: DavWatch) -> None:
        mailbox_id = watch.target.mailbox_id
        try:
            versions = collection_versions(watch.port)
        except Exception as exc:      # SyncError as a rule; anything else must not end the polling either
            watch.failures += 1
            watch.live = False
            delay = reconnect_delay(watch.failures, self.interval, self.backoff_cap)
            watch.next_poll = self.clock() + delay
            log.warning("push poll failed; retrying", extra={"ctx": {"mailbox_id": mailbox_id,
                                                                     "error": str(exc) or type(exc).__name__,
                                                                     "retry_in_s": round(delay, 1)}})
            return
        changed = watch.versions is not None and versions != watch.versions
        watch.versions, watch.failures, watch.live = versions, 0, True
        self._keep_push(watch)
        watch.next_poll = self.clock() + (self.backstop if watch.pushed else self.interval)
        if changed:
            log.info("push change seen", extra={"ctx": {"mailbox_id": mailbox_id, "via": "dav-poll"}})
            self.on_change(mailbox_id)

    def _keep_push(self, watch: DavWatch) -> None:
        """Register/renew the mailbox's push registrations when due (after a good poll: the server answers)."""
        if self.keeper is None or self.clock() < watch.next_push_check:
            return
        watch.next_push_check = self.clock() + self.push_check
        try:
            watch.pushed = self.keeper.keep(watch.target.mailbox_id, dav_collections(watch.port))
        except Exception as exc:      # SyncError as a rule: polling carries on at the short interval
            watch.pushed = False
            log.warning("webdav-push registration failed; polling", extra={"ctx": {
                "mailbox_id": watch.target.mailbox_id, "error": str(exc) or type(exc).__name__}})

    def close(self) -> None:
        """Registrations stay: the servers keep pushing to the API while no watcher runs."""
        for mailbox_id in list(self.watches):
            self.forget(mailbox_id, release=False)
        self._pool.shutdown(wait=False, cancel_futures=True)
