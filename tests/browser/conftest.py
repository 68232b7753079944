"""Browser fixtures: the real API (which serves /sidebar/ itself) on the HTTPS Salesforce emulator,
and headless Debian Chromium.

One local site per session: the Flask app exactly as deployed, its Salesforce being the
session's emulator; `Recorder` notes each API call (method, path, JSON) for assertions.
Chromium comes from Debian (scripts/install-test-deps.sh); tests skip when it is missing.
"""
from __future__ import annotations

import base64
import io
import json
import os
import re
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from tests.browser.salesforce_seed import seed_globex, signed_in_user
from tests.conftest import emulator_overrides, make_test_config
from tests.factories import Factory

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


class Recorder:
    """WSGI wrapper that keeps (method, path, json) of every /api/v1 call, in order."""

    def __init__(self, app):
        self.app = app
        self.calls: list[tuple[str, str, dict | None]] = []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path.startswith("/api/v1/"):
            length = int(environ.get("CONTENT_LENGTH") or 0)
            raw = environ["wsgi.input"].read(length) if length else b""
            environ["wsgi.input"] = io.BytesIO(raw)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            self.calls.append((environ["REQUEST_METHOD"], path, body))
        return self.app(environ, start_response)


@pytest.fixture(scope="session")
def sidebar_server(tmp_path_factory, migrated_databases, redis_url, salesforce_emulator):
    """The real API (public URL = this server) on the emulator; `.calls` records API calls."""
    server = make_server("127.0.0.1", 0, lambda environ, start_response: [], threaded=True)
    server.base_url = f"http://127.0.0.1:{server.server_port}"
    server.api_app = create_app(make_test_config(
        tmp_path_factory.mktemp("browser-app"), migrated_databases[0]["sqlite"], redis_url,
        public_url=server.base_url, **emulator_overrides(salesforce_emulator)))
    server.recorder = Recorder(server.api_app)
    server.app = server.recorder
    server.calls = server.recorder.calls
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(5)
    server.api_app.extensions["syncline"].db.dispose()


@pytest.fixture(scope="session")
def api_app(sidebar_server):
    return sidebar_server.api_app


@pytest.fixture
def signed_in(api_app, salesforce_emulator):
    """Uma User, signed in to a fresh emulator org holding the Globex records, with a mailbox and its history."""
    user, sf_org, sf_user = signed_in_user(api_app, salesforce_emulator)
    ids = seed_globex(salesforce_emulator, sf_org)
    factory = Factory(api_app)
    _mailbox_with_history(api_app, factory, user)
    return {"user": user, "sf_org": sf_org, "sf_user": sf_user, "ids": ids, "token": factory.token(user)}


@pytest.fixture
def api_token(signed_in):
    return signed_in["token"]


def _mailbox_with_history(api_app, factory: Factory, user) -> None:
    from app.models import SyncSessionRecord

    mailbox = factory.mailbox(user)
    now = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
    counts = {"created": 2, "updated": 1, "deleted": 0, "skipped": 0, "failed": 1}
    with api_app.extensions["syncline"].db.session_scope() as s:
        s.add(SyncSessionRecord(org_id=user.org_id, mailbox_id=mailbox.id, trigger="scheduled", status="succeeded",
                                job_id="check:seeded", started_at=now - timedelta(minutes=60),
                                finished_at=now - timedelta(minutes=60)))   # an idle check found nothing
        s.add(SyncSessionRecord(org_id=user.org_id, mailbox_id=mailbox.id, trigger="scheduled", status="succeeded",
                                started_at=now - timedelta(minutes=30), finished_at=now - timedelta(minutes=29)))
        s.add(SyncSessionRecord(org_id=user.org_id, mailbox_id=mailbox.id, trigger="scheduled", status="partial",
                                started_at=now, finished_at=now + timedelta(seconds=40),
                                counts={"calendar": counts, "emails": counts},
                                errors=[{"kind": "calendar", "item": "Weekly sync with Globex",
                                         "reason": "FIELD_CUSTOM_VALIDATION_EXCEPTION: Location is required"}]))


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
    context = browser.new_context(viewport={"width": 400, "height": 900}, ignore_https_errors=True)
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
