"""What a provider fake POSTs to a webhook, delivered on one background thread as the providers do.

Graph change notifications and Google Calendar/Pub/Sub pushes are asynchronous: the request that
caused a change returns before the webhook hears of it. ``drain()`` waits until everything queued
was POSTed; ``deliveries`` records each answer (``status`` None: the webhook was unreachable).
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import requests


@dataclass
class Delivery:
    url: str
    headers: dict[str, str]
    body: dict[str, Any] | None     # None: an empty body (a Calendar channel message)
    status: int | None              # None: unreachable


class WebhookOutbox:
    def __init__(self, thread_name: str, ca_file: Callable[[], str | bool]) -> None:
        self.deliveries: list[Delivery] = []
        self._thread_name, self._ca_file = thread_name, ca_file
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def post(self, url: str, body: dict[str, Any] | None, headers: dict[str, str] | None = None) -> None:
        self._queue.put((url, headers or {}, body))
        self._ensure_thread()

    def drain(self, timeout: float = 30) -> None:
        """Wait until every queued notification has been POSTed."""
        done = threading.Event()
        self._queue.put(done)
        self._ensure_thread()
        if not done.wait(timeout):
            raise TimeoutError("notifications still undelivered")

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._deliver_forever, name=self._thread_name, daemon=True)
                self._thread.start()

    def _deliver_forever(self) -> None:
        session = requests.Session()
        session.trust_env = False
        while True:
            item = self._queue.get()
            if isinstance(item, threading.Event):
                item.set()
                continue
            url, headers, body = item
            session.verify = self._ca_file()        # the webhook's CA as it is now (tests restart the API)
            try:
                answer = session.post(url, headers=headers, json=body, timeout=10) if body is not None \
                    else session.post(url, headers=headers, data=b"", timeout=10)
                status: int | None = answer.status_code
            except (requests.RequestException, OSError):   # OSError: a CA file that is gone
                status = None
            self.deliveries.append(Delivery(url, headers, body, status))
