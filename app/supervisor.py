"""Runs the product's processes side by side; restarts one that dies, stops all on a signal.

Only `syncline up` uses it (embedded, single machine); production runs each process under
its own service manager.
"""
from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time

log = logging.getLogger("syncline.supervisor")

RESTART_DELAY_SECONDS = 2.0
STOP_TIMEOUT_SECONDS = 25.0


class Supervisor:
    def __init__(self, commands: dict[str, list[str]], extra_env: dict[str, str]):
        self.commands = commands
        self.env = {**os.environ, **extra_env}
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = False

    def _start(self, name: str) -> None:
        argv = [sys.executable, "-m", "app", *self.commands[name]]
        self.procs[name] = subprocess.Popen(argv, env=self.env)
        log.info("started", extra={"ctx": {"process": name, "pid": self.procs[name].pid}})

    def _request_stop(self, signum, _frame) -> None:
        self.stopping = True

    def run(self) -> None:
        signal.signal(signal.SIGINT, self._request_stop)
        signal.signal(signal.SIGTERM, self._request_stop)
        for name in self.commands:
            self._start(name)
        while not self.stopping:
            time.sleep(0.5)
            for name, proc in list(self.procs.items()):
                if proc.poll() is not None and not self.stopping:
                    log.warning("exited; restarting", extra={"ctx": {"process": name, "code": proc.returncode}})
                    time.sleep(RESTART_DELAY_SECONDS)
                    self._start(name)
        self.stop()

    def stop(self) -> None:
        """SIGTERM everyone (warm shutdown: the worker finishes its job), then SIGKILL stragglers."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for name, proc in self.procs.items():
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                log.warning("did not stop in time; killing", extra={"ctx": {"process": name}})
                proc.kill()
                proc.wait()
        log.info("all processes stopped")
