"""The CometD client against the emulator's Streaming API: change notices with replay ids, one token
refresh on a 401, and Salesforce's refusals translated into our errors."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.providers.salesforce.errors import ReauthorizationRequired, TransientError
from app.providers.salesforce.streaming import (
    ALL_CHANGES,
    NEW_ONLY,
    ClientUnknown,
    CometdStream,
    ReplayIdInvalid,
    StreamRefused,
    bayeux_error,
)
from app.providers.salesforce.tokens import ConnectionTokens


@pytest.fixture
def stream(world) -> Iterator[CometdStream]:
    world.emu.cometd.timeout_s = 0.3
    client = CometdStream(world.rt.config, ConnectionTokens(world.rt, world.connection_id))
    yield client
    client.close()
    world.emu.cometd.timeout_s = 110.0


def test_a_change_arrives_as_a_notice_with_its_replay_id(world, stream):
    stream.handshake()
    assert stream.server_timeout_s == pytest.approx(0.3)
    stream.subscribe(ALL_CHANGES, NEW_ONLY)
    contact = world.emu.insert(world.org, "Contact", {"LastName": "Doe"})
    [notice] = stream.connect()
    assert (notice.entity, notice.change_type, notice.record_ids) == ("Contact", "CREATE", (contact,))
    assert notice.replay_id == world.emu.change_events(world.org)[-1]["replayId"]
    assert stream.connect() == []                # held until the timeout, nothing new


def test_resuming_from_a_replay_id_delivers_what_came_after(world, stream):
    world.emu.insert(world.org, "Task", {"Subject": "First"})
    second = world.emu.insert(world.org, "Task", {"Subject": "Second"})
    first_replay = world.emu.change_events(world.org)[0]["replayId"]
    stream.handshake()
    stream.subscribe(ALL_CHANGES, first_replay)
    assert [n.record_ids for n in stream.connect()] == [(second,)]


def test_an_expired_session_is_refreshed_once(world, stream):
    world.emu.faults.expire_sessions()
    stream.handshake()
    stream.subscribe(ALL_CHANGES, NEW_ONLY)
    assert world.rt.secrets.decrypt(world.connection().access_token_enc) != world.tokens["access_token"]


def test_refusals_become_our_errors(world, stream):
    stream.handshake()
    with pytest.raises(ReplayIdInvalid):
        stream.subscribe(ALL_CHANGES, 5)
    world.emu.cometd.forget_clients()
    with pytest.raises(ClientUnknown):
        stream.connect()
    world.emu.set_change_data_capture(world.org, False)
    stream.handshake()
    with pytest.raises(StreamRefused):
        stream.subscribe(ALL_CHANGES, NEW_ONLY)


def test_a_server_without_the_streaming_api_is_a_refusal_not_a_retry(world):
    """An org (or another emulator) that answers the CometD endpoint with a 404, JSON or HTML, is left
    to the poll and asked again after the re-probe delay, not retried every few seconds."""
    class Elsewhere(CometdStream):
        @property
        def url(self) -> str:
            return f"{self.tokens.instance_url}/no-streaming-api-here"

    client = Elsewhere(world.rt.config, ConnectionTokens(world.rt, world.connection_id))
    try:
        with pytest.raises(StreamRefused, match="404"):
            client.handshake()
    finally:
        client.close()


@pytest.mark.parametrize(("reply", "expected"), [
    ({"channel": "/meta/subscribe", "error": "400::The replayId {9} you provided was invalid.  Please provide "
                                              "a valid ID, -2 to replay all events, or -1 to replay only new events."},
     ReplayIdInvalid),
    ({"channel": "/meta/connect", "error": "403::Unknown client", "advice": {"reconnect": "handshake"}},
     ClientUnknown),
    ({"channel": "/meta/handshake", "error": "403::Handshake denied",
      "ext": {"sfdc": {"failureReason": "401::Authentication invalid"}}}, ReauthorizationRequired),
    ({"channel": "/meta/connect", "error": "401::Authentication invalid", "advice": {"reconnect": "none"}},
     ReauthorizationRequired),
    ({"channel": "/meta/subscribe", "error": "403::Organization is not enabled for Change Data Capture"},
     StreamRefused),
    ({"channel": "/meta/handshake", "error": "403::Handshake denied"}, StreamRefused),
    ({"channel": "/meta/connect", "error": "500::Internal error"}, TransientError),
])
def test_the_bayeux_error_table(reply, expected):
    assert type(bayeux_error(reply)) is expected
