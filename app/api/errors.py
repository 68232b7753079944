"""One JSON error shape for every 4xx/5xx: {"code", "message", "errors"}.

Never an HTML page, never a traceback: unexpected exceptions are logged with the request
id and answered with a generic 500 that names that id.
"""
from __future__ import annotations

import logging

from flask import Flask, g, jsonify
from werkzeug.exceptions import HTTPException, InternalServerError

log = logging.getLogger("syncline.api")

_DEFAULT_MESSAGES = {
    400: "The request is malformed.",
    401: "Authentication is required: send 'Authorization: Bearer <token>'.",
    403: "You are not allowed to do this.",
    404: "No such resource.",
    405: "This method is not allowed on this resource.",
    409: "The request conflicts with the current state.",
    413: "The request body is too large.",
    415: "Send the body as application/json.",
    422: "The request body is invalid.",
    429: "Too many requests.",
}


def error_body(code: int, message: str, errors: dict | None = None) -> dict:
    return {"code": code, "message": message, "errors": errors or {}}


def _message_for(exc: HTTPException) -> tuple[str, dict]:
    data = getattr(exc, "data", None) or {}
    errors = data.get("messages") or data.get("errors") or {}
    message = data.get("message")
    if not message and exc.code == 400 and errors:
        message = _summarise(errors)
    if not message:
        described = exc.description if exc.description and exc.description != type(exc).description else None
        message = described or _DEFAULT_MESSAGES.get(exc.code or 500, exc.name)
    return message, errors


def _summarise(errors: dict) -> str:
    """Turn webargs' {"json": {"field": ["msg"]}} into 'field: msg' for humans."""
    parts: list[str] = []

    def walk(node, path):
        if isinstance(node, dict):
            for key, value in node.items():
                walk(value, path + [str(key)] if key not in ("json", "query", "view_args") else path)
        elif isinstance(node, list):
            for item in node:
                walk(item, path)
        else:
            parts.append(f"{'.'.join(path) or 'body'}: {node}")

    walk(errors, [])
    return "Invalid request: " + "; ".join(parts[:5])


def handle_http_exception(exc: HTTPException):
    message, errors = _message_for(exc)
    response = jsonify(error_body(exc.code or 500, message, errors))
    response.status_code = exc.code or 500
    for name, value in (exc.get_headers() or []):
        if name.lower() not in ("content-type", "content-length"):
            response.headers[name] = value
    for name, value in ((getattr(exc, "data", None) or {}).get("headers") or {}).items():
        response.headers[name] = value
    return response


def handle_unexpected(exc: Exception):
    if isinstance(exc, HTTPException):
        return handle_http_exception(exc)
    log.exception("unhandled error", extra={"ctx": {"error_type": type(exc).__name__}})
    request_id = getattr(g, "request_id", "")
    message = f"Internal error; quote request id {request_id} when reporting it."
    response = jsonify(error_body(500, message))
    response.status_code = InternalServerError.code
    return response


def _domain_errors() -> dict[type[Exception], int]:
    """Service exceptions whose message is written for the caller, and the status each means."""
    from app.services.mail_hosts import InvalidEndpoints
    from app.services.mailboxes import InvalidRegistration, MailboxConflict

    return {MailboxConflict: 409, InvalidEndpoints: 400, InvalidRegistration: 400}


def _domain_handler(status: int):
    def handle(exc: Exception):
        response = jsonify(error_body(status, str(exc), getattr(exc, "errors", None)))
        response.status_code = status
        return response

    return handle


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(HTTPException, handle_http_exception)
    for exc_type, status in _domain_errors().items():
        app.register_error_handler(exc_type, _domain_handler(status))
    app.register_error_handler(Exception, handle_unexpected)
