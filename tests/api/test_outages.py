"""A Redis or database outage answers 503 JSON (standard shape, Retry-After), never a 500."""
from __future__ import annotations

import pytest

from app import create_app
from tests.conftest import _clean, make_test_config
from tests.factories import Factory
from tests.realservers.redis_server import RestartableRedis


@pytest.fixture
def outage_app(tmp_path, migrated_databases):
    server = RestartableRedis(str(tmp_path))
    application = create_app(make_test_config(tmp_path, migrated_databases[0]["sqlite"], server.url))
    _clean(application)
    yield application, server
    application.extensions["syncline"].db.dispose()
    server.stop()


def _assert_unavailable(response, what: str) -> None:
    body = response.get_json()
    assert response.status_code == 503, body
    assert body["code"] == 503 and "temporarily unavailable" in body["message"] and what in body["message"]
    assert set(body) == {"code", "message", "errors"}
    assert int(response.headers["Retry-After"]) > 0


def test_redis_down_force_is_503_and_the_dashboard_still_answers_from_sql(outage_app):
    app, server = outage_app
    factory = Factory(app)
    user = factory.user(factory.org())
    mailbox = factory.mailbox(user)
    headers = factory.auth(user)
    client = app.test_client()
    server.stop()
    _assert_unavailable(client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers), "Redis")
    dashboard = client.get("/api/v1/mailboxes/mine/dashboard", headers=headers)
    assert dashboard.status_code == 200 and dashboard.get_json()["progress"] is None
    assert dashboard.get_json()["mailbox"]["status"] == "active"
    server.start()
    assert client.post(f"/api/v1/mailboxes/{mailbox.id}/sync", headers=headers).status_code == 202


def test_database_down_is_503(tmp_path, redis_url):
    config = make_test_config(tmp_path, "postgresql+psycopg://nobody@127.0.0.1:9/none", redis_url)
    client = create_app(config).test_client()
    response = client.get("/api/v1/me", headers={"Authorization": "Bearer slk_whatever"})
    _assert_unavailable(response, "database")
