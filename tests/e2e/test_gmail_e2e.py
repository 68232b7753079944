"""Gmail saves through the REAL worker: Google fake ⇄ `python -m app worker` ⇄ Salesforce emulator.
A message labelled `Salesforce` is saved once (a second session, and one after the history id
expired, save nothing); a Compose-mode save is found in SENT by its marker and a thread set to
auto-save in the INBOX by its Gmail threadId."""
from __future__ import annotations

from sqlalchemy import select

from app.models import ComposeSave, SavedEmail
from tests.e2e.helpers import force_sync
from tests.e2e.test_google_worker_e2e import _workspace_user


def _client_contact(ann) -> tuple[str, str]:
    emu = ann.e2e.emu
    account = emu.insert(ann.sf_org, "Account", {"Name": "Customer Inc"})
    return account, emu.insert(ann.sf_org, "Contact", {"LastName": "Client", "Email": "client@customer.test",
                                                       "AccountId": account})


def _saved(ann) -> dict[str, dict]:
    return {m["MessageIdentifier"]: m for m in ann.e2e.emu.records(ann.sf_org, "EmailMessage")}


def _headers(subject: str, message_id: str, sender: str = "Client <client@customer.test>", **extra) -> dict:
    return {"From": sender, "To": "ann@example.test", "Subject": subject, "Message-ID": message_id, **extra}


def test_a_labelled_gmail_message_is_saved_once(e2e, factory):
    ann = _workspace_user(e2e, factory)
    account, _ = _client_contact(ann)
    gmail, address = e2e.google.store.gmail, ann.user.email
    first = force_sync(ann)          # makes the Salesforce label, as a new user's first sync does
    assert first["status"] == "succeeded", first
    assert "Salesforce" in [label["name"] for label in gmail.box(address).labels.values()]
    gmail.add_message(address, _headers("Offer", "<offer-1@customer.test>"), text="Our offer.",
                      labels=("INBOX", "Salesforce"))
    gmail.add_message(address, _headers("Lunch?", "<lunch@else.test>", sender="friend@else.test"))

    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    saved = _saved(ann)
    assert set(saved) == {"<offer-1@customer.test>"}
    assert (saved["<offer-1@customer.test>"]["TextBody"], saved["<offer-1@customer.test>"]["RelatedToId"]) == (
        "Our offer.", account)
    with e2e.rt.db.session_scope() as s:
        assert s.scalar(select(SavedEmail.status).where(SavedEmail.message_id == "offer-1@customer.test")) == "saved"

    again = force_sync(ann)
    assert again["status"] == "succeeded" and again["counts"]["mail"]["created"] == 0, again["counts"]
    gmail.forget_history(address)    # 404 on the stored history id: a full listing, deduplicated by Message-ID
    resynced = force_sync(ann)
    assert resynced["status"] == "succeeded" and resynced["counts"]["mail"]["created"] == 0, resynced["counts"]
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 1


def test_compose_mode_and_thread_autosaves_are_found_in_sent_and_the_inbox(e2e, factory):
    ann = _workspace_user(e2e, factory)
    account, contact = _client_contact(ann)
    opportunity = e2e.emu.insert(ann.sf_org, "Opportunity", {"Name": "Deal", "StageName": "Prospecting",
                                                             "CloseDate": "2030-01-01", "AccountId": account})
    client = e2e.app.test_client()
    response = client.post("/api/v1/compose-saves", headers=ann.headers, json={
        "marker": "mk-gmail-0001", "message_id": None, "who_ids": [contact], "what_id": opportunity})
    assert response.status_code == 202, response.json
    assert client.put("/api/v1/thread-autosaves/18c0dea1thread", json={}, headers=ann.headers).status_code == 204
    gmail, address = e2e.google.store.gmail, ann.user.email
    gmail.add_message(address, _headers("Re: Deal", "<reply-1@customer.test>"), thread_id="18c0dea1thread")
    gmail.add_message(address, _headers("Proposal", "<sent-1@example.test>", sender=address,
                                        **{"X-Syncline-Save": "mk-gmail-0001"}), text="Here it is.", labels=("SENT",))
    gmail.add_message(address, _headers("Other", "<sent-2@example.test>", sender=address), labels=("SENT",))

    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    saved = _saved(ann)
    assert set(saved) == {"<sent-1@example.test>", "<reply-1@customer.test>"}
    assert saved["<sent-1@example.test>"]["RelatedToId"] == opportunity
    assert saved["<reply-1@customer.test>"]["ThreadIdentifier"] == "18c0dea1thread"
    with e2e.rt.db.session_scope() as s:
        assert s.scalar(select(ComposeSave.status).where(ComposeSave.marker == "mk-gmail-0001")) == "saved"
    assert force_sync(ann)["counts"]["mail"]["created"] == 0
    assert len(e2e.emu.records(ann.sf_org, "EmailMessage")) == 2
