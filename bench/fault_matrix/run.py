"""One fault-matrix run: start the world, seed the mailboxes, let every mailbox sync once,
inject each fault in a seeded order while users edit both sides, stop, wait (bounded) for
convergence, then reconcile and measure recovery. `run_matrix` is the bench's core."""
from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass, field

from sqlalchemy import update

from app.models import Mailbox
from app.models.base import utcnow
from bench.fault_matrix.matrix import FAULT_KINDS, FaultContext, FaultKind, kinds_named
from bench.fault_matrix.population import BenchMailbox, Editor, register
from bench.fault_matrix.reconcile import (
    DataCheck,
    check_data,
    last_ok_session_start,
    recovery_s,
    sessions,
)
from bench.fault_matrix.timescale import TimeScale
from bench.fault_matrix.world import FaultWorld


@dataclass(frozen=True)
class Options:
    seed: int = 1
    mailboxes: int = 5
    kinds: tuple[str, ...] = ()
    rounds: int = 1
    interval_s: float = 30.0
    fault_s: float = 6.0
    edit_every_s: float = 1.5
    prefer_postgres: bool = True
    keep_dir: bool = False


@dataclass(frozen=True)
class FaultRecord:
    kind: str
    start: float
    end: float


@dataclass
class Result:
    options: Options
    scale: TimeScale
    sql_backend: str = ""
    dovecot: bool = False
    skipped: list[str] = field(default_factory=list)
    faults: list[FaultRecord] = field(default_factory=list)
    data: DataCheck = field(default_factory=DataCheck)
    stuck: list[int] = field(default_factory=list)
    max_recovery_s: float = 0.0
    worst_by_kind: dict[str, float] = field(default_factory=dict)
    slow_recoveries: int = 0
    edits: int = 0
    edit_errors: list[str] = field(default_factory=list)
    process_restarts: int = 0
    sessions_ok: int = 0
    sessions_failed: int = 0
    warmup_s: float = 0.0
    converged: bool = False
    run_s: float = 0.0
    time_patches: list[str] = field(default_factory=list)
    child_pids: list[int] = field(default_factory=list)


def run_matrix(options: Options, log=print) -> Result:
    """Run the matrix; every process and server started is stopped before this returns or raises."""
    started = time.monotonic()
    scale = TimeScale(options.interval_s)
    result = Result(options, scale)
    kinds = kinds_named(options.kinds or tuple(k.name for k in FAULT_KINDS))
    with FaultWorld(scale, options.prefer_postgres, options.keep_dir) as world:
        result.sql_backend, result.dovecot = world.db.backend, world.dovecot is not None
        database = world.db.url.rsplit("/", 1)[1] if result.sql_backend == "postgresql" else "SQLite"
        log(f"world up in {world.dir} ({database}, dovecot={'yes' if result.dovecot else 'no'})")
        boxes = [register(world, i + 1) for i in range(options.mailboxes)]
        editor = Editor(world, boxes, random.Random(options.seed * 7919 + 1))
        for box in boxes:
            editor.seed(box)
        result.warmup_s = _warm_up(world, boxes, scale)
        log(f"every mailbox synced once after {result.warmup_s:.1f}s")
        result.time_patches = [*world.worker.time_patches(), f"scheduler_tick_s={scale.tick_s}"]
        runnable = [k for k in kinds if _can_run(k, world, result)]
        schedule = _schedule(runnable, options, random.Random(options.seed))
        _inject_all(world, boxes, editor, schedule, options, result, log)
        _settle(world, boxes, editor, result, log)
        result.process_restarts = world.process_restarts()
        result.child_pids = world.child_pids()
    result.run_s = time.monotonic() - started
    return result


def _can_run(kind: FaultKind, world: FaultWorld, result: Result) -> bool:
    if kind.needs == "postgresql" and not world.db.can_lose_connections:
        result.skipped.append(f"{kind.name} (no PostgreSQL: {world.db.reason})")
        return False
    return True


def _schedule(kinds: list[FaultKind], options: Options, rng: random.Random) -> list[FaultKind]:
    order = [k for _ in range(options.rounds) for k in kinds]
    rng.shuffle(order)
    return order


def _ok_after(world: FaultWorld, boxes: list[BenchMailbox], moment: float) -> set[int]:
    """Mailboxes with a successful session that started after `moment`."""
    found = sessions(world.rt, [b.mailbox_id for b in boxes])
    return {b.mailbox_id for b in boxes if last_ok_session_start(found, b.mailbox_id) > moment}


def _warm_up(world: FaultWorld, boxes: list[BenchMailbox], scale: TimeScale) -> float:
    start, deadline = time.time(), time.monotonic() + 3 * scale.interval_s + 60
    while time.monotonic() < deadline:
        if len(_ok_after(world, boxes, 0)) == len(boxes):
            return time.time() - start
        time.sleep(0.5)
    raise RuntimeError(f"not every mailbox completed a first session within {3 * scale.interval_s + 60:.0f}s; "
                       f"see the worker logs in {world.dir}")


def _inject_all(world: FaultWorld, boxes: list[BenchMailbox], editor: Editor, schedule: list[FaultKind],
                options: Options, result: Result, log) -> None:
    """Faults one after another, each followed by a recovery window; users keep editing."""
    stop = threading.Event()
    edits = threading.Thread(target=_keep_editing, args=(editor, options.edit_every_s, stop), daemon=True)
    edits.start()
    rng = random.Random(options.seed * 31 + 7)
    gap = world.scale.interval_s + world.scale.tick_s + 2
    try:
        for kind in schedule:
            _make_due(world, boxes)
            start = time.time()
            end = kind.inject(FaultContext(world, boxes, rng, options.fault_s))
            result.faults.append(FaultRecord(kind.name, start, end))
            log(f"fault {kind.name}: {end - start:.1f}s")
            time.sleep(gap)
    finally:
        stop.set()
        edits.join(timeout=60)


def _make_due(world: FaultWorld, boxes: list[BenchMailbox]) -> None:
    """Every mailbox's slot comes now, so the scheduler's next tick runs sessions into the fault
    (a few-second fault would otherwise mostly fall between sessions)."""
    with world.rt.db.session_scope() as s:
        s.execute(update(Mailbox).where(Mailbox.id.in_([b.mailbox_id for b in boxes])).values(next_sync_at=utcnow()))


def _keep_editing(editor: Editor, every_s: float, stop: threading.Event) -> None:
    while not stop.wait(every_s):
        editor.random_edit()


def _settle(world: FaultWorld, boxes: list[BenchMailbox], editor: Editor, result: Result, log) -> None:
    """Wait (at most 3 intervals + a minute) for a clean reconciliation after a session that
    saw every edit, then measure."""
    quiet_since = time.time()
    deadline = time.monotonic() + 3 * world.scale.interval_s + 60
    while True:
        synced = _ok_after(world, boxes, quiet_since)
        result.data = check_data(world.emu, boxes)
        if (len(synced) == len(boxes) and result.data.clean) or time.monotonic() >= deadline:
            break
        time.sleep(1)
    result.converged = len(synced) == len(boxes) and result.data.clean
    log(f"converged={result.converged}; {len(result.data.details)} discrepancies")
    _measure(world, boxes, editor, result)


def _measure(world: FaultWorld, boxes: list[BenchMailbox], editor: Editor, result: Result) -> None:
    found = sessions(world.rt, [b.mailbox_id for b in boxes])
    result.sessions_ok = sum(1 for s in found if s.status in ("succeeded", "partial"))
    result.sessions_failed = sum(1 for s in found if s.status == "failed")
    result.edits, result.edit_errors = editor.edits, editor.errors
    if not result.faults:
        return
    window = world.scale.interval_s + world.scale.tick_s
    for fault in result.faults:
        worst = max(recovery_s(found, b.mailbox_id, fault.end) for b in boxes)
        result.worst_by_kind[fault.kind] = max(worst, result.worst_by_kind.get(fault.kind, 0.0))
        result.slow_recoveries += sum(1 for b in boxes if recovery_s(found, b.mailbox_id, fault.end) > window)
    result.max_recovery_s = max(result.worst_by_kind.values())
    last_end = max(f.end for f in result.faults)
    result.stuck = [b.index for b in boxes if recovery_s(found, b.mailbox_id, last_end) > window]


def metric_lines(result: Result) -> list[str]:
    """`metric: value` lines, the headline five first."""
    def seconds(value: float) -> str:
        return "inf" if math.isinf(value) else f"{value:.1f}"

    by_kind: dict[str, int] = {}
    for fault in result.faults:
        by_kind[fault.kind] = by_kind.get(fault.kind, 0) + 1
    return [
        f"faults_injected: {len(result.faults)}",
        f"lost: {result.data.lost}",
        f"duplicated: {result.data.duplicated}",
        f"stuck_mailboxes: {len(result.stuck)}",
        f"max_recovery_s: {seconds(result.max_recovery_s)}",
        f"interval_s: {result.scale.interval_s:g}",
        f"stuck_window_s: {result.scale.interval_s + result.scale.tick_s:g}",
        f"seed: {result.options.seed}",
        f"mailboxes: {result.options.mailboxes}",
        f"sql_backend: {result.sql_backend}",
        f"imap: {'dovecot' if result.dovecot else 'none (dovecot not installed: no emails saved)'}",
        f"fault_kinds: {','.join(f'{k}={n}' for k, n in by_kind.items()) or 'none'}",
        f"skipped_faults: {'; '.join(result.skipped) or 'none'}",
        f"time_shortened: {', '.join(result.time_patches)}",
        f"items_checked: {result.data.items}",
        f"converged: {'yes' if result.converged else 'no'}",
        f"stuck_mailbox_numbers: {','.join(map(str, result.stuck)) or 'none'}",
        f"slow_recoveries: {result.slow_recoveries}",
        f"max_recovery_s_by_fault: {', '.join(f'{k}={seconds(v)}' for k, v in result.worst_by_kind.items()) or 'none'}",
        f"user_edits: {result.edits}",
        f"user_edit_errors: {len(result.edit_errors)}",
        f"sessions_ok: {result.sessions_ok}",
        f"sessions_failed: {result.sessions_failed}",
        f"process_restarts: {result.process_restarts}",
        f"warmup_s: {result.warmup_s:.1f}",
        f"run_s: {result.run_s:.0f}",
    ]
