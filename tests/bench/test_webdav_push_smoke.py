"""bench/webdav_push.py cannot rot: a tiny run, as a real process (worker, push watcher and the
HTTPS API included), times one CalDAV event pushed and one polled to Salesforce and prints every metric."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
METRICS = ("webdav_push_to_salesforce_p95_s", "webdav_push_to_salesforce_median_s",
           "caldav_poll_to_salesforce_p95_s", "caldav_poll_to_salesforce_median_s", "webdav_push_deliveries")


def test_a_tiny_webdav_push_run_prints_every_metric() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "webdav_push.py"), "--changes", "1"],
                          cwd=REPO, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert set(METRICS) <= set(metrics)
    assert metrics["changes_timed_per_mode"] == "1" and int(metrics["webdav_push_deliveries"]) >= 1
    assert all(float(metrics[name]) > 0 for name in METRICS)
