"""IMAP push for one mailbox: the folders its mail rules read, watched on one NOTIFY connection
(RFC 5465) where the server offers it, else one connection per folder waiting in IDLE (or NOOP
polling); each reconnects with jittered backoff; every change is reported to ``on_change``.

Threads: one lists the mailbox's folders (again every ``folder_refresh`` seconds, so a Salesforce
folder made later is watched too) and keeps one thread per connection, so one slow server holds up
only its own mailbox. ``stop()`` ends them within one wait slice. A server that refuses NOTIFY SET
gets the per-folder connections from then on.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.providers.imap_dav.imap_mail import watched_folders
from app.providers.imap_dav.imap_session import ImapSession
from app.providers.imap_dav.imap_watch import (
    FoldersNotifyWatch,
    FolderWatch,
    NotifyRefused,
    notifiable,
    supports_notify,
)
from app.providers.imap_dav.mailbox import imap_session, mail_options
from app.services.push_targets import PushTarget
from app.sync.errors import AuthFailure, SyncError
from app.sync.push_timing import reconnect_delay

log = logging.getLogger("syncline.push")
AUTH_FAILURE_WEIGHT = 10     # refused credentials: straight to long waits (the session reports them)
NOTIFY_KEY = "(notify)"      # the connection watching several folders at once


@dataclass(frozen=True)
class ImapPushSettings:
    wait_slice: float = 5.0          # longest single IDLE wait, so stop() is noticed quickly
    noop_seconds: float = 30.0       # NOOP polling interval where the server lacks IDLE
    folder_refresh: float = 300.0    # re-LIST a mailbox's folders (a Salesforce folder created later)
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    use_notify: bool = True          # one NOTIFY connection per mailbox where the server offers it


class ImapMailboxWatch:
    """All folder connections of one mailbox; ``live`` while every one of them is connected."""

    def __init__(self, target: PushTarget, on_change: Callable[[int], None], settings: ImapPushSettings) -> None:
        self.target = target
        self.on_change = on_change
        self.settings = settings
        self.stopping = threading.Event()
        self.folders: dict[str, threading.Event] = {}     # connection (a folder or NOTIFY_KEY) → its stop signal
        self.watching: dict[str, tuple[str, ...]] = {}     # connection → the folders it watches
        self.modes: dict[str, str] = {}                    # connection → "idle"/"noop"/"notify" while connected
        self.notify_refused = False
        self._listed: tuple[list[str], bool] | None = None
        self._following = threading.Lock()                 # the lister and a refused NOTIFY both re-plan
        self._threads: list[threading.Thread] = []

    @property
    def slots(self) -> int:
        """Connections it holds once its folders are listed; before, the most it may: the watched
        folders, Sent and the Salesforce folder each on its own."""
        with self._following:
            if self._listed is not None and not self.notify_refused:
                return len(self.folders)
        return len(self.target.options.watched_folders) + 2

    @property
    def live(self) -> bool:
        return bool(self.folders) and set(self.modes) >= set(self.folders)

    @property
    def mode(self) -> str:
        modes = set(self.modes.values())
        return "imap-" + ("noop" if "noop" in modes or not modes else "notify" if "notify" in modes else "idle")

    def start(self) -> None:
        self._spawn(self._keep_folders, "list")

    def stop(self) -> None:
        self.stopping.set()
        for signal in list(self.folders.values()):
            signal.set()

    def join(self, timeout: float) -> None:
        """Wait for the threads to end, ``timeout`` seconds in all."""
        deadline = time.monotonic() + timeout
        for thread in list(self._threads):
            thread.join(max(0.0, deadline - time.monotonic()))

    def _spawn(self, run: Callable[..., None], name: str, *args) -> None:
        thread = threading.Thread(target=run, args=args, daemon=True,
                                  name=f"imap-push-{self.target.mailbox_id}-{name}")
        self._threads.append(thread)
        thread.start()

    def _keep_folders(self) -> None:
        """List the folders the rules read, watch each, and list again every ``folder_refresh``."""
        failures = 0
        while not self.stopping.is_set():
            try:
                wanted = self._list()
            except SyncError as exc:
                failures += AUTH_FAILURE_WEIGHT if isinstance(exc, AuthFailure) else 1
                self._pause("push cannot list folders", failures, exc)
                continue
            failures = 0
            if wanted != self._listed:
                self._follow(*wanted)
            self.stopping.wait(self.settings.folder_refresh)

    def _follow(self, wanted: list[str], notify: bool) -> None:
        """Stop connections whose folders went away or changed, start the ones now wanted."""
        with self._following:
            self._listed = (wanted, notify)
            plan = self._connections(wanted, notify and not self.notify_refused)
            for key in [k for k in self.folders if self.watching.get(k) != plan.get(k)]:
                self.folders.pop(key).set()
                self.watching.pop(key, None)
            for key, folders in plan.items():
                if key not in self.folders:
                    self.folders[key], self.watching[key] = threading.Event(), folders
                    self._spawn(self._watch, key, key, folders, self.folders[key])
        log.info("push watching", extra={"ctx": {"mailbox_id": self.target.mailbox_id, "folders": wanted,
                                                 "connections": len(plan)}})

    def _connections(self, wanted: list[str], notify: bool) -> dict[str, tuple[str, ...]]:
        together = [f for f in wanted if notifiable(f)] if notify and self.settings.use_notify else []
        if len(together) < 2:
            together = []
        plan = {NOTIFY_KEY: tuple(together)} if together else {}
        plan.update({f: (f,) for f in wanted if f not in together})
        return plan

    def _list(self) -> tuple[list[str], bool]:
        """The folders to watch, and whether the server offers NOTIFY (known once logged in)."""
        session = self._session()
        try:
            folders = watched_folders(session, mail_options(self.target.options))
            return folders, supports_notify(session.command(lambda c: c.capabilities()))
        finally:
            session.close()

    def _session(self) -> ImapSession:
        target = self.target
        session = imap_session(target.endpoints, *target.login, target.options)
        if session is None:
            raise SyncError("the server profile has no imap_host")
        return session

    def _watch(self, folder: str, folders: tuple[str, ...], stop: threading.Event) -> None:
        """Connect, wait, report; on failure back off (longer after refused credentials) and reconnect.
        ``folder`` names the connection: one folder, or NOTIFY_KEY for ``folders`` together."""
        failures = 0
        while not (stop.is_set() or self.stopping.is_set()):
            watch = None
            try:
                watch = FoldersNotifyWatch(self._session(), folders) if folder == NOTIFY_KEY else \
                    FolderWatch(self._session(), folder, self.settings.noop_seconds, sleep=stop.wait)
                self.modes[folder] = watch.open()
                if failures:
                    log.info("push reconnected", extra={"ctx": self._ctx(folder, attempts=failures)})
                failures = 0
                while not (stop.is_set() or self.stopping.is_set()):
                    if watch.wait(self.settings.wait_slice):
                        self.on_change(self.target.mailbox_id)
            except NotifyRefused as exc:
                log.info("push: NOTIFY refused, watching folder by folder", extra={"ctx": self._ctx("", error=str(exc))})
                self.notify_refused = True
                if self._listed is not None:
                    self._follow(*self._listed)
                return
            except Exception as exc:      # SyncError as a rule; anything else must not end the watch either
                self.modes.pop(folder, None)
                failures += AUTH_FAILURE_WEIGHT if isinstance(exc, AuthFailure) else 1
                self._pause("push connection lost; reconnecting", failures, exc, folder, stop)
            finally:
                self.modes.pop(folder, None)
                if watch is not None:
                    watch.close()

    def _pause(self, message: str, failures: int, exc: Exception, folder: str = "",
               stop: threading.Event | None = None) -> None:
        delay = reconnect_delay(failures, self.settings.backoff_base, self.settings.backoff_cap)
        log.warning(message, extra={"ctx": self._ctx(folder, error=str(exc) or type(exc).__name__,
                                                     retry_in_s=round(delay, 1))})
        (stop or self.stopping).wait(delay)

    def _ctx(self, folder: str, **more) -> dict:
        return {"mailbox_id": self.target.mailbox_id, **({"folder": folder} if folder else {}), **more}
