"""IMAP push for one mailbox: one connection per folder its mail rules read, each waiting in IDLE
(or NOOP polling), reconnecting with jittered backoff; every change is reported to ``on_change``.

Threads, one per folder connection, so one slow server holds up only its own folders. ``stop()``
ends them within one wait slice; nothing blocks longer than the IMAP timeout.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from app.providers.imap_dav.imap_mail import watched_folders
from app.providers.imap_dav.imap_watch import FolderWatch
from app.providers.imap_dav.mailbox import imap_session, mail_options
from app.services.push_targets import PushTarget
from app.sync.errors import AuthFailure, SyncError
from app.sync.push_timing import reconnect_delay

log = logging.getLogger("syncline.push")


@dataclass(frozen=True)
class ImapPushSettings:
    wait_slice: float = 5.0          # longest single IDLE wait, so stop() is noticed quickly
    folder_refresh: float = 300.0    # re-LIST a mailbox's folders (a Salesforce folder created later)
    noop_seconds: float = 30.0       # NOOP polling interval where the server lacks IDLE
    backoff_base: float = 1.0
    backoff_cap: float = 300.0


class ImapMailboxWatch:
    """All folder connections of one mailbox; ``live`` while every one of them is connected."""

    def __init__(self, target: PushTarget, on_change: Callable[[int], None], settings: ImapPushSettings) -> None:
        self.target = target
        self.on_change = on_change
        self.settings = settings
        self.stopping = threading.Event()
        self.folders: list[str] = []
        self.listed_at = 0.0
        self.modes: dict[str, str] = {}          # folder → "idle"/"noop" while connected
        self._threads: list[threading.Thread] = []

    def list_folders(self) -> list[str]:
        """The folders to watch (one short connection: login + LIST). Raises the core's errors."""
        self.folders = self.folders_now()
        return self.folders

    def folders_now(self) -> list[str]:
        """The folders the rules read as the server lists them now (a Salesforce folder made later)."""
        session = self._session()
        try:
            self.listed_at = time.monotonic()
            return watched_folders(session, mail_options(self.target.options))
        finally:
            session.close()

    def start(self) -> None:
        for folder in self.folders:
            thread = threading.Thread(target=self._watch, args=(folder,), daemon=True,
                                      name=f"imap-push-{self.target.mailbox_id}-{folder}")
            thread.start()
            self._threads.append(thread)

    @property
    def live(self) -> bool:
        return bool(self.folders) and len(self.modes) == len(self.folders)

    @property
    def mode(self) -> str:
        return "imap-" + ("idle" if set(self.modes.values()) == {"idle"} else "noop")

    def stop(self) -> None:
        self.stopping.set()

    def join(self, timeout: float) -> None:
        for thread in self._threads:
            thread.join(timeout)

    def _session(self):
        target = self.target
        session = imap_session(target.endpoints, *target.login, target.options)
        if session is None:
            raise SyncError("the server profile has no imap_host")
        return session

    def _watch(self, folder: str) -> None:
        """Connect, wait, report; on failure back off (longer after refused credentials) and reconnect."""
        failures = 0
        while not self.stopping.is_set():
            watch = None
            try:
                watch = FolderWatch(self._session(), folder, self.settings.noop_seconds, sleep=self.stopping.wait)
                self.modes[folder] = watch.open()
                if failures:
                    log.info("push reconnected", extra={"ctx": self._ctx(folder, attempts=failures)})
                failures = 0
                self._wait_for_changes(watch, folder)
            except SyncError as exc:
                self.modes.pop(folder, None)
                failures += 1 if not isinstance(exc, AuthFailure) else 10
                delay = reconnect_delay(failures, self.settings.backoff_base, self.settings.backoff_cap)
                log.warning("push connection lost; reconnecting", extra={"ctx": self._ctx(
                    folder, error=str(exc), retry_in_s=round(delay, 1))})
                self.stopping.wait(delay)
            finally:
                self.modes.pop(folder, None)
                if watch is not None:
                    watch.close()

    def _wait_for_changes(self, watch: FolderWatch, folder: str) -> None:
        while not self.stopping.is_set():
            if watch.wait(self.settings.wait_slice):
                log.info("push change seen", extra={"ctx": self._ctx(folder)})
                self.on_change(self.target.mailbox_id)

    def _ctx(self, folder: str, **more) -> dict:
        return {"mailbox_id": self.target.mailbox_id, "folder": folder, **more}
