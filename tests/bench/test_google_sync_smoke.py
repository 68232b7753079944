"""bench/google_sync.py cannot rot: a tiny run, as a real process, prints every headline metric and
mirrors meetings both ways, contacts and labelled emails, without a single invitation or quota refusal."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
HEADLINE = ("google_quota_units_per_1000_items", "google_initial_import_items_per_min", "sf_calls_per_1000_items",
            "invitations_sent")


def test_a_tiny_google_import_prints_the_headline_metrics() -> None:
    done = subprocess.run([sys.executable, str(REPO / "bench" / "google_sync.py"), "--items", "40",
                           "--latency-ms", "5"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    metrics = dict(line.split(": ", 1) for line in done.stdout.splitlines() if ": " in line)
    assert set(HEADLINE) <= set(metrics)
    assert metrics["session_status"] == "succeeded"
    assert metrics["events_in_salesforce"] == metrics["events_in_google"] == "22"     # 20 + 2 each way
    assert (metrics["contacts_in_salesforce"], metrics["emails_in_salesforce"]) == ("12", "8")
    assert metrics["invitations_sent"] == "0" and metrics["google_requests_refused"] == "0"
    assert float(metrics["google_gmail_units_per_1000_items"]) > 0
    assert float(metrics["google_quota_units_per_1000_items"]) > float(metrics["google_calls_per_1000_items"])
    assert float(metrics["sf_calls_per_1000_items"]) > 0
