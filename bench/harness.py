"""What several bench scripts share: a session in a fresh process, its peak RSS, and the push
benches' worker + push watcher with their "change, then wait until it arrived" timing.

A fresh (spawned) process is how a worker runs a job: its peak RSS is the session's own, not the
seeding's or the emulator's, and the emulator's CPU does not share the product's interpreter lock.
"""
from __future__ import annotations

import math
import multiprocessing
import random
import resource
import secrets
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:     # the push benches only: a session's fresh process need not import Flask and the fakes
    from app.config import Config
    from bench.graph_push import BenchProcess
    from sandbox.mailservers.radicale import DavAccount, RadicaleServer

T = TypeVar("T")
POLL_S, WAIT_S = 0.02, 120.0
DAV_POLL_S = 5.0          # the push watcher's default --dav-interval


def in_fresh_process(function: Callable[..., T], *args: Any) -> T:
    """``function(*args)`` in a new spawned interpreter (``function`` must be importable by name)."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(function, args)


def peak_rss_mb() -> float:
    """This process's peak RSS: Linux's VmHWM, which starts afresh at exec. (``ru_maxrss`` does
    not: it keeps the forking parent's peak.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def radicale_user(radicale: RadicaleServer) -> tuple[tuple[str, str], DavAccount]:
    """(login, account) of a new Radicale user with a "calendar" and a "contacts" collection."""
    login = ("bench", secrets.token_urlsafe(10))
    account = radicale.add_user(*login)
    account.make_calendar("calendar")
    account.make_addressbook("contacts")
    return login, account


def start_push_processes(config: Config, tmp: Path) -> list[BenchProcess]:
    """A real ``python -m app worker`` and ``python -m app push-watcher`` (their defaults), logging under ``tmp``."""
    from bench.graph_push import BenchProcess

    processes = [BenchProcess(config, tmp / "worker.log")]
    processes.append(BenchProcess(config, tmp / "push-watcher.log", ("push-watcher",), "push watcher started"))
    return processes


def timed_arrival(change: Callable[[], None], arrived: Callable[[], bool], what: str, logs: list[BenchProcess],
                  ready: Callable[[], None] = lambda: None) -> float:
    """Seconds from ``change()`` until ``arrived()``. After ``ready()`` returns it waits a random part
    of a DAV poll interval first, so changes do not fall in step with the watcher's polls."""
    ready()
    time.sleep(random.uniform(0, DAV_POLL_S))
    began = time.perf_counter()
    change()
    while time.perf_counter() - began < WAIT_S:
        if arrived():
            return time.perf_counter() - began
        time.sleep(POLL_S)
    raise RuntimeError(f"{what} did not arrive within {WAIT_S:.0f}s\n" + "\n".join(p.log()[-2000:] for p in logs))


def quantiles(name: str, seconds: list[float]) -> list[str]:
    """The ``{name}_p95_s`` and ``{name}_median_s`` lines of a list of latencies."""
    ordered = sorted(seconds)
    return [f"{name}_p95_s: {ordered[math.ceil(0.95 * len(ordered)) - 1]:.2f}",
            f"{name}_median_s: {ordered[(len(ordered) - 1) // 2]:.2f}"]

