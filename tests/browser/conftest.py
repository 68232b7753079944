"""Browser fixtures: the sidebar served next to the real API, and headless Debian Chromium.

One local site per session: `/sidebar/` is extension/sidebar as files (as the API will
serve it), `/api/v1/...` is the real Flask app, except the endpoints the backend has not
built yet, which `PendingApi` answers. Once the backend lands, drop PendingApi here.
Chromium comes from Debian (scripts/install-test-deps.sh); tests skip when it is missing.
"""
from __future__ import annotations

import base64
import json
import os
import re
import threading
from pathlib import Path

import pytest
from werkzeug.middleware.shared_data import SharedDataMiddleware
from werkzeug.serving import make_server

from app import create_app
from tests.conftest import make_test_config
from tests.factories import Factory

from tests.browser.pending_api import PendingApi

ROOT = Path(__file__).resolve().parents[2]
SIDEBAR = ROOT / "extension" / "sidebar"
CHROMIUM = Path(os.environ.get("SYNCLINE_CHROMIUM", "/usr/lib/chromium/chromium"))
ARTIFACTS = ROOT / "test-artifacts" / "browser"


def chromium_missing_reason() -> str | None:
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install -r requirements-dev.txt)"
    if not CHROMIUM.exists():
        return f"Chromium not found at {CHROMIUM}; run scripts/install-test-deps.sh"
    return None


class Site:
    """API + pending endpoints + static sidebar behind one origin."""

    def __init__(self, api_app, pending: PendingApi | None):
        self.api = api_app
        self.pending = pending
        self.static = SharedDataMiddleware(self._not_found, {"/sidebar": str(SIDEBAR)}, cache=False)

    @staticmethod
    def _not_found(environ, start_response):
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/sidebar/"):
            return self.static(environ, start_response)
        if self.pending is not None and self.pending.handles(path):
            return self.pending(environ, start_response)
        return self.api(environ, start_response)


@pytest.fixture(scope="session")
def api_app(tmp_path_factory, migrated_databases, redis_url):
    application = create_app(make_test_config(tmp_path_factory.mktemp("browser-app"),
                                              migrated_databases[0]["sqlite"], redis_url))
    yield application
    application.extensions["syncline"].db.dispose()


@pytest.fixture(scope="session")
def sidebar_server(api_app):
    """Base URL of the local site; `.pending` is the fake (None once the backend exists)."""
    pending = PendingApi(api_app)
    server = make_server("127.0.0.1", 0, Site(api_app, pending), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.base_url = f"http://127.0.0.1:{server.server_port}"
    server.pending = pending
    yield server
    server.shutdown()
    thread.join(5)


@pytest.fixture
def api_token(api_app):
    """A fresh org, user and Bearer token (the real API's own factories)."""
    factory = Factory(api_app)
    user = factory.user(factory.org("Acme"), email="uma@acme.example")
    return factory.token(user)


@pytest.fixture(scope="session")
def playwright():
    """One Playwright driver per session (the sync API allows only one per thread)."""
    reason = chromium_missing_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright):
    chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
    yield chromium
    chromium.close()


@pytest.fixture
def page(browser, request):
    """A fresh page; its last state is kept as test-artifacts/browser/<test>.png."""
    context = browser.new_context(viewport={"width": 400, "height": 900})
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.js_errors = errors
    yield pg
    screenshot(pg, request.node.name)
    context.close()


def screenshot(pg, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / (re.sub(r"[^\w.-]+", "_", name) + ".png")
    try:
        pg.screenshot(path=str(path), full_page=True)
    except Exception:  # a closed page has nothing to show; the test result says why
        pass
    return path


def item_fragment(item: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(item).encode()).decode().rstrip("=")


def open_sidebar(pg, base_url: str, token: str, item: dict | None, host: str = "web"):
    """Open the sidebar on the web host with an injected item, signed in with `token`."""
    fragment = f"#token={token}" + (f"&item={item_fragment(item)}" if item else "")
    pg.goto(f"{base_url}/sidebar/index.html?host={host}{fragment}")
    pg.wait_for_selector("#nav:not([hidden])")
