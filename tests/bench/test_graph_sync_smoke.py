"""bench/graph_sync.py cannot rot: a tiny run, as a real process, prints every headline metric
and mirrors both ways without a single invitation or a request over Outlook's concurrency, then
times meetings pushed through a change notification and a real worker."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEADLINE = ("graph_calls_per_1000_items", "graph_initial_import_items_per_min", "sf_calls_per_1000_items",
            "invitations_sent", "push_to_salesforce_p95_s")


def test_a_tiny_graph_import_prints_the_headline_metrics() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "graph_sync.py"), "--items", "12", "--latency-ms", "5",
                           "--pushes", "2"],
                          cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = dict(line.split(": ", 1) for line in done.stdout.splitlines())
    assert set(HEADLINE) <= set(metrics)
    assert metrics["session_status"] == "succeeded"
    assert metrics["events_in_salesforce"] == metrics["events_in_mailbox"] == "13"    # 12 + 1 each way
    assert metrics["invitations_sent"] == "0" and metrics["graph_requests_refused"] == "0"
    assert 1 <= int(metrics["graph_peak_concurrency"]) <= 4
    assert float(metrics["graph_calls_per_1000_items"]) > 0 and float(metrics["sf_calls_per_1000_items"]) > 0
    assert metrics["push_changes_timed"] == "2" and float(metrics["push_to_salesforce_p95_s"]) > 0
