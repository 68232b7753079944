"""Per-request id, one JSON log line per request, Prometheus metrics at /metrics."""
from __future__ import annotations

import logging
import re
import time
import uuid

from flask import Flask, Response, g, request

from app.runtime import runtime

log = logging.getLogger("syncline.request")
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def _begin() -> None:
    incoming = request.headers.get("X-Request-ID", "")
    g.request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else uuid.uuid4().hex
    g.started = time.perf_counter()


def _finish(response: Response) -> Response:
    elapsed = time.perf_counter() - g.get("started", time.perf_counter())
    endpoint = request.url_rule.rule if request.url_rule else "unmatched"
    runtime().metrics.observe(request.method, endpoint, response.status_code, elapsed)
    user = g.get("current_user")
    log.info("request", extra={"ctx": {
        "method": request.method, "path": request.path, "endpoint": endpoint,
        "status": response.status_code, "duration_ms": round(elapsed * 1000, 2),
        "user_id": getattr(user, "id", None), "org_id": getattr(user, "org_id", None),
    }})
    response.headers["X-Request-ID"] = g.get("request_id", "")
    return response


def _metrics() -> Response:
    body, content_type = runtime().metrics.render()
    return Response(body, content_type=content_type)


def init_request_context(app: Flask) -> None:
    app.before_request(_begin)
    app.after_request(_finish)
    app.add_url_rule("/metrics", "metrics", _metrics)
