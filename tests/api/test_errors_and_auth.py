"""Bad input and bad credentials: always the JSON error shape, with a message naming the problem."""
from __future__ import annotations

from datetime import timedelta

from app.models import ApiToken
from app.models.base import utcnow
from app.security.api_tokens import hash_token


def _assert_error(response, status: int, fragment: str):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"code", "message", "errors"}
    assert body["code"] == status
    assert fragment.lower() in body["message"].lower(), body["message"]
    return body


def test_missing_token_is_401_with_challenge(client):
    response = client.get("/api/v1/me")
    _assert_error(response, 401, "authorization")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_wrong_scheme_is_401(client):
    _assert_error(client.get("/api/v1/me", headers={"Authorization": "Basic abc"}), 401, "Bearer <token>")


def test_unknown_token_is_401(client):
    _assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer slk_nope"}), 401, "invalid")


def test_expired_token_is_401(client, factory, app):
    user = factory.user(factory.org())
    token = factory.token(user, ttl_days=1)
    with app.extensions["syncline"].db.session_scope() as s:
        row = s.query(ApiToken).filter_by(token_hash=hash_token(token)).one()
        row.expires_at = utcnow() - timedelta(seconds=1)
    _assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401, "expired")


def test_revoked_token_is_401(client, factory):
    user = factory.user(factory.org())
    headers = factory.auth(user)
    listed = client.get("/api/v1/auth/tokens", headers=headers).get_json()
    assert client.delete(f"/api/v1/auth/tokens/{listed[0]['id']}", headers=headers).status_code == 204
    _assert_error(client.get("/api/v1/me", headers=headers), 401, "revoked")


def test_disabled_user_is_403(client, factory, app):
    admin = factory.user(org := factory.org(), admin=True)
    user = factory.user(org)
    headers = factory.auth(user)
    client.patch(f"/api/v1/users/{user.id}", json={"is_active": False}, headers=factory.auth(admin))
    _assert_error(client.get("/api/v1/me", headers=headers), 403, "disabled")


def test_malformed_json_is_400(client, factory):
    headers = {**factory.auth(factory.user(factory.org())), "Content-Type": "application/json"}
    body = _assert_error(client.patch("/api/v1/me", data="{not json", headers=headers), 400, "invalid")
    assert "json" in str(body["errors"]).lower()


def test_unknown_field_is_400_naming_it(client, factory):
    headers = factory.auth(factory.user(factory.org()))
    body = _assert_error(client.patch("/api/v1/me", json={"nickname": "x"}, headers=headers), 400, "nickname")
    assert "nickname" in str(body["errors"])


def test_wrong_type_is_400_naming_the_field(client, factory):
    admin = factory.user(factory.org(), admin=True)
    _assert_error(client.patch(f"/api/v1/orgs/{admin.org_id}/settings", json={"sync_interval_minutes": "soon"},
                               headers=factory.auth(admin)), 400, "sync_interval_minutes")


def test_out_of_range_value_is_400(client, factory):
    admin = factory.user(factory.org(), admin=True)
    _assert_error(client.patch(f"/api/v1/orgs/{admin.org_id}/settings", json={"sync_interval_minutes": 1},
                               headers=factory.auth(admin)), 400, "sync_interval_minutes")


def test_oversized_body_is_413(client, factory, app):
    headers = factory.auth(factory.user(factory.org()))
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 1)
    _assert_error(client.patch("/api/v1/me", json={"name": big}, headers=headers), 413, "too large")


def test_unknown_route_is_json_404(client):
    _assert_error(client.get("/api/v1/nothing-here"), 404, "")


def test_wrong_method_is_json_405(client):
    _assert_error(client.delete("/api/v1/health"), 405, "")


def test_unexpected_error_is_json_500_without_traceback(client, factory, monkeypatch):
    import app.api.me as me_module

    def explode(_user):
        raise RuntimeError("kaboom secret-internal-detail")

    monkeypatch.setattr(me_module, "me_view", explode)
    response = client.get("/api/v1/me", headers=factory.auth(factory.user(factory.org())))
    body = _assert_error(response, 500, "request id")
    assert "kaboom" not in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)
    assert response.headers["X-Request-ID"] in body["message"]
