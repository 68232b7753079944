"""A Redis lock with an owner token and a lease: only the owner can extend or release it.

If the holder dies (SIGKILL), the lease runs out and the next session may start; a session
that runs long extends its lease while it works.
"""
from __future__ import annotations

import logging
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from redis import Redis

log = logging.getLogger("syncline.locks")

_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end"
_EXTEND = ("if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) "
           "else return 0 end")


class LeaseLost(RuntimeError):
    """The lock expired and someone else may hold it now; stop writing."""


class Lease:
    def __init__(self, client: Redis, key: str, ttl_seconds: float):
        self.client, self.key, self.ttl_ms = client, key, int(ttl_seconds * 1000)
        self.token = secrets.token_hex(16)

    def acquire(self) -> bool:
        return bool(self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    def extend(self) -> None:
        if not self.client.eval(_EXTEND, 1, self.key, self.token, self.ttl_ms):
            raise LeaseLost(self.key)

    def remaining_seconds(self) -> float:
        """How long the current holder's lease still runs (0 when nobody holds it)."""
        return max(0, int(self.client.pttl(self.key))) / 1000

    def release(self) -> bool:
        return bool(self.client.eval(_RELEASE, 1, self.key, self.token))

    @contextmanager
    def kept_alive(self) -> Iterator[None]:
        """Extend the lease every third of its TTL while the block runs (long sessions)."""
        stop = threading.Event()

        def renew() -> None:
            while not stop.wait(self.ttl_ms / 3000):
                try:
                    self.extend()
                except Exception:  # lost lease or Redis blip: say so, the owner check protects writes
                    log.warning("lease renewal failed", extra={"ctx": {"lock": self.key}})

        thread = threading.Thread(target=renew, name=f"lease-{self.key}", daemon=True)
        thread.start()
        try:
            yield
        finally:
            stop.set()
            thread.join(timeout=1)

    def __enter__(self) -> Lease:
        return self

    def __exit__(self, *_exc) -> None:
        self.release()
