"""Swagger UI's files served from the installed `swagger-ui-bundle` package, not a CDN.

The docs page at /api/docs must work offline and behind firewalls that block CDNs (it was a
blank page there), and must not load code from a third party into a page that holds a token.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, send_from_directory
from swagger_ui_bundle import swagger_ui_path

ASSETS_URL = "/api/docs/assets/"
MIME_TYPES = {".js": "text/javascript", ".css": "text/css", ".png": "image/png", ".map": "application/json"}


def _asset(filename: str) -> Response:
    suffix = Path(filename).suffix.lower()
    if suffix not in MIME_TYPES:
        abort(404)
    response = send_from_directory(Path(str(swagger_ui_path)), filename, mimetype=MIME_TYPES[suffix], max_age=86400)
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def init_swagger_assets(app: Flask) -> str:
    """Serve the bundle's files under ASSETS_URL; returns that URL for OPENAPI_SWAGGER_UI_URL."""
    app.add_url_rule(ASSETS_URL + "<path:filename>", "swagger_ui_asset", _asset)
    return ASSETS_URL
