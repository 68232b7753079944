"""IMAP push for one mailbox: one connection per folder its mail rules read, each waiting in IDLE
(or NOOP polling), reconnecting with jittered backoff; every change is reported to ``on_change``.

Threads: one lists the mailbox's folders (again every ``folder_refresh`` seconds, so a Salesforce
folder made later is watched too) and keeps one thread per folder connection, so one slow server
holds up only its own mailbox. ``stop()`` ends them within one wait slice.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.providers.imap_dav.imap_mail import watched_folders
from app.providers.imap_dav.imap_session import ImapSession
from app.providers.imap_dav.imap_watch import FolderWatch
from app.providers.imap_dav.mailbox import imap_session, mail_options
from app.services.push_targets import PushTarget
from app.sync.errors import AuthFailure, SyncError
from app.sync.push_timing import reconnect_delay

log = logging.getLogger("syncline.push")
AUTH_FAILURE_WEIGHT = 10     # refused credentials: straight to long waits (the session reports them)


@dataclass(frozen=True)
class ImapPushSettings:
    wait_slice: float = 5.0          # longest single IDLE wait, so stop() is noticed quickly
    noop_seconds: float = 30.0       # NOOP polling interval where the server lacks IDLE
    folder_refresh: float = 300.0    # re-LIST a mailbox's folders (a Salesforce folder created later)
    backoff_base: float = 1.0
    backoff_cap: float = 300.0


class ImapMailboxWatch:
    """All folder connections of one mailbox; ``live`` while every one of them is connected."""

    def __init__(self, target: PushTarget, on_change: Callable[[int], None], settings: ImapPushSettings) -> None:
        self.target = target
        self.on_change = on_change
        self.settings = settings
        self.stopping = threading.Event()
        self.folders: dict[str, threading.Event] = {}     # folder → its thread's stop signal
        self.modes: dict[str, str] = {}                    # folder → "idle"/"noop" while connected
        self._threads: list[threading.Thread] = []

    @property
    def slots(self) -> int:
        """Connections it may hold at most: the watched folders, Sent and the Salesforce folder."""
        return len(self.target.options.watched_folders) + 2

    @property
    def live(self) -> bool:
        return bool(self.folders) and set(self.modes) >= set(self.folders)

    @property
    def mode(self) -> str:
        return "imap-" + ("idle" if set(self.modes.values()) == {"idle"} else "noop")

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
            if wanted != list(self.folders):
                self._follow(wanted)
            self.stopping.wait(self.settings.folder_refresh)

    def _follow(self, wanted: list[str]) -> None:
        """Stop watching folders that went away, start on new ones."""
        for folder in [f for f in self.folders if f not in wanted]:
            self.folders.pop(folder).set()
        for folder in [f for f in wanted if f not in self.folders]:
            self.folders[folder] = threading.Event()
            self._spawn(self._watch, folder, folder, self.folders[folder])
        log.info("push watching", extra={"ctx": {"mailbox_id": self.target.mailbox_id, "folders": wanted}})

    def _list(self) -> list[str]:
        session = self._session()
        try:
            return watched_folders(session, mail_options(self.target.options))
        finally:
            session.close()

    def _session(self) -> ImapSession:
        target = self.target
        session = imap_session(target.endpoints, *target.login, target.options)
        if session is None:
            raise SyncError("the server profile has no imap_host")
        return session

    def _watch(self, folder: str, stop: threading.Event) -> None:
        """Connect, wait, report; on failure back off (longer after refused credentials) and reconnect."""
        failures = 0
        while not (stop.is_set() or self.stopping.is_set()):
            watch = None
            try:
                watch = FolderWatch(self._session(), folder, self.settings.noop_seconds, sleep=stop.wait)
                self.modes[folder] = watch.open()
                if failures:
                    log.info("push reconnected", extra={"ctx": self._ctx(folder, attempts=failures)})
                failures = 0
                while not (stop.is_set() or self.stopping.is_set()):
                    if watch.wait(self.settings.wait_slice):
                        self.on_change(self.target.mailbox_id)
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
