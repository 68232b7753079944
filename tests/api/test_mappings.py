"""Mapping tables through the API, validated against the (emulated) org's real describe."""
from __future__ import annotations

import pytest

from app.services.sync_policy import load_table
from app.sync.event.mapping import EVENT_MAPPING
from tests.factories import Factory


@pytest.fixture
def admin(sf_app, salesforce_emulator):
    factory = Factory(sf_app)
    user, sf_org, _ = factory.salesforce_user(salesforce_emulator)
    return sf_app.test_client(), factory.auth(user), user, sf_org, factory


def _rows(table=EVENT_MAPPING):
    return [r.to_dict() for r in table.rows]


def test_lists_the_default_tables(admin):
    client, headers, user, _, _ = admin
    tables = client.get(f"/api/v1/orgs/{user.org_id}/mappings", headers=headers).get_json()
    assert {t["name"] for t in tables} == {"calendar_as_event", "calendar_as_task", "task_as_task",
                                           "contact_as_contact"}
    assert all(t["scope"] == "default" and not t["customized"] for t in tables)


def test_admin_saves_a_table_and_sync_uses_it(admin, sf_app):
    client, headers, user, _, _ = admin
    rows = [r for r in _rows() if r["mailbox_field"] != "location"]
    rows[0]["direction"] = "to_salesforce"
    response = client.put(f"/api/v1/orgs/{user.org_id}/mappings/calendar_as_event", headers=headers,
                          json={"rows": rows})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["scope"] == "org"
    with sf_app.extensions["syncline"].db.session_scope() as s:
        from app.models import User

        table = load_table(s, s.get(User, user.id), "calendar_as_event")
    assert "location" not in {r.mailbox_field for r in table.rows}
    assert table.rows[0].direction.value == "to_salesforce"


@pytest.mark.parametrize("change, fragment", [
    ({"salesforce_field": "Nope__c"}, "Nope__c does not exist"),
    ({"salesforce_field": "IsChild", "transform": "bool", "mailbox_field": "private"}, "cannot be written"),
    ({"transform": "bool"}, "is string"),
    ({"transform": "telepathy"}, "no transform named"),
])
def test_a_row_that_does_not_fit_the_org_is_a_400_naming_the_row(admin, change, fragment):
    client, headers, user, _, _ = admin
    rows = _rows()
    location = next(i for i, r in enumerate(rows) if r["mailbox_field"] == "location")
    rows[location] = {**rows[location], **change}
    response = client.put(f"/api/v1/orgs/{user.org_id}/mappings/calendar_as_event", headers=headers,
                          json={"rows": rows})
    assert response.status_code == 400, response.get_json()
    body = response.get_json()
    assert f"row {location}" in body["message"] and fragment in body["message"]
    assert str(location) in body["errors"]["rows"]


def test_unknown_object_and_unknown_table(admin):
    client, headers, user, _, _ = admin
    response = client.put(f"/api/v1/orgs/{user.org_id}/mappings/calendar_as_event", headers=headers,
                          json={"object_type": "Meeting__c", "rows": _rows()})
    assert response.status_code == 400 and "Meeting__c is not an object" in response.get_json()["message"]
    assert client.get(f"/api/v1/orgs/{user.org_id}/mappings/nope", headers=headers).status_code == 404


def test_describe_is_cached_between_saves(admin, salesforce_emulator):
    client, headers, user, sf_org, _ = admin
    url = f"/api/v1/orgs/{user.org_id}/mappings/calendar_as_event"
    client.put(url, headers=headers, json={"rows": _rows()})
    before = salesforce_emulator.api_calls(sf_org)
    client.put(url, headers=headers, json={"rows": _rows()})
    assert salesforce_emulator.api_calls(sf_org) == before


def test_personal_override_and_admin_lock(admin):
    client, headers, user, _, _ = admin
    rows = [r for r in _rows() if r["mailbox_field"] != "body_text"]
    mine = client.put("/api/v1/me/mappings/calendar_as_event", headers=headers, json={"rows": rows})
    assert mine.status_code == 200 and mine.get_json()["scope"] == "user"
    assert client.get("/api/v1/me/mappings/calendar_as_event", headers=headers).get_json()["scope"] == "user"
    client.patch(f"/api/v1/orgs/{user.org_id}/settings", headers=headers, json={"allow_user_overrides": False})
    assert client.get("/api/v1/me/mappings/calendar_as_event", headers=headers).get_json()["scope"] == "default"
    locked = client.put("/api/v1/me/mappings/calendar_as_event", headers=headers, json={"rows": rows})
    assert locked.status_code == 403


def test_reset_goes_back_to_the_default(admin):
    client, headers, user, _, _ = admin
    url = f"/api/v1/orgs/{user.org_id}/mappings/task_as_task"
    from app.sync.default_mappings import TASK_MAPPING

    client.put(url, headers=headers, json={"rows": _rows(TASK_MAPPING)[:2]})
    assert client.delete(url, headers=headers).status_code == 204
    assert client.get(url, headers=headers).get_json()["scope"] == "default"


def test_without_a_salesforce_connection_the_save_is_a_clear_409(sf_app):
    factory = Factory(sf_app)
    org = factory.org()
    headers = factory.auth(factory.user(org, admin=True))
    response = sf_app.test_client().put(f"/api/v1/orgs/{org.id}/mappings/task_as_task", headers=headers,
                                        json={"rows": [{"mailbox_field": "subject", "salesforce_field": "Subject"}]})
    assert response.status_code == 409 and "sign in" in response.get_json()["message"]


def test_admin_sees_the_orgs_salesforce_connection_and_api_budget(admin):
    client, headers, user, _, _ = admin
    client.get(f"/api/v1/orgs/{user.org_id}/mappings/calendar_as_event", headers=headers)
    client.put(f"/api/v1/orgs/{user.org_id}/mappings/calendar_as_event", headers=headers, json={"rows": _rows()})
    status = client.get(f"/api/v1/orgs/{user.org_id}/salesforce", headers=headers).get_json()
    assert status["connection"] == "connected" and status["paused_until"] is None
    assert status["api_max"] == 100000 and status["api_used"] >= 1 and status["api_reserve"] == 0.2
