"""A body not sent as JSON is a 415 naming what to send, on every endpoint that takes a JSON body.

Before, webargs ignored a form, text/plain or unlabelled body and the endpoint answered 200 as if
nothing had been sent: a newcomer's `curl -d` changed nothing and said nothing.
"""
from __future__ import annotations

import re

import pytest

NOT_JSON = {
    "form": ({"Content-Type": "application/x-www-form-urlencoded"}, b"name=Ann+Changed", "'application/x-www-form-urlencoded'"),
    "text": ({"Content-Type": "text/plain"}, b'{"name": "Ann Changed"}', "'text/plain'"),
    "no content type": ({}, b'{"name": "Ann Changed"}', "no Content-Type"),
}


@pytest.fixture
def admin(app, factory):
    org = factory.org()
    user = factory.user(org, admin=True)
    return {"client": app.test_client(), "headers": factory.auth(user), "mailbox": factory.mailbox(user).id}


def _json_body_operations(client) -> list[tuple[str, str, dict]]:
    spec = client.get("/api/openapi.json").get_json()
    return [(method.upper(), path, operation) for path, item in spec["paths"].items()
            for method, operation in item.items() if isinstance(operation, dict)
            and "application/json" in operation.get("requestBody", {}).get("content", {})]   # not form posts


def _concrete(path: str, mailbox_id: int) -> str:
    """A path the router accepts: ids are the admin's mailbox, other parameters a plain word."""
    return re.sub(r"\{[^}]*\}", lambda m: str(mailbox_id) if "id" in m.group(0) else "Contact", path)


def test_every_operation_with_a_json_body_documents_415(app):
    operations = _json_body_operations(app.test_client())
    assert len(operations) >= 15  # the whole API, not a sample
    for method, path, operation in operations:
        assert "415" in operation["responses"], (method, path)


@pytest.mark.parametrize("kind", NOT_JSON)
def test_a_body_not_sent_as_json_is_415_on_every_json_endpoint(admin, kind):
    extra, body, named = NOT_JSON[kind]
    client = admin["client"]
    for method, path, _ in _json_body_operations(client):
        response = client.open(_concrete(path, admin["mailbox"]), method=method, data=body,
                               headers={**admin["headers"], **extra})
        assert response.status_code == 415, (method, path, response.get_data(as_text=True))
        error = response.get_json()
        assert set(error) == {"code", "message", "errors"} and error["code"] == 415
        assert "Content-Type: application/json" in error["message"] and named in error["message"], error


def test_the_refused_body_changes_nothing_and_the_same_body_as_json_works(admin):
    client, headers = admin["client"], admin["headers"]
    before = client.get("/api/v1/me", headers=headers).get_json()["name"]
    refused = client.patch("/api/v1/me", data="name=Ann+Changed", headers=headers,
                           content_type="application/x-www-form-urlencoded")
    assert refused.status_code == 415
    assert client.get("/api/v1/me", headers=headers).get_json()["name"] == before
    accepted = client.patch("/api/v1/me", json={"name": "Ann Changed"}, headers=headers)
    assert accepted.status_code == 200 and accepted.get_json()["name"] == "Ann Changed"


def test_a_request_without_any_body_is_still_read_as_an_empty_one(admin):
    """`curl -X POST .../suspend` (no body, no Content-Type) keeps working with the defaults."""
    response = admin["client"].post(f"/api/v1/mailboxes/{admin['mailbox']}/suspend", headers=admin["headers"])
    assert response.status_code == 200, response.get_json()
