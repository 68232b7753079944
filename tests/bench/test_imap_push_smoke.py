"""bench/imap_push.py cannot rot: a tiny run, as a real process (worker and push watcher included),
times one mail and one CalDAV event pushed to Salesforce and prints every metric."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
METRICS = ("imap_push_to_salesforce_p95_s", "imap_push_to_salesforce_median_s", "caldav_push_to_salesforce_p95_s",
           "caldav_push_to_salesforce_median_s", "push_changes_timed")


def test_a_tiny_push_run_prints_every_metric() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "imap_push.py"), "--changes", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert set(METRICS) <= set(metrics)
    assert metrics["push_changes_timed"] == "2"
    assert all(float(metrics[name]) > 0 for name in METRICS)
