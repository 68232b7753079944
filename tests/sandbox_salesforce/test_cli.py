"""`python -m sandbox.salesforce` runs standalone and persists its state under --state-dir."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from .conftest import ROOT, trusted_session


def _run(state_dir: Path) -> tuple[subprocess.Popen, dict]:
    proc = subprocess.Popen([sys.executable, "-m", "sandbox.salesforce", "--port", "0",
                             "--state-dir", str(state_dir)], cwd=ROOT, stdout=subprocess.PIPE,
                            text=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    assert proc.stdout is not None
    return proc, json.loads(proc.stdout.readline())


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=10)


def test_cli_serves_https_and_keeps_records_across_restarts(tmp_path: Path) -> None:
    proc, info = _run(tmp_path)
    try:
        http = trusted_session(info["ca_path"])
        http.headers["Authorization"] = f"Bearer {info['tokens']['access_token']}"
        url = f"{info['base_url']}/services/data/v62.0/sobjects/Contact"
        assert http.post(url, json={"LastName": "Kept"}).status_code == 201
    finally:
        _stop(proc)
    proc, info2 = _run(tmp_path)
    try:
        assert info2["org_id"] == info["org_id"]
        http = trusted_session(info2["ca_path"])
        http.headers["Authorization"] = f"Bearer {info2['tokens']['access_token']}"
        rows = http.get(f"{info2['base_url']}/services/data/v62.0/query",
                        params={"q": "SELECT LastName FROM Contact"}).json()["records"]
        assert [r["LastName"] for r in rows] == ["Kept"]
    finally:
        _stop(proc)
