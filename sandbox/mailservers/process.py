"""Starting and stopping one server process, owned by whoever started it.

Each server is started with ``Popen`` (no shell) in its own session, so the PID we keep is the
server itself and stopping it never touches anything we did not start; Ctrl-C in a terminal
reaches only our own processes, which stop these servers in order.
"""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Sequence
from pathlib import Path


class ServerUnavailable(RuntimeError):
    """The server is missing or unusable here; tests skip with this message, the sandbox runs without it."""


_RESERVED: set[int] = set()


def reserve_port(port: int) -> None:
    """Keep ``port`` out of what this process hands its servers: e.g. the API's port, which a child
    binds only after the sandbox servers have started (before, one of them could take it)."""
    _RESERVED.add(port)


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now, and not one reserved here."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if port not in _RESERVED:
            return port


def reusable_port(preferred: int | None) -> int:
    """``preferred`` when it can be bound on 127.0.0.1 right now, else a fresh free port.

    Keeping a port across restarts keeps URLs a user already configured working.
    """
    if preferred and preferred not in _RESERVED:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers do: TIME_WAIT is fine
            try:
                sock.bind(("127.0.0.1", preferred))
                return preferred
            except OSError:
                pass
    return free_port()


class ServerProcess:
    """One child process with its log file; ``stop`` ends exactly that PID (SIGTERM, then KILL)."""

    def __init__(self, name: str, argv: Sequence[str], log_path: Path, env: dict | None = None) -> None:
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "ab")
        self.process = subprocess.Popen(list(argv), stdout=self._log, stderr=subprocess.STDOUT,
                                        stdin=subprocess.DEVNULL, start_new_session=True,
                                        env={**os.environ, **(env or {})})

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_until(self, ready: Callable[[], bool], timeout: float = 15.0) -> None:
        """Poll ``ready`` until it holds; raises with the log tail if the process dies or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.process.returncode}: {self.log_tail()}")
            try:
                if ready():
                    return
            except OSError:
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"{self.name} not ready after {timeout}s: {self.log_tail()}")

    def log_tail(self, size: int = 2000) -> str:
        try:
            return self.log_path.read_bytes()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""

    def stop(self, timeout: float = 10.0) -> None:
        """Terminate our own PID and reap it; idempotent."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout)
        self._log.close()
