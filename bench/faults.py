"""Fault matrix: does Syncline run 24/7 through the faults real deployments see?

Run `python bench/faults.py` (or `--quick`). It starts a private Redis (restartable, with and
without persistence), PostgreSQL (a throwaway database on 127.0.0.1:5432; SQLite when absent),
the HTTPS Salesforce emulator, Radicale behind a fault proxy, Dovecot, and the product's own
worker and scheduler processes in shortened time. Several mailboxes sync calendar items,
tasks, contacts and tagged emails while users edit both sides and these faults hit in a
seeded order: Salesforce 503 storms, REQUEST_LIMIT_EXCEEDED, UNABLE_TO_LOCK_ROW,
INVALID_SESSION_ID, invalid_grant (the user then signs in again); mailbox 5xx and timeouts;
worker SIGKILL; Redis restarts; PostgreSQL connection loss. Then it waits (bounded) for
convergence, reconciles both sides and prints `metric: value` lines, the headline first:
faults_injected, lost, duplicated, stuck_mailboxes, max_recovery_s (goals: 0, 0, 0, and at
most one interval). Progress goes to stderr. Every process it starts is stopped on exit,
Ctrl-C or error.
"""
from __future__ import annotations

import argparse
import signal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.fault_matrix.matrix import FAULT_KINDS, QUICK_KINDS, kinds_named  # noqa: E402
from bench.fault_matrix.run import Options, metric_lines, run_matrix  # noqa: E402


def parse_options(argv: list[str] | None = None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seed", type=int, default=1, help="orders the faults, kill points and user edits")
    parser.add_argument("--quick", action="store_true",
                        help=f"2 mailboxes, a 20 s interval and one fault of each family ({', '.join(QUICK_KINDS)})")
    parser.add_argument("--mailboxes", type=int, help="how many mailboxes (default 5, quick 2)")
    parser.add_argument("--faults", help=f"comma-separated fault kinds (default all: {', '.join(k.name for k in FAULT_KINDS)})")
    parser.add_argument("--rounds", type=int, default=1, help="how many times each fault kind is injected")
    parser.add_argument("--interval", type=float, help="shortened sync interval in seconds (default 30, quick 20)")
    parser.add_argument("--fault-seconds", type=float, default=6.0,
                        help="how long each fault lasts (every mailbox is made due as it starts)")
    parser.add_argument("--sqlite", action="store_true", help="use SQLite even when PostgreSQL answers")
    parser.add_argument("--keep", action="store_true", help="keep the run's folder (logs of the worker etc.)")
    args = parser.parse_args(argv)
    kinds = tuple(args.faults.split(",")) if args.faults else (QUICK_KINDS if args.quick else ())
    try:
        kinds_named(kinds)
    except ValueError as exc:
        parser.error(str(exc))
    return Options(seed=args.seed, mailboxes=args.mailboxes or (2 if args.quick else 5), kinds=kinds,
                   rounds=args.rounds, interval_s=args.interval or (20.0 if args.quick else 30.0),
                   fault_s=args.fault_seconds, prefer_postgres=not args.sqlite, keep_dir=args.keep)


def _stop_on_sigterm(_signum, _frame) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    options = parse_options(argv)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        result = run_matrix(options, log=lambda line: print(line, file=sys.stderr, flush=True))
    except KeyboardInterrupt:
        print("interrupted: every process started was stopped", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(f"fault matrix failed: {exc}", file=sys.stderr)
        return 1
    for line in metric_lines(result):
        print(line, flush=True)
    for detail in result.data.details[:20]:
        print(f"  {detail}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
