"""The packaged Chrome extension, loaded unpacked in headless Chromium, and its Gmail reader."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.browser.conftest import CHROMIUM, ROOT, screenshot

FIXTURE = Path(__file__).parent / "fixtures" / "gmail_thread.html"
READER = ROOT / "extension" / "chrome" / "gmail-reader.js"


@pytest.fixture(scope="module")
def extension_dir(tmp_path_factory, sidebar_server):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, str(ROOT / "extension" / "build.py"), "--api-url", sidebar_server.base_url,
                    "--out", str(out)], check=True, capture_output=True, text=True)
    return out / "chrome"


@pytest.fixture
def extension_context(playwright, extension_dir, tmp_path):
    context = playwright.chromium.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=str(CHROMIUM), headless=True,
        args=[f"--disable-extensions-except={extension_dir}", f"--load-extension={extension_dir}"])
    yield context
    context.close()


def read_fixture(page):
    page.set_content(FIXTURE.read_text())
    page.add_script_tag(path=str(READER))
    return page.evaluate("() => SynclineGmail.readOpenMessage(document)")


def test_gmail_reader_reads_the_newest_expanded_message(page):
    item = read_fixture(page)
    assert item["subject"] == "Re: Invoice 00001026 for the 500-seat renewal"
    assert item["from"] == {"email": "jane.doe@globex.example", "name": "Jane Doe"}
    assert item["to"] == [{"email": "uma@acme.example", "name": "Uma User"}]
    assert [p["email"] for p in item["cc"]] == ["raj@initech.example", "uma@acme.example"]
    assert item["message_ref"] == "18df9a0b1c2d3e47" and item["thread_id"] == "18df9a0b1c2d3e47"
    assert item["message_id"] is None  # Gmail's page never shows the RFC Message-ID
    assert item["date"].startswith("2025-03-03T")
    assert "Please loop in Sam (sam.lee@globex.example) for the\nsignature." not in item["body_text"]
    assert "Please loop in Sam (sam.lee@globex.example) for the signature." in item["body_text"]
    assert item["body_text"].endswith("Jane Doe\nHead of Procurement\nGlobex Corporation\n+1 555 0199")
    assert "attached is the quote" not in item["body_text"]  # quoted history left out


def test_gmail_reader_degrades_when_gmail_changes_its_markup(page):
    page.set_content(FIXTURE.read_text())
    page.evaluate("""() => {
        document.querySelectorAll('tr.ajv').forEach((row) => row.remove());            // no details table
        document.querySelectorAll('[data-legacy-message-id]').forEach((m) => m.removeAttribute('data-legacy-message-id'));
        document.querySelectorAll('.g3').forEach((d) => d.setAttribute('title', 'gestern'));
    }""")
    page.add_script_tag(path=str(READER))
    item = page.evaluate("() => SynclineGmail.readOpenMessage(document)")
    assert item["message_ref"] == format(1792345678901234567, "x")  # from data-message-id="#msg-f:<decimal>"
    assert [p["email"] for p in item["to"]] == ["uma@acme.example", "raj@initech.example"] and item["cc"] == []
    assert item["date"] is None
    page.set_content("<div role=main>Inbox</div>")
    page.add_script_tag(path=str(READER))
    assert page.evaluate("() => SynclineGmail.readOpenMessage(document)") is None


def test_unpacked_extension_worker_starts_and_panel_shows_the_gmail_message(
        extension_context, sidebar_server, api_token):
    context = extension_context
    worker = context.service_workers[0] if context.service_workers else context.wait_for_event("serviceworker")
    extension_id = worker.url.split("/")[2]
    assert worker.url == f"chrome-extension://{extension_id}/background.js"
    worker.evaluate("(token) => chrome.storage.local.set({token})", api_token)

    context.route("https://mail.google.com/**",
                  lambda route: route.fulfill(status=200, content_type="text/html", body=FIXTURE.read_text()))
    gmail = context.new_page()
    gmail.goto("https://mail.google.com/mail/u/0/#inbox/FMfcgzQZTxyzFMfcgzQZTxyz")
    panel = context.new_page()
    panel.set_viewport_size({"width": 400, "height": 900})
    panel.goto(f"chrome-extension://{extension_id}/sidebar/index.html")
    panel.wait_for_selector("#related")
    try:
        assert panel.locator("h1.subject").inner_text() == "Re: Invoice 00001026 for the 500-seat renewal"
        contact = panel.locator(".group[data-type=Contact] .record").first
        assert contact.locator(".record-link").inner_text() == "Jane Doe"
        assert panel.evaluate("() => window.synclineSidebar.host.name") == "chrome"
    finally:
        screenshot(panel, "chrome-extension-panel")
