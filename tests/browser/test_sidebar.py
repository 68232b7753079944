"""The shared sidebar on the web host, against the real API and the HTTPS Salesforce emulator."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from tests.browser.conftest import open_sidebar, screenshot


def thread_autosaves(server, user_id: int) -> list[str]:
    from sqlalchemy import select

    from app.models import ThreadAutosave

    with server.api_app.extensions["syncline"].db.session_scope() as s:
        return list(s.scalars(select(ThreadAutosave.thread_id).where(ThreadAutosave.user_id == user_id)))

EMAIL = {
    "kind": "email", "mode": "read", "message_id": "<CAF=q1@mail.globex.example>", "message_ref": "18d4c2a9f0e1b2c3",
    "thread_id": "18d4c2a9f0e1b2c3", "subject": "Re: Invoice 00001026 for the 500-seat renewal",
    "from": {"email": "Jane.Doe@globex.example", "name": "Jane Doe"},
    "to": [{"email": "uma@acme.example", "name": "Uma User"}], "cc": [], "attendees": [],
    "date": "2025-03-03T08:15:00Z", "ical_uid": None,
    "body_text": "Hi Uma,\nplease loop in Sam (sam.lee@globex.example).\n\n--\nSam Lee\nCFO\nGlobex Corporation\n+1 555 0100",
}


def test_related_records_are_grouped_with_reasons_and_signature_suggestions(page, sidebar_server, api_token):
    open_sidebar(page, sidebar_server.base_url, api_token, EMAIL)
    page.wait_for_selector("#related")
    contact = page.locator(".group[data-type=Contact] .record").first
    assert contact.locator(".record-link").inner_text() == "Jane Doe"
    assert "Email address matches: jane.doe@globex.example" in contact.locator(".reason").all_inner_texts()
    account = page.locator(".group[data-type=Account] .reason").first.inner_text()
    assert account == "Account for the sender's domain: globex.example"
    assert page.locator(".group[data-type=Case] .reason").first.inner_text() == "Number in the subject: 00001026"
    assert page.locator(".group[data-type=User] .record-link").inner_text() == "Uma User"
    suggestion = page.locator("#suggested .suggestion")
    assert suggestion.locator("strong").inner_text() == "Sam Lee"
    assert "CFO" in suggestion.locator(".detail").inner_text()
    assert page.js_errors == []


def test_save_email_then_already_saved_on_second_try(page, sidebar_server, api_token):
    item = {**EMAIL, "message_id": "<save-twice@globex.example>"}
    open_sidebar(page, sidebar_server.base_url, api_token, item)
    page.click("#save-email")
    dialog = page.locator("dialog[open]")
    assert dialog.locator("input[name=who]:checked").count() == 1  # Jane: her address matches
    dialog.locator("input[name=subject]").fill("Invoice 00001026")
    screenshot(page, "save-dialog")
    dialog.locator("#save-confirm").click()
    page.wait_for_selector("#saved-state")
    assert page.locator("#saved-state strong").inner_text() == "Saved in Salesforce"
    method, path, body = sidebar_server.calls[-1]
    assert (method, path) == ("POST", "/api/v1/saved-emails")
    assert body["subject"] == "Invoice 00001026" and len(body["who_ids"]) == 1 and body["who_ids"][0].startswith("003")
    assert body["what_id"].startswith("001") and body["attachments"] == []

    # Second try, as after reopening: the sidebar knows, and a second Save answers already_saved.
    page.reload()
    page.wait_for_selector("#saved-state")
    assert page.locator("#saved-state strong").inner_text() == "Already saved in Salesforce"
    assert page.locator("#save-email").count() == 0
    page.evaluate("""async () => {
        const r = await window.synclineSidebar.api.post('/saved-emails', {item: {message_id: '<save-twice@globex.example>'},
          who_ids: [], what_id: null, subject: '', description: '', attachments: []});
        document.body.dataset.second = `${r.status} ${r.data.status}`;
    }""")
    assert page.locator("body").get_attribute("data-second") == "200 already_saved"


def test_lead_and_contact_together_are_refused_before_sending(page, sidebar_server, api_token):
    item = {**EMAIL, "cc": [{"email": "raj@initech.example", "name": "Raj"}], "message_id": "<lead@x>"}
    open_sidebar(page, sidebar_server.base_url, api_token, item)
    page.click("#save-email")
    page.locator("dialog[open] input[name=who]").nth(1).check()
    page.click("#save-confirm")
    assert "one Lead" in page.locator("dialog[open] .notice.error").inner_text()


def test_create_contact_warns_about_duplicates_then_creates(page, sidebar_server, api_token):
    open_sidebar(page, sidebar_server.base_url, api_token, EMAIL)
    page.click("#new-record")
    form = page.locator("dialog[open]")
    form.locator("input[name=FirstName]").fill("Jane")
    form.locator("input[name=LastName]").fill("Doe")
    form.locator("input[name=Email]").fill("jane.doe@globex.example")
    form.locator("#create-confirm").click()
    warning = page.wait_for_selector("#duplicate-warning")
    assert "Jane Doe" in warning.inner_text()
    screenshot(page, "duplicate-warning")

    form.locator("input[name=Email]").fill("j.doe@globex.example")
    form.locator("input[name=FirstName]").fill("Janet")
    form.locator("#create-confirm").click()
    page.wait_for_selector("dialog:not([open])", state="attached")
    created = page.locator(".group[data-type=Contact] .record", has_text="Janet Doe")
    assert created.locator(".reason").inner_text() == "Linked by you"


def test_suggested_person_prefills_the_create_form(page, sidebar_server, api_token):
    open_sidebar(page, sidebar_server.base_url, api_token, EMAIL)
    page.click("#suggested .create-lead")
    form = page.locator("dialog[open]")
    assert form.locator("#create-type").input_value() == "Lead"
    assert form.locator("input[name=LastName]").input_value() == "Lee"
    assert form.locator("input[name=Company]").input_value() == "Globex Corporation"
    assert form.locator("input[name=Email]").input_value() == "sam.lee@globex.example"


def test_search_links_a_record_by_hand(page, sidebar_server, api_token):
    open_sidebar(page, sidebar_server.base_url, api_token, EMAIL)
    page.fill("#search-q", "raj")
    page.click("form.search button[type=submit]")
    page.click("#search-results .link-record")
    lead = page.locator(".group[data-type=Lead] .record")
    assert lead.locator(".record-link").inner_text() == "Raj Patel"


def test_thread_autosave_toggle_puts_and_deletes(page, sidebar_server, signed_in):
    item = {**EMAIL, "thread_id": "thread-toggle-1"}
    open_sidebar(page, sidebar_server.base_url, signed_in["token"], item)
    page.check("#thread-autosave")
    page.wait_for_selector("text=On: the sync saves new emails in this thread.")
    assert thread_autosaves(sidebar_server, signed_in["user"].id) == ["thread-toggle-1"]
    page.reload()
    assert page.wait_for_selector("#thread-autosave").is_checked()
    page.uncheck("#thread-autosave")
    page.wait_for_selector(".toggle-status:text('Off.')")
    assert sidebar_server.calls[-1][:2] == ("DELETE", "/api/v1/thread-autosaves/thread-toggle-1")


def test_meeting_is_saved_via_sync(page, sidebar_server, api_token):
    meeting = {**EMAIL, "kind": "meeting", "ical_uid": "040000008200E00074C5B7101A82E008", "message_id": None,
               "attendees": [{"email": "jane.doe@globex.example"}], "to": []}
    open_sidebar(page, sidebar_server.base_url, api_token, meeting)
    page.click("#save-meeting")
    page.click("#save-confirm")
    page.wait_for_selector("text=The next sync saves this meeting in Salesforce.")
    _, path, body = sidebar_server.calls[-1]
    assert path == "/api/v1/meeting-saves" and body["ical_uid"] == meeting["ical_uid"]


def test_dashboard_warns_when_salesforce_changes_stopped_reaching_the_org(page, sidebar_server, signed_in, api_app):
    from app.models import OrgFeedState, SalesforceConnection
    from app.models.base import utcnow

    rt = api_app.extensions["syncline"]
    with rt.db.session_scope() as s:       # the org has a change loop, and its org-wide connection broke
        s.add(OrgFeedState(org_id=signed_in["user"].org_id, sobject="Event", polled_at=utcnow(), seen={}, epoch=1))
        conn = s.query(SalesforceConnection).filter_by(org_id=signed_in["user"].org_id, is_org_default=True).one()
        conn.status, conn.status_reason = "needs_reauth", "invalid_grant"
    open_sidebar(page, sidebar_server.base_url, signed_in["token"], None)
    page.click("nav button[data-view=dashboard]")
    page.wait_for_selector("#salesforce-changes")
    text = page.locator("#salesforce-changes").inner_text()
    assert "needs_reauth" in text and "an admin signs in with Salesforce" in text


def test_dashboard_shows_sessions_errors_and_suspends(page, sidebar_server, api_token):
    open_sidebar(page, sidebar_server.base_url, api_token, None)
    page.click("nav button[data-view=dashboard]")
    page.wait_for_selector("#sessions")
    assert "Location is required" in page.locator(".error-item").first.inner_text()
    assert page.locator(".session .counts").last.inner_text() == "checked, nothing changed"
    folders = page.locator("#folders").inner_text()   # an IMAP-only profile: no DAV folders
    assert "mail: synced" in folders and "calendar: not available on this server" in folders
    page.click("#force-sync")
    page.wait_for_selector("text=Sync requested")
    page.click("#suspend-sync")
    page.wait_for_selector("#resume-sync")
    assert page.locator("#mailbox-state .badge").inner_text() == "suspended"
    screenshot(page, "dashboard-suspended")
    page.click("#resume-sync")
    page.wait_for_selector("#suspend-sync")


def test_settings_save_through_the_real_me_endpoint_and_blocklist(page, sidebar_server, api_token):
    open_sidebar(page, sidebar_server.base_url, api_token, None)
    page.click("nav button[data-view=settings]")
    page.select_option("select[name=sync_tasks]", "off")
    page.fill("input[name=timezone]", "Europe/Vilnius")
    page.click("#sync-settings button[type=submit]")
    page.wait_for_selector("text=Settings saved.")
    me = page.evaluate("() => window.synclineSidebar.api.get('/me')")
    assert me["settings"]["sync_tasks"] == "off" and me["settings"]["timezone"] == "Europe/Vilnius"
    for entry in ("@Personal.example", r"/^NoReply@\S+$/"):
        page.fill("input[name=entry]", entry)
        page.click(".blocklist-form .row button")
    page.click(".blocklist-form button[type=submit]")
    page.wait_for_selector("text=Blocklist saved.")
    blocklist = page.evaluate("() => window.synclineSidebar.api.get('/me/blocklist')")
    assert blocklist == {"entries": ["@personal.example", r"/^NoReply@\S+$/"]}
    page.fill("input[name=entry]", "/(a+)+@/")
    page.click(".blocklist-form .row button")
    page.click(".blocklist-form button[type=submit]")
    page.wait_for_selector("text=repetition inside a repetition")


def test_invalid_token_shows_sign_in(page, sidebar_server):
    page.goto(f"{sidebar_server.base_url}/sidebar/index.html?host=web#token=slk_not-a-real-token")
    page.wait_for_selector("#sign-in")
    assert "invalid" in page.locator(".notice").first.inner_text()
    assert "token" not in page.url  # the token never stays in the address bar


def test_server_text_is_never_parsed_as_html(page, sidebar_server, api_token):
    hostile = {**EMAIL, "subject": "<img src=x onerror=\"document.body.dataset.pwned=1\">Hi", "message_id": "<xss@x>"}
    open_sidebar(page, sidebar_server.base_url, api_token, hostile)
    page.wait_for_selector("#related")
    assert page.locator("h1.subject").inner_text().startswith("<img")
    assert page.locator("body").get_attribute("data-pwned") is None
    assert page.locator("main img").count() == 0


def test_web_host_takes_an_item_by_post_message(page, sidebar_server, api_token):
    open_sidebar(page, sidebar_server.base_url, api_token, None)
    page.wait_for_selector("text=Open an email or a meeting")
    page.evaluate("(item) => window.postMessage({type: 'syncline:item', item}, location.origin)", EMAIL)
    page.wait_for_selector("#related")
    assert page.locator("h1.subject").inner_text() == EMAIL["subject"]


def test_sign_in_goes_through_the_api_login_and_comes_back_with_a_token(page, sidebar_server, salesforce_emulator):
    # The whole chain: API login → the emulator's authorize page → API callback → return_to#token=.
    emu = salesforce_emulator
    org = emu.create_org(name="Signin Co")
    emu.set_login_user(org, emu.create_user(org, email="sue@signin.example", admin=True, first_name="Sue",
                                            username=f"sue-{sidebar_server.server_port}@signin.example"))
    seen = []
    page.on("request", lambda request: seen.append(request.url) if "/auth/salesforce/" in request.url else None)
    page.goto(f"{sidebar_server.base_url}/sidebar/index.html?host=web")
    page.click("#sign-in")
    page.wait_for_selector("#nav:not([hidden])")
    assert parse_qs(urlsplit(seen[0]).query)["return_to"] == [f"{sidebar_server.base_url}/sidebar/index.html?host=web"]
    assert any("/auth/salesforce/callback?" in url for url in seen)
    assert "token" not in page.url
    token = page.evaluate("() => localStorage.getItem('syncline.token')")
    assert token.startswith("slk_")
    me = page.evaluate("() => window.synclineSidebar.api.get('/me')")
    assert me["email"] == "sue@signin.example"


def test_admin_locked_sync_settings_are_read_only(page, sidebar_server, api_app):
    from app.models import Org
    from tests.factories import Factory

    factory = Factory(api_app)
    org = factory.org("Locked Co")
    with api_app.extensions["syncline"].db.session_scope() as session:
        session.get(Org, org.id).settings = {"allow_user_overrides": False}
    token = factory.token(factory.user(org))
    open_sidebar(page, sidebar_server.base_url, token, None)
    page.click("nav button[data-view=settings]")
    page.wait_for_selector("text=Your admin manages these sync settings")
    assert all(s.is_disabled() for s in page.locator("#sync-settings select").all())
    page.fill("input[name=timezone]", "Europe/Paris")  # the time zone stays personal
    page.click("#sync-settings button[type=submit]")
    page.wait_for_selector("text=Settings saved.")
