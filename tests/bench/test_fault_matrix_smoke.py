"""The fault-matrix bench (bench/faults.py) cannot rot: its core runs here on a tiny matrix —
one mailbox, one Salesforce 503 storm — against the real worker, scheduler and servers."""
from __future__ import annotations

import os
from collections import Counter

import pytest

from bench.fault_matrix.reconcile import count_copies
from bench.fault_matrix.run import Options, metric_lines, run_matrix

HEADLINE = ("faults_injected", "lost", "duplicated", "stuck_mailboxes", "max_recovery_s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.fixture(scope="module")
def tiny_run():
    return run_matrix(Options(seed=3, mailboxes=1, kinds=("sf_503_storm",), interval_s=4, fault_s=1,
                              prefer_postgres=False), log=lambda _line: None)


def test_a_tiny_matrix_injects_reconciles_and_prints_the_headline_metrics(tiny_run) -> None:
    assert [f.kind for f in tiny_run.faults] == ["sf_503_storm"]
    seeded = 7 * 2 + (1 if tiny_run.dovecot else 0)     # 7 items on both sides, 1 email saved once
    assert tiny_run.data.items >= seeded
    assert tiny_run.sessions_ok >= 2 and tiny_run.warmup_s > 0
    assert "lease_seconds=3" in tiny_run.time_patches
    assert "retry_base_seconds=1" in tiny_run.time_patches   # the failed-session backoff is shortened too
    lines = metric_lines(tiny_run)
    assert [line.split(": ", 1)[0] for line in lines[:5]] == list(HEADLINE)
    assert lines[0] == "faults_injected: 1" and "interval_s: 4" in lines


def test_the_run_stops_every_process_it_started(tiny_run) -> None:
    assert tiny_run.child_pids and not [pid for pid in tiny_run.child_pids if _alive(pid)]


def test_reconciliation_counts_missing_copies_as_lost_and_extra_copies_as_duplicated() -> None:
    check = count_copies({"fm-1-1", "fm-1-2", "fm-1-3"}, Counter({"fm-1-1": 1, "fm-1-3": 3}), "Salesforce")
    assert (check.lost, check.duplicated, check.items) == (1, 2, 3)
    assert check.details == ("fm-1-2 missing in Salesforce", "fm-1-3 x3 in Salesforce")
