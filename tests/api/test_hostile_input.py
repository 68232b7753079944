"""Input the stores cannot hold is a 400 naming the field, on SQLite and PostgreSQL alike — never a 500.

Found by schemathesis (issue 16): 64-bit-plus integers in bodies, query strings and paths, NUL
bytes (PostgreSQL refuses them in text), lone surrogates, 5,000-deep JSON, 5,000-digit numbers.
"""
from __future__ import annotations

import pytest
from marshmallow import ValidationError


@pytest.fixture
def admin(app, factory):
    org = factory.org()
    user = factory.user(org, admin=True)
    return {"client": app.test_client(), "headers": factory.auth(user), "user": user, "org": org,
            "mailbox": factory.mailbox(user).id}


def _error(response, status: int = 400) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"} and body["code"] == status
    return body


def _raw_json(admin, method: str, path: str, text: str):
    headers = {**admin["headers"], "Content-Type": "application/json"}
    return admin["client"].open(path, method=method, data=text.encode("utf-8", "surrogatepass"), headers=headers)


@pytest.mark.parametrize("path", ["/api/v1/mailboxes/99999999999999999999999", "/api/v1/mailboxes/2147483648",
                                  "/api/v1/users/18446744073709551616", "/api/v1/auth/tokens/9223372036854775808"])
def test_ids_beyond_the_integer_columns_in_paths_are_404(admin, path):
    method = "DELETE" if "tokens" in path else "GET"
    _error(admin["client"].open(path, method=method, headers=admin["headers"]), 404)


def test_integers_beyond_the_columns_in_bodies_and_queries_name_the_field(admin):
    client, headers = admin["client"], admin["headers"]
    body = _error(client.post("/api/v1/mailboxes", json={"server_profile_id": 2**64, "address": "a@b.test"},
                              headers=headers))
    assert "server_profile_id" in body["errors"]["json"]
    body = _error(client.get("/api/v1/mailboxes?page=99999999999999999999", headers=headers))
    assert "page" in body["errors"]["query"]


@pytest.mark.parametrize("value", ["Ann\x00Smith", "Ann\x07", "Ann\ud800"], ids=["nul", "bell", "lone-surrogate"])
def test_unstorable_text_is_refused_naming_the_field(admin, value):
    body = _error(admin["client"].patch("/api/v1/me", json={"name": value}, headers=admin["headers"]))
    assert "name" in body["errors"]["json"]


def test_nul_inside_nested_and_list_fields_is_refused(admin):
    client, headers = admin["client"], admin["headers"]
    body = _error(client.patch("/api/v1/me", json={"settings": {"timezone": "Europe/\x00Paris"}}, headers=headers))
    assert "timezone" in str(body["errors"])
    body = _error(client.put("/api/v1/me/blocklist", json={"entries": ["@a.test", "b\x00@c.test"]}, headers=headers))
    assert "entries" in body["errors"]["json"]


def test_tabs_and_newlines_stay_allowed(admin):
    response = admin["client"].post(f"/api/v1/mailboxes/{admin['mailbox']}/suspend",
                                     json={"reason": "moving\tservers\nback soon"}, headers=admin["headers"])
    assert response.status_code == 200, response.get_json()


def test_escaped_lone_surrogate_in_raw_json_is_refused(admin):
    body = _error(_raw_json(admin, "PATCH", "/api/v1/me", '{"name": "Ann \\udc00"}'))
    assert "surrogate" in body["errors"]["json"]["name"][0]


def test_deeply_nested_json_is_refused_before_parsing(admin):
    body = _error(_raw_json(admin, "PATCH", "/api/v1/me", '{"name": ' + "[" * 5000 + "]" * 5000 + "}"))
    assert "nests deeper" in body["message"]


def test_five_thousand_digit_numbers_are_refused_before_parsing(admin):
    body = _error(_raw_json(admin, "POST", "/api/v1/auth/tokens", '{"expires_in_days": ' + "9" * 5000 + "}"))
    assert "number" in body["message"]


def test_strings_without_a_declared_length_get_the_default_cap(admin):
    body = _error(admin["client"].get("/api/v1/auth/salesforce/callback?state=s&error_description=" + "x" * 40_000))
    assert "error_description" in body["errors"]["query"]


def test_email_addresses_longer_than_the_address_columns_are_refused(admin, app, factory):
    with app.extensions["syncline"].db.session_scope() as s:
        from app.models import Mailbox
        profile_id = s.get(Mailbox, admin["mailbox"]).server_profile_id
    newcomer = factory.user(admin["org"])  # no mailbox yet: the request reaches the insert
    address = "a" * 60 + "@" + ".".join(["b" * 60] * 6) + ".test"
    body = _error(admin["client"].post("/api/v1/mailboxes", json={"server_profile_id": profile_id,
                                                                  "address": address}, headers=factory.auth(newcomer)))
    assert "address" in body["errors"]["json"]


def test_free_form_values_keep_large_numbers_but_not_nul():
    """Record field values go to Salesforce, not to an INTEGER column: a big revenue is fine, a NUL is not."""
    from schemas.records import RecordCreateSchema

    loaded = RecordCreateSchema().load({"fields": {"Name": "Acme", "AnnualRevenue": 5_000_000_000}})
    assert loaded["fields_"]["AnnualRevenue"] == 5_000_000_000
    with pytest.raises(ValidationError) as refused:
        RecordCreateSchema().load({"fields": {"Name": "Ac\x00me"}})
    assert "fields" in refused.value.messages
