"""What a user sees when their mail server cannot be reached never tells an open port from a closed one."""
from __future__ import annotations

from tests.e2e.helpers import dashboard, force_sync, sign_up
from tests.realservers import free_port
from tests.realservers.recording import SSH_BANNER, RecordingServer


def test_a_closed_port_and_a_port_answering_another_protocol_read_the_same(e2e, factory):
    ssh = RecordingServer(greeting=SSH_BANNER)
    try:
        closed = sign_up(e2e, factory, caldav_port=free_port())
        answering = sign_up(e2e, factory, caldav_port=ssh.port)
        seen = []
        for person in (closed, answering):
            session = force_sync(person)
            mailbox = dashboard(person)["mailbox"]
            seen.append((session["status"], session["failure"], session["errors"], mailbox["status_reason"]))
    finally:
        ssh.stop()
    assert ssh.connections >= 1  # the second mailbox really reached the other service
    assert seen[0] == seen[1] == ("failed", "TemporaryFailure: could not connect to 127.0.0.1", [], None), seen
