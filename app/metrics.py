"""Prometheus metrics at /metrics, one registry per app so tests can build many apps."""
from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "syncline_http_requests_total", "HTTP requests by endpoint and status",
            ["method", "endpoint", "status"], registry=self.registry,
        )
        self.latency = Histogram(
            "syncline_http_request_seconds", "HTTP request latency by endpoint",
            ["method", "endpoint"], registry=self.registry,
        )

    def observe(self, method: str, endpoint: str, status: int, seconds: float) -> None:
        self.requests.labels(method, endpoint, str(status)).inc()
        self.latency.labels(method, endpoint).observe(seconds)

    def render(self) -> tuple[bytes, str]:
        return generate_latest(self.registry), CONTENT_TYPE_LATEST
