"""JSON request logs with a request id, Prometheus metrics, readiness that notices Redis down."""
from __future__ import annotations

import json

from app import create_app
from tests.conftest import make_test_config


def test_one_json_log_line_per_request_with_request_id(sqlite_app, capsys):
    client = sqlite_app.test_client()
    response = client.get("/api/v1/health", headers={"X-Request-ID": "req-123"})
    assert response.headers["X-Request-ID"] == "req-123"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith("{")]
    request_lines = [line for line in lines if line["msg"] == "request"]
    assert len(request_lines) == 1
    entry = request_lines[0]
    assert entry["request_id"] == "req-123" and entry["status"] == 200 and entry["path"] == "/api/v1/health"
    assert "duration_ms" in entry


def test_unsafe_request_id_is_replaced(sqlite_app):
    response = sqlite_app.test_client().get("/api/v1/health", headers={"X-Request-ID": "bad id; with spaces"})
    assert response.headers["X-Request-ID"] != "bad id; with spaces"
    assert len(response.headers["X-Request-ID"]) == 32


def test_metrics_count_requests_by_endpoint(sqlite_app):
    client = sqlite_app.test_client()
    client.get("/api/v1/health")
    client.get("/api/v1/me")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'syncline_http_requests_total{endpoint="/api/v1/health",method="GET",status="200"} 1.0' in text
    assert 'endpoint="/api/v1/me",method="GET",status="401"' in text


def test_ready_checks_database_and_redis(sqlite_app):
    body = sqlite_app.test_client().get("/api/v1/ready").get_json()
    assert body == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_ready_is_503_when_redis_is_down(tmp_path, migrated_databases):
    config = make_test_config(tmp_path, migrated_databases[0]["sqlite"], "unix:///nonexistent/redis.sock")
    response = create_app(config).test_client().get("/api/v1/ready")
    assert response.status_code == 503
    body = response.get_json()
    assert body["code"] == 503 and "redis" in body["message"] and "redis" in body["errors"]


def test_openapi_and_docs_are_served(sqlite_app):
    client = sqlite_app.test_client()
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/v1/orgs/{org_id}/settings" in spec["paths"]
    assert spec["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"
    patch = spec["paths"]["/api/v1/orgs/{org_id}/settings"]["patch"]
    assert patch["security"] == [{"bearerAuth": []}]
    assert client.get("/api/docs").status_code == 200
