"""A second `syncline up` on the same instance folder or port refuses in one sentence and leaves the first alone.

Before the fix a second `up` on the same folder rewrote the first's sandbox ports, re-pointed its
mailbox at servers that then stopped, and stopped the embedded Redis the first was using.
"""
from __future__ import annotations

import re
import shutil
import sqlite3
from pathlib import Path

import pytest

from sandbox.mailservers import free_port
from tests.sandbox.conftest import make_instance
from tests.sandbox.test_up import UpProcess, _alive, _embedded_redis_pid, _session

ONE_SENTENCE = re.compile(r"^Error: [^\n]+$")


@pytest.fixture
def instances():
    made: list = []

    def make():
        made.append(make_instance())
        return made[-1]

    yield make
    for folder in made:
        shutil.rmtree(folder.parent, ignore_errors=True)


def _refusal(up: UpProcess) -> str:
    """The second `up` exits 1 within a minute and says why on one line, without a traceback."""
    try:
        code = up.proc.wait(timeout=60)
    finally:
        up.stop()  # before the fix it runs on: stop it (and what it started) before asserting
    output = "\n".join(line for line in up.lines if not line.startswith("{"))  # JSON log lines are not prose
    assert code == 1, "\n".join(up.lines)
    assert "Traceback" not in output and ONE_SENTENCE.match(output.strip()), output
    return output


def _stored_endpoints_and_status(instance: Path) -> list[tuple]:
    """What a second sandbox start rewrote before the fix: where the mailbox points, and its status."""
    with sqlite3.connect(f"file:{instance / 'syncline.db'}?mode=ro", uri=True) as db:
        return db.execute("SELECT p.endpoints, m.status, m.status_reason FROM mailboxes m "
                          "JOIN server_profiles p ON p.id = m.server_profile_id ORDER BY m.id").fetchall()


def _first_still_serves(api: str, token: str) -> dict:
    assert _session().get(f"{api}/api/v1/ready", timeout=5).status_code == 200
    dashboard = _session().get(f"{api}/api/v1/mailboxes/mine/dashboard", timeout=10,
                               headers={"Authorization": f"Bearer {token}"})
    assert dashboard.status_code == 200, dashboard.text
    return dashboard.json()["mailbox"]


def test_a_second_up_on_the_same_folder_or_port_refuses_and_leaves_the_first_running(instances):
    first_dir, port = instances(), free_port()
    api = f"http://127.0.0.1:{port}"
    first = UpProcess(first_dir, port)
    try:
        token = first.wait_for_token(timeout=60)
        before_state = (first_dir / "sandbox" / "sandbox.json").read_text()
        redis_pid = _embedded_redis_pid(first_dir)
        stored = _stored_endpoints_and_status(first_dir)
        before = _first_still_serves(api, token)

        other_port = free_port()
        same_folder = UpProcess(first_dir, other_port)
        assert "already running" in _refusal(same_folder) and str(first_dir) in same_folder.lines[-1]

        other_dir = instances()
        same_port = UpProcess(other_dir, port)
        assert f"port {port}" in _refusal(same_port)
        assert not (other_dir / "sandbox").exists() and not (other_dir / "redis.rdb").exists()

        assert (first_dir / "sandbox" / "sandbox.json").read_text() == before_state
        assert _stored_endpoints_and_status(first_dir) == stored
        assert _alive(redis_pid) and _embedded_redis_pid(first_dir) == redis_pid
        after = _first_still_serves(api, token)
        assert (after["status"], after["server_profile"]) == (before["status"], before["server_profile"])
        assert first.proc.poll() is None
    finally:
        first.stop()
