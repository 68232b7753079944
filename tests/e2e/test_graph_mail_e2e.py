"""Office 365 mail saves through the REAL worker: Graph fake ⇄ `python -m app worker` ⇄ Salesforce
emulator. A categorised message and one filed in the Salesforce folder are saved once (a second
session, and one after the delta tokens expired, save nothing); a Compose-mode save is found in
Sent Items by its marker and a thread set to auto-save in the Inbox by its conversationId."""
from __future__ import annotations

from sqlalchemy import select

from app.models import ComposeSave, SavedEmail
from tests.e2e.helpers import force_sync
from tests.e2e.test_graph_worker_e2e import _office365_user


def _client_contact(ann) -> tuple[str, str]:
    emu = ann.e2e.emu
    account = emu.insert(ann.sf_org, "Account", {"Name": "Customer Inc"})
    return account, emu.insert(ann.sf_org, "Contact", {"LastName": "Client", "Email": "client@customer.test",
                                                       "AccountId": account})


def _saved(ann) -> dict[str, dict]:
    return {m["MessageIdentifier"]: m for m in ann.e2e.emu.records(ann.sf_org, "EmailMessage")}


def test_tagged_and_filed_office365_emails_are_saved_once(e2e, factory):
    ann = _office365_user(e2e, factory)
    account, contact = _client_contact(ann)
    mail, address = e2e.graph.store.mail, ann.user.email
    first = force_sync(ann)          # makes the Salesforce folder and category, as a new user's first sync does
    assert first["status"] == "succeeded", first
    box = mail.user(address)
    folder = next(f["id"] for f in box.folders.values() if f["displayName"] == "Salesforce")
    assert [c["displayName"] for c in box.categories] == ["Salesforce"]
    mail.deliver(address, "inbox", subject="Offer", sender="client@customer.test", to=(address,),
                 body='<html><head><style>p {margin:0}</style></head><body><p>Our <b>offer</b>.</p>'
                      '<img src="x.png" onerror="steal()"></body></html>', content_type="html",
                 internet_message_id="<offer-1@customer.test>", categories=("Salesforce",))
    mail.deliver(address, folder, subject="Contract", sender="client@customer.test", to=(address,),
                 body="Signed.", internet_message_id="<contract-1@customer.test>")
    mail.deliver(address, "inbox", subject="Lunch?", sender="friend@else.test", to=(address,),
                 internet_message_id="<lunch@else.test>")

    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    saved = _saved(ann)
    assert set(saved) == {"<offer-1@customer.test>", "<contract-1@customer.test>"}
    assert (saved["<offer-1@customer.test>"]["TextBody"], saved["<offer-1@customer.test>"]["RelatedToId"]) == (
        "Our offer.", account)
    html = saved["<offer-1@customer.test>"]["HtmlBody"]      # Outlook's formatting kept, and cleaned
    assert "<p>Our <b>offer</b>.</p>" in html and "onerror" not in html and "margin" not in html, html
    assert "<div>Signed.</div>" in saved["<contract-1@customer.test>"]["HtmlBody"], "a text body comes back as HTML"
    with e2e.rt.db.session_scope() as s:
        assert s.scalar(select(SavedEmail.status).where(SavedEmail.message_id == "offer-1@customer.test")) == "saved"

    again = force_sync(ann)
    assert again["status"] == "succeeded" and again["counts"]["mail"]["created"] == 0, again["counts"]
    mail.expire_delta_tokens()       # 410 on every delta link: a full listing, deduplicated by Message-ID
    resynced = force_sync(ann)
    assert resynced["status"] == "succeeded" and resynced["counts"]["mail"]["created"] == 0, resynced["counts"]
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 2


def test_compose_mode_and_thread_autosaves_are_found_in_sent_items_and_the_inbox(e2e, factory):
    ann = _office365_user(e2e, factory)
    account, contact = _client_contact(ann)
    opportunity = e2e.emu.insert(ann.sf_org, "Opportunity", {"Name": "Deal", "StageName": "Prospecting",
                                                             "CloseDate": "2030-01-01", "AccountId": account})
    client = e2e.app.test_client()
    response = client.post("/api/v1/compose-saves", headers=ann.headers, json={
        "marker": "mk-o365-0001", "message_id": None, "who_ids": [contact], "what_id": opportunity})
    assert response.status_code == 202, response.json
    assert client.put("/api/v1/thread-autosaves/AAQkADdeal-thread==", json={},
                      headers=ann.headers).status_code == 204
    mail, address = e2e.graph.store.mail, ann.user.email
    mail.deliver(address, "inbox", subject="Re: Deal", sender="client@customer.test", to=(address,),
                 internet_message_id="<reply-1@customer.test>", conversation_id="AAQkADdeal-thread==")
    mail.deliver(address, "sentitems", subject="Proposal", sender=address, to=("client@customer.test",),
                 body="Here it is.", internet_message_id="<sent-1@contoso.test>",
                 headers={"X-Syncline-Save": "mk-o365-0001"})
    mail.deliver(address, "sentitems", subject="Other", sender=address, to=("client@customer.test",),
                 internet_message_id="<sent-2@contoso.test>")

    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    saved = _saved(ann)
    assert set(saved) == {"<sent-1@contoso.test>", "<reply-1@customer.test>"}
    assert saved["<sent-1@contoso.test>"]["RelatedToId"] == opportunity
    assert saved["<reply-1@customer.test>"]["ThreadIdentifier"] == "AAQkADdeal-thread=="
    assert saved["<reply-1@customer.test>"]["RelatedToId"] == opportunity   # the Account's open Opportunity (default rule)
    with e2e.rt.db.session_scope() as s:
        assert s.scalar(select(ComposeSave.status).where(ComposeSave.marker == "mk-o365-0001")) == "saved"
    assert force_sync(ann)["counts"]["mail"]["created"] == 0
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 2
