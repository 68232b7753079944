"""Hostile input end to end (real worker, Dovecot, the emulator): an engine-saved email's HTML
lands sanitised, and a bad identifier stored before validation existed never stops a session."""
from __future__ import annotations

from imapclient import IMAPClient
from sqlalchemy import select

from app.models import ComposeSave
from tests.e2e.helpers import NOW, Person, append_tagged_mail, force_sync, sign_up

HOSTILE_HTML = ('<p>Our offer<script>alert("x")</script></p><img src="x.png" onerror="steal()">'
                '<a href="javascript:steal()">terms</a><a href="https://acme.test/terms">real terms</a>')


def _append_html(person: Person, message_id: str, html: str) -> None:
    raw = (f"From: client@customer.test\r\nTo: {person.user.email}\r\nSubject: Offer\r\n"
           f"Date: {NOW.strftime('%a, %d %b %Y %H:%M:%S +0000')}\r\nMessage-ID: {message_id}\r\n"
           "MIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=b1\r\n\r\n"
           "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nOur offer\r\n"
           f"--b1\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n--b1--\r\n").encode()
    client = IMAPClient("127.0.0.1", person.e2e.dovecot.port, ssl=False)
    try:
        client.login(person.dav.username, person.dav.password)
        client.append("INBOX", raw, flags=["Salesforce"])
    finally:
        client.logout()


def test_engine_saved_email_html_lands_sanitised_in_salesforce(e2e, factory):
    ann = sign_up(e2e, factory)
    _append_html(ann, "<hostile-1@customer.test>", HOSTILE_HTML)
    assert force_sync(ann)["status"] == "succeeded"
    [email] = [m for m in e2e.emu.records(ann.sf_org, "EmailMessage")
               if m.get("MessageIdentifier") == "<hostile-1@customer.test>"]
    html = email["HtmlBody"]
    assert "<script" not in html and "onerror" not in html and "javascript:" not in html
    assert "<p>Our offer</p>" in html and 'href="https://acme.test/terms"' in html
    assert email["TextBody"].strip() == "Our offer"


def test_an_outlook_email_whose_style_head_exceeds_the_field_is_saved_with_its_text(e2e, factory):
    """Outlook/Word mail opens with tens of KB of <style> and MSO markup: cleaned first, the body
    fits; cut first (as before), HtmlBody held nothing but the head of the styles."""
    ann = sign_up(e2e, factory)
    styles = "".join(f"p.MsoNormal{i}, li.MsoNormal{i} {{margin:0cm; font-family:Calibri;}}\r\n" for i in range(700))
    html = (f"<html><head><style>{styles}</style></head><body><p>Quarterly offer attached</p>"
            + "<p>Kind regards, Maria</p>" * 300 + "</body></html>")
    assert len(html) > 32_000 + 10_000
    _append_html(ann, "<outlook-1@customer.test>", html)
    assert force_sync(ann)["status"] == "succeeded"
    [email] = [m for m in e2e.emu.records(ann.sf_org, "EmailMessage")
               if m.get("MessageIdentifier") == "<outlook-1@customer.test>"]
    assert "<p>Quarterly offer attached</p>" in email["HtmlBody"] and "MsoNormal" not in email["HtmlBody"]
    assert email["HtmlBody"].count("Kind regards") == 300 and len(email["HtmlBody"]) <= 32_000


def test_a_stored_compose_save_with_a_nul_message_id_is_skipped_and_the_session_goes_on(e2e, factory):
    ann = sign_up(e2e, factory)
    with e2e.rt.db.session_scope() as s:      # stored before the API validated Message-IDs
        bad = ComposeSave(org_id=ann.user.org_id, user_id=ann.user.id, marker="mk-legacy-0001",
                          message_id="<broken\x00id@acme.test>")
        s.add(bad)
        s.flush()
        bad_id = bad.id
    append_tagged_mail(ann, "<still-saved@customer.test>")
    session = force_sync(ann)
    assert session["status"] == "partial", session
    [error] = [e for e in session["errors"] if e["item"] == f"compose save {bad_id}"]
    assert "message_id" in error["reason"] and f"/compose-saves/{bad_id}" in error["reason"]
    saved = {m["MessageIdentifier"] for m in e2e.emu.records(ann.sf_org, "EmailMessage")}
    assert "<still-saved@customer.test>" in saved
    client = e2e.app.test_client()
    assert client.delete(f"/api/v1/compose-saves/{bad_id}", headers=ann.headers).status_code == 204
    assert force_sync(ann)["status"] == "succeeded"
    with e2e.rt.db.session_scope() as s:
        assert s.scalar(select(ComposeSave).where(ComposeSave.id == bad_id)) is None
