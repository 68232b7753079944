"""A Redis or database outage answers 503 JSON with Retry-After, never a 500 or a traceback.

Registered next to app.api.errors: the request could not be served because a dependency is
down, so the client should simply try again a little later.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from sqlalchemy.exc import DBAPIError, OperationalError

from app.api.errors import error_body, handle_unexpected

log = logging.getLogger("syncline.api")
RETRY_AFTER_SECONDS = 30


def unavailable(what: str):
    log.warning("dependency unavailable", extra={"ctx": {"dependency": what}})
    message = f"The {what} is temporarily unavailable; try again in {RETRY_AFTER_SECONDS} seconds."
    response = jsonify(error_body(503, message, {"dependency": [what]}))
    response.status_code = 503
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def _redis_down(exc: Exception):
    return unavailable("queue and cache service (Redis)")


def _database_down(exc: Exception):
    """Only a lost or refused connection is an outage; other database errors stay 500s (bugs)."""
    if isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return unavailable("database")
    return handle_unexpected(exc)


def register_outage_handlers(app: Flask) -> None:
    for exc_type in (RedisConnectionError, RedisTimeoutError):
        app.register_error_handler(exc_type, _redis_down)
    app.register_error_handler(DBAPIError, _database_down)
