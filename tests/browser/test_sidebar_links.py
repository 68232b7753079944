"""Links into the web sidebar that `syncline up` prints open the page they name."""
from __future__ import annotations

from tests.browser.conftest import screenshot


def test_a_view_fragment_opens_the_sync_page_signed_in_and_drops_the_token(page, sidebar_server, api_token):
    page.goto(f"{sidebar_server.base_url}/sidebar/#view=dashboard&token={api_token}")
    page.wait_for_selector("#sessions")
    assert page.locator("nav button[data-view=dashboard]").get_attribute("aria-current") == "page"
    assert "token" not in page.url and page.url.endswith("#view=dashboard")
    screenshot(page, "sync-view-link")


def test_an_unknown_view_falls_back_to_the_email_view(page, sidebar_server, api_token):
    page.goto(f"{sidebar_server.base_url}/sidebar/#view=nonsense&token={api_token}")
    page.wait_for_selector("nav button[data-view=item][aria-current=page]")
