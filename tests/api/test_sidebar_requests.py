"""Compose saves, meeting saves, thread autosaves (stored for the sync engine) and the blocklists."""
from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.models import ComposeSave, MeetingSave, ThreadAutosave


@pytest.fixture
def world(app, factory):
    org = factory.org()
    user, admin = factory.user(org, email="uma@acme.example"), factory.user(org, admin=True)
    return {"client": app.test_client(), "headers": factory.auth(user), "admin": factory.auth(admin),
            "user": user, "org": org, "db": app.extensions["syncline"].db}


def rows(world, model):
    with world["db"].session_scope() as s:
        return [{c.name: getattr(r, c.name) for c in model.__table__.columns} for r in s.scalars(select(model))]


def test_compose_save_is_stored_for_the_sync_with_its_marker_and_links(world):
    body = {"message_id": None, "marker": "6f1c2d3e-0000-4000-8000-1234567890ab",
            "who_ids": ["0035g00000AbCdEAAA"], "what_id": "0015g00000XyZaBAAA"}
    response = world["client"].post("/api/v1/compose-saves", json=body, headers=world["headers"])
    assert response.status_code == 202 and response.get_json()["status"] == "queued"
    again = world["client"].post("/api/v1/compose-saves", json={**body, "what_id": None}, headers=world["headers"])
    assert again.get_json()["id"] == response.get_json()["id"]
    [row] = rows(world, ComposeSave)
    assert (row["marker"], row["who_ids"], row["what_id"], row["user_id"]) == (
        body["marker"], body["who_ids"], None, world["user"].id)
    assert row["status"] == "pending" and row["created_at"] is not None


def test_meeting_save_needs_an_ical_uid_or_an_item_ref(world):
    post = lambda body: world["client"].post("/api/v1/meeting-saves", json=body, headers=world["headers"])
    assert post({"ical_uid": None, "item_ref": None, "who_ids": [], "what_id": None}).status_code == 400
    assert post({"ical_uid": None, "item_ref": "AAMkAD=", "who_ids": [], "what_id": None}).status_code == 202
    assert post({"ical_uid": "0400000082", "who_ids": ["0035g00000AbCdEAAA"], "what_id": None}).status_code == 202
    assert {(r["ical_uid"], r["item_ref"]) for r in rows(world, MeetingSave)} == {(None, "AAMkAD="), ("0400000082", None)}


@pytest.mark.parametrize("body", [
    {"marker": "x", "who_ids": []}, {"who_ids": []}, {"marker": "6f1c2d3e-0000", "who_ids": ["bad"]},
    {"marker": "6f1c2d3e-0000", "who_ids": [], "what_id": None, "extra": 1},
])
def test_bad_compose_saves_are_400(world, body):
    assert world["client"].post("/api/v1/compose-saves", json=body, headers=world["headers"]).status_code == 400


def test_thread_autosave_on_and_off_with_encoded_outlook_ids(world):
    thread = "AAQkADk0=/+x"
    path = f"/api/v1/thread-autosaves/{quote(thread, safe='')}"
    client, headers = world["client"], world["headers"]
    assert client.put(path, json={}, headers=headers).status_code == 204
    assert client.put(path, json={}, headers=headers).status_code == 204
    assert [r["thread_id"] for r in rows(world, ThreadAutosave)] == [thread]
    assert client.put(path, json={"on": True}, headers=headers).status_code == 400
    assert client.delete(path, headers=headers).status_code == 204
    assert client.delete(path, headers=headers).status_code == 204
    assert rows(world, ThreadAutosave) == []


def test_personal_blocklist_round_trip_normalises_entries(world):
    client, headers = world["client"], world["headers"]
    assert client.get("/api/v1/me/blocklist", headers=headers).get_json() == {"entries": []}
    put = client.put("/api/v1/me/blocklist", json={"entries": ["X@Y.com", "@Personal.example", "x@y.com"]},
                     headers=headers)
    assert put.status_code == 200 and put.get_json() == {"entries": ["x@y.com", "@personal.example"]}
    assert client.get("/api/v1/me/blocklist", headers=headers).get_json() == put.get_json()
    assert client.put("/api/v1/me/blocklist", json={"entries": ["not an address"]}, headers=headers).status_code == 400


def test_regular_expressions_are_kept_as_written_beside_lower_cased_addresses(world):
    client, headers = world["client"], world["headers"]
    entries = ["  /^NoReply@\\S+$/i ", "Ann@X.com", r"/\bnews(letter)?@/", "@Sub.Example.com"]
    put = client.put("/api/v1/me/blocklist", json={"entries": entries}, headers=headers)
    assert put.status_code == 200, put.get_json()
    assert put.get_json()["entries"] == [r"/^NoReply@\S+$/i", "ann@x.com", r"/\bnews(letter)?@/", "@sub.example.com"]


@pytest.mark.parametrize("entry, problem", [
    ("/[a-z/", "not a valid regular expression"),
    ("/(a+)+$/", "repetition inside a repetition"),
    ("/(a|ab)*c/", "alternatives inside a repetition"),
    ("/^.*.*.*@x/", "too many repetitions"),
    (r"/(\w)\1@/", "back-references"),
    ("//", "regular expression is empty"),
    ("   ", "empty"),
    ("/" + "a" * 201 + "/", "longer than 200"),
    ("x" * 310 + "@example.com", "longer than 320"),
    ("not an address", "not an address"),
])
def test_a_bad_entry_is_400_naming_the_entry_and_what_is_wrong(world, entry, problem):
    response = world["client"].put("/api/v1/me/blocklist", json={"entries": ["@fine.example", entry]},
                                   headers=world["headers"])
    assert response.status_code == 400
    [message] = response.get_json()["errors"]["json"]["entries"]["1"]
    assert problem in message and repr(entry[:80]) in message


def test_over_long_lists_are_400(world):
    client, headers = world["client"], world["headers"]
    too_many = [f"p{n}@x.example" for n in range(1001)]
    response = client.put("/api/v1/me/blocklist", json={"entries": too_many}, headers=headers)
    assert response.status_code == 400 and "at most 1000 entries" in str(response.get_json()["errors"])
    patterns = [f"/^bot{n}@/" for n in range(51)]
    response = client.put("/api/v1/me/blocklist", json={"entries": patterns}, headers=headers)
    assert response.status_code == 400 and "at most 50 /regular expressions/" in str(response.get_json()["errors"])


def test_org_blocklist_is_for_admins_and_separate_from_personal_lists(world):
    client, org_id = world["client"], world["org"].id
    assert client.put(f"/api/v1/orgs/{org_id}/blocklist", json={"entries": ["@rival.example"]},
                      headers=world["headers"]).status_code == 403
    assert client.put(f"/api/v1/orgs/{org_id}/blocklist", json={"entries": ["@rival.example"]},
                      headers=world["admin"]).status_code == 200
    assert client.get(f"/api/v1/orgs/{org_id}/blocklist", headers=world["admin"]).get_json()["entries"] == ["@rival.example"]
    assert client.get("/api/v1/me/blocklist", headers=world["admin"]).get_json()["entries"] == []


def test_users_withdraw_their_own_compose_and_meeting_saves(world):
    client, headers = world["client"], world["headers"]
    compose = client.post("/api/v1/compose-saves", json={"marker": "mk-withdraw-01"}, headers=headers).get_json()["id"]
    meeting = client.post("/api/v1/meeting-saves", json={"ical_uid": "uid-1@acme.example"}, headers=headers).get_json()["id"]
    assert client.delete(f"/api/v1/compose-saves/{compose}", headers=headers).status_code == 204
    assert client.delete(f"/api/v1/meeting-saves/{meeting}", headers=headers).status_code == 204
    assert rows(world, ComposeSave) == [] and rows(world, MeetingSave) == []
    again = client.delete(f"/api/v1/compose-saves/{compose}", headers=headers)
    assert again.status_code == 404 and again.get_json()["code"] == 404


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/api/v1/compose-saves", {"marker": "mk-nul-000001", "message_id": "<a\x00b@acme.example>"}, "message_id"),
    ("/api/v1/compose-saves", {"marker": "mk-nul-000001", "message_id": "not a message id"}, "message_id"),
    ("/api/v1/compose-saves", {"marker": "mk-nul-000001", "message_id": "<caf\u00e9@acme.example>"}, "message_id"),
    ("/api/v1/meeting-saves", {"ical_uid": "uid\x00@acme.example"}, "ical_uid"),
    ("/api/v1/meeting-saves", {"item_ref": "AAMk AD="}, "item_ref"),
])
def test_identifiers_a_mail_server_would_choke_on_are_refused_naming_the_field(world, path, body, field):
    response = world["client"].post(path, json=body, headers=world["headers"])
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["errors"]["json"]
    assert rows(world, ComposeSave) == [] and rows(world, MeetingSave) == []


def test_thread_ids_with_control_characters_are_refused(world):
    response = world["client"].put("/api/v1/thread-autosaves/a%00b", json={}, headers=world["headers"])
    assert response.status_code == 400 and "thread_id" in response.get_json()["errors"]
    assert rows(world, ThreadAutosave) == []
