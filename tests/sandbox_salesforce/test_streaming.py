"""The Streaming API (`/cometd/{version}`): Bayeux handshake, subscribe with the replay extension,
long-polled connect delivering Change Data Capture events, disconnect, and Salesforce's errors."""
from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from .conftest import Tenant, make_tenant, trusted_session

ALL = "/data/ChangeEvents"


@pytest.fixture
def stream(emulator) -> Iterator[Tenant]:
    emulator.cometd.timeout_s = 0.5          # Salesforce holds a connect 110 s; tests need not wait
    yield make_tenant(emulator)
    emulator.cometd.timeout_s = 110.0
    emulator.clock = lambda: datetime.now(UTC)


def _post(t: Tenant, *messages: dict, token: str | None = None) -> tuple[int, list[dict]]:
    http = trusted_session(t.emu.ca_path or "")
    response = http.post(f"{t.emu.base_url}/cometd/62.0", json=list(messages),
                         headers={"Authorization": f"Bearer {token or t.tokens['access_token']}"})
    return response.status_code, response.json()


def _handshake(t: Tenant) -> str:
    status, [reply] = _post(t, {"channel": "/meta/handshake", "version": "1.0", "id": "1",
                                "supportedConnectionTypes": ["long-polling"]})
    assert status == 200 and reply["successful"], reply
    return reply["clientId"]


def _subscribe(t: Tenant, client_id: str, channel: str = ALL, replay: Any = -1) -> dict:
    _, [reply] = _post(t, {"channel": "/meta/subscribe", "clientId": client_id, "subscription": channel,
                           "ext": {"replay": {channel: replay}}})
    return reply


def _connect(t: Tenant, client_id: str) -> tuple[list[dict], dict]:
    _, replies = _post(t, {"channel": "/meta/connect", "clientId": client_id, "connectionType": "long-polling"})
    return [r for r in replies if r["channel"] != "/meta/connect"], replies[-1]


def _headers(events: list[dict]) -> list[tuple[str, str]]:
    return [(e["data"]["payload"]["ChangeEventHeader"]["entityName"],
             e["data"]["payload"]["ChangeEventHeader"]["changeType"]) for e in events]


def test_handshake_advertises_long_polling_and_the_replay_extension(stream: Tenant) -> None:
    status, [reply] = _post(stream, {"channel": "/meta/handshake", "version": "1.0", "id": "7",
                                     "supportedConnectionTypes": ["long-polling"]})
    assert status == 200
    assert reply["successful"] and reply["id"] == "7" and reply["clientId"]
    assert reply["supportedConnectionTypes"] == ["long-polling"] and reply["ext"]["replay"] is True
    assert reply["advice"]["timeout"] == 500 and reply["advice"]["reconnect"] == "retry"


def test_every_dml_publishes_a_change_event_with_header_and_replay_id(stream: Tenant) -> None:
    client_id = _handshake(stream)
    assert _subscribe(stream, client_id)["successful"]
    created = stream.sf.Contact.create({"LastName": "Doe", "Email": "doe@x.test"})["id"]
    stream.sf.Contact.update(created, {"Title": "CTO"})
    stream.sf.Contact.delete(created)
    events, ack = _connect(stream, client_id)
    assert ack["successful"]
    assert _headers(events) == [("Contact", "CREATE"), ("Contact", "UPDATE"), ("Contact", "DELETE")]
    create, update, delete = (e["data"]["payload"] for e in events)
    assert create["LastName"] == "Doe" and create["ChangeEventHeader"]["recordIds"] == [created]
    assert create["ChangeEventHeader"]["commitUser"] == stream.user
    assert {"Title", "LastModifiedDate"} <= set(update["ChangeEventHeader"]["changedFields"])
    assert update["Title"] == "CTO" and "LastName" not in update
    assert set(delete) == {"ChangeEventHeader"}
    replay_ids = [e["data"]["event"]["replayId"] for e in events]
    assert replay_ids == sorted(replay_ids) and len(set(replay_ids)) == 3
    header = create["ChangeEventHeader"]
    assert {"transactionKey", "sequenceNumber", "commitTimestamp", "changeOrigin"} <= set(header)


def test_connect_holds_until_the_timeout_when_nothing_changed(stream: Tenant) -> None:
    client_id = _handshake(stream)
    _subscribe(stream, client_id)
    events, ack = _connect(stream, client_id)
    assert events == [] and ack["successful"] and ack["advice"]["reconnect"] == "retry"


def test_replay_from_a_stored_id_delivers_only_later_events_and_minus_two_all_retained(stream: Tenant) -> None:
    first = stream.emu.insert(stream.org, "Contact", {"LastName": "One"})
    stream.emu.insert(stream.org, "Contact", {"LastName": "Two"})
    [one, two] = stream.emu.change_events(stream.org)
    client_id = _handshake(stream)
    assert _subscribe(stream, client_id, replay=one["replayId"])["successful"]
    events, _ = _connect(stream, client_id)
    assert [e["data"]["event"]["replayId"] for e in events] == [two["replayId"]]
    other = _handshake(stream)
    assert _subscribe(stream, other, replay=-2)["successful"]
    events, _ = _connect(stream, other)
    assert [e["data"]["payload"]["ChangeEventHeader"]["recordIds"][0] for e in events][0] == first


def test_per_object_channel_carries_only_that_object(stream: Tenant) -> None:
    client_id = _handshake(stream)
    assert _subscribe(stream, client_id, "/data/TaskChangeEvent")["successful"]
    stream.emu.insert(stream.org, "Contact", {"LastName": "Skipped"})
    stream.emu.insert(stream.org, "Task", {"Subject": "Call back"})
    events, _ = _connect(stream, client_id)
    assert _headers(events) == [("Task", "CREATE")] and events[0]["channel"] == "/data/TaskChangeEvent"


def test_an_id_past_the_72_hour_retention_is_refused_with_salesforces_message(stream: Tenant) -> None:
    stream.emu.insert(stream.org, "Contact", {"LastName": "Old"})
    [old] = stream.emu.change_events(stream.org)
    later = datetime.now(UTC) + timedelta(hours=73)
    stream.emu.clock = lambda: later
    client_id = _handshake(stream)
    reply = _subscribe(stream, client_id, replay=old["replayId"])
    assert not reply["successful"]
    assert reply["error"] == (f"400::The replayId {{{old['replayId']}}} you provided was invalid.  Please provide a "
                              "valid ID, -2 to replay all events, or -1 to replay only new events.")
    assert _subscribe(stream, client_id, replay=-1)["successful"]


def test_a_forgotten_client_is_told_to_handshake_again(stream: Tenant) -> None:
    client_id = _handshake(stream)
    _subscribe(stream, client_id)
    stream.emu.cometd.forget_clients()
    _, ack = _connect(stream, client_id)
    assert ack == {"channel": "/meta/connect", "successful": False, "error": "403::Unknown client",
                   "advice": {"reconnect": "handshake", "interval": 0}}


def test_a_bad_token_is_401_and_the_handshake_denied(stream: Tenant) -> None:
    status, [reply] = _post(stream, {"channel": "/meta/handshake", "supportedConnectionTypes": ["long-polling"]},
                            token="00Dbogus!token")
    assert status == 401
    assert reply["error"] == "403::Handshake denied"
    assert reply["ext"]["sfdc"]["failureReason"] == "401::Authentication invalid"


def test_an_org_without_change_data_capture_refuses_the_subscribe(stream: Tenant) -> None:
    stream.emu.set_change_data_capture(stream.org, False)
    client_id = _handshake(stream)
    reply = _subscribe(stream, client_id)
    assert not reply["successful"] and reply["error"].startswith("403::")
    stream.emu.insert(stream.org, "Contact", {"LastName": "Unseen"})
    assert stream.emu.change_events(stream.org) == []


def test_disconnect_ends_the_client(stream: Tenant) -> None:
    client_id = _handshake(stream)
    _, [reply] = _post(stream, {"channel": "/meta/disconnect", "clientId": client_id})
    assert reply["successful"]
    assert _subscribe(stream, client_id)["error"] == "403::Unknown client"


def test_streaming_calls_do_not_count_against_the_daily_api_allocation(stream: Tenant) -> None:
    before = stream.emu.api_calls(stream.org)
    client_id = _handshake(stream)
    _subscribe(stream, client_id)
    _connect(stream, client_id)
    assert stream.emu.api_calls(stream.org) == before
    assert stream.get("/limits").status_code == 200


def _bus_events(journal: list, records: dict) -> list[dict]:
    from sandbox.salesforce.change_events import ChangeEventBus
    bus = ChangeEventBus(first_replay_id=100)
    bus.publish(journal, lambda kind, rid: records.get(rid), datetime.now(UTC))
    return [{"replayId": e.replay_id, **e.payload} for e in bus.events]


def test_one_transaction_shares_a_key_and_counts_its_sequence() -> None:
    a = {"Id": "003A", "LastName": "A", "IsDeleted": False, "LastModifiedById": "005X"}
    b = {"Id": "003B", "LastName": "B", "IsDeleted": False, "LastModifiedById": "005X"}
    events = _bus_events([("Contact", "003A", None, None), ("Contact", "003B", None, None)], {"003A": a, "003B": b})
    headers = [e["ChangeEventHeader"] for e in events]
    assert [e["replayId"] for e in events] == [100, 101]
    assert len({h["transactionKey"] for h in headers}) == 1 and [h["sequenceNumber"] for h in headers] == [1, 2]


def test_created_and_deleted_in_one_transaction_publishes_nothing_and_a_restore_is_undelete() -> None:
    gone = {"Id": "003A", "LastName": "A", "IsDeleted": True}
    assert _bus_events([("Contact", "003A", None, None), ("Contact", "003A", {"Id": "003A"}, None)],
                       {"003A": gone}) == []
    restored = {"Id": "003A", "LastName": "A", "IsDeleted": False}
    [event] = _bus_events([("Contact", "003A", gone, None)], {"003A": restored})
    assert event["ChangeEventHeader"]["changeType"] == "UNDELETE" and event["LastName"] == "A"


def test_an_entity_not_selected_publishes_nothing() -> None:
    user = {"Id": "005A", "LastName": "A", "IsDeleted": False}
    assert _bus_events([("User", "005A", None, None)], {"005A": user}) == []
