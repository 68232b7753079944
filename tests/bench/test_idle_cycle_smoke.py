"""The idle-cycle bench (bench/idle_cycle.py) cannot rot: it runs here on tiny mailboxes."""
from __future__ import annotations

import pytest

from bench.idle_cycle import main
from tests.realservers.cyrus import cyrus_unavailable_reason

HEADLINE = ("idle_sf_calls_per_mailbox", "idle_mailbox_requests", "idle_seconds_1k", "idle_seconds_20k",
            "idle_rss_mb_20k", "mailboxes_per_worker_30min")


@pytest.mark.parametrize("server", ["cyrus", "radicale"])
def test_tiny_mailboxes_print_the_headline_metrics_of_a_cheap_idle_session(capsys, server) -> None:
    """Cyrus's figures under the issue's names, Radicale's suffixed with its name."""
    if server == "cyrus" and (reason := cyrus_unavailable_reason()):
        pytest.skip(reason)
    lines = main(["--small", "3", "--large", "8", "--latency-ms", "0", "--mailboxes", "12", "--server", server])
    assert lines[-1] == f"idle_servers: {server}"
    suffix = "" if server == "cyrus" else "_radicale"
    metrics = {name.removesuffix(suffix): value for name, value in (line.split(": ", 1) for line in lines[:-1])}
    assert all(name.endswith(suffix) for name in (line.split(":")[0] for line in lines[:-1]))
    assert tuple(metrics)[:6] == HEADLINE
    assert metrics["idle_session_status"] == "succeeded,succeeded"
    # the shared calendar collection's sync report and the address book's, nothing else, at any size
    assert metrics["idle_mailbox_requests"] == metrics["idle_mailbox_requests_small"] == "2"
    assert int(metrics["mailboxes_per_worker_30min"]) > 0
    # one worker's idle checks of the settled clones: each unchanged, none sent to a full session
    assert (metrics["idle_check_mailboxes"], metrics["idle_check_unchanged"], metrics["idle_check_sessions"]) == (
        "12", "12", "0")
    assert metrics["idle_sf_calls_per_mailbox"] == "0", "the org loop reads Salesforce, not the idle mailbox"
    printed = capsys.readouterr().out.splitlines()
    assert [line for line in printed if not line.startswith("{")] == lines     # JSON log lines aside
