"""The sidebar's files at /sidebar/ (Outlook task pane, web host) and CORS for browser extensions.

ES modules need `text/javascript`; Outlook on the web frames outlook.html, which only a
`frame-ancestors` header allows (a <meta> CSP cannot say it), every other page refuses
foreign framing. CORS answers only the configured extension origins, never with credentials.
"""
from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, abort, redirect, request, send_from_directory

SIDEBAR_DIR = Path(__file__).resolve().parents[2] / "extension" / "sidebar"
MIME_TYPES = {".js": "text/javascript", ".mjs": "text/javascript", ".html": "text/html", ".css": "text/css",
              ".json": "application/json", ".png": "image/png", ".svg": "image/svg+xml", ".ico": "image/x-icon"}
OUTLOOK_PAGES = {"outlook.html", "outlook-commands.html", "auth-done.html"}
OUTLOOK_ANCESTORS = ("'self' https://*.office.com https://*.office365.com https://*.outlook.com "
                     "https://outlook.live.com https://*.microsoft.com https://*.cloud.microsoft")
CORS_METHODS = "GET, POST, PUT, PATCH, DELETE"
CORS_HEADERS = "Authorization, Content-Type, Accept"


def _sidebar_file(filename: str = "index.html") -> Response:
    suffix = Path(filename).suffix.lower()
    if suffix not in MIME_TYPES:
        abort(404)
    response = send_from_directory(SIDEBAR_DIR, filename, mimetype=MIME_TYPES[suffix], max_age=300)
    response.headers["X-Content-Type-Options"] = "nosniff"
    if suffix == ".html":
        ancestors = OUTLOOK_ANCESTORS if Path(filename).name in OUTLOOK_PAGES else "'self'"
        response.headers["Content-Security-Policy"] = f"frame-ancestors {ancestors}"
        response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _cors(origins: frozenset[str]):
    def add_headers(response: Response) -> Response:
        origin = request.headers.get("Origin", "")
        if request.path.startswith("/api/") and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            response.headers["Access-Control-Allow-Headers"] = CORS_HEADERS
            response.headers["Access-Control-Max-Age"] = "600"
            response.vary.add("Origin")
        return response

    return add_headers


def init_sidebar(app: Flask, extension_origins: tuple[str, ...]) -> None:
    """Serve extension/sidebar/ at /sidebar/ and answer CORS for the configured extension origins."""
    app.add_url_rule("/sidebar", "sidebar_root", lambda: redirect("/sidebar/", code=301))
    app.add_url_rule("/sidebar/", "sidebar_index", _sidebar_file)
    app.add_url_rule("/sidebar/<path:filename>", "sidebar_file", _sidebar_file)
    app.after_request(_cors(frozenset(extension_origins)))
