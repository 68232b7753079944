"""Liveness (the process answers) and readiness (database and Redis answer)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import text

from app.runtime import db_session, runtime
from schemas.base import ErrorSchema
from schemas.health import HealthSchema, ReadySchema

blp = Blueprint("health", __name__, url_prefix="", description="Liveness and readiness probes")


def _check_database() -> str:
    db_session().execute(text("SELECT 1"))
    return "ok"


def _check_redis() -> str:
    runtime().redis.client.ping()
    return "ok"


@blp.route("/health")
class Health(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """Liveness: the API process is up."""
        return {"status": "ok"}


@blp.route("/ready")
class Ready(MethodView):
    @blp.response(200, ReadySchema)
    @blp.alt_response(503, schema=ErrorSchema, description="A dependency is down")
    def get(self):
        """Readiness: the database and Redis both answer."""
        checks, failed = {}, {}
        for name, check in (("database", _check_database), ("redis", _check_redis)):
            try:
                checks[name] = check()
            except Exception as exc:  # any failure means "not ready"; the type is enough to act on
                checks[name] = failed[name] = f"unavailable ({type(exc).__name__})"
        if failed:
            abort(503, message="Not ready: " + ", ".join(sorted(failed)) + " unavailable", errors=failed)
        return {"status": "ok", "checks": checks}
