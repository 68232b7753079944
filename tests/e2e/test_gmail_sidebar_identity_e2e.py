"""Issue 13 point 4 through the API and the REAL worker: the Chrome sidebar in Gmail sends only Gmail's
message id (``message_ref``); the server reads the message's RFC 822 Message-ID from the user's Google
mailbox, so a sidebar save and the sync's save of the same message (Salesforce label) are ONE
EmailMessage in Salesforce, whichever comes first."""
from __future__ import annotations

from sqlalchemy import select

from app.models import SavedEmail
from tests.e2e.google_world import google_user
from tests.e2e.helpers import force_sync


def _customer(ann) -> str:
    account = ann.e2e.emu.insert(ann.sf_org, "Account", {"Name": "Customer Inc"})
    return ann.e2e.emu.insert(ann.sf_org, "Contact", {"LastName": "Client", "Email": "client@customer.test",
                                                      "AccountId": account})


def _delivered(ann, message_id: str, subject: str = "Offer", labels: tuple[str, ...] = ("INBOX",)) -> str:
    message = ann.store.gmail.add_message(ann.address, {
        "From": "Client <client@customer.test>", "To": ann.address, "Subject": subject, "Message-ID": message_id},
        text="Our offer.", labels=labels)
    return str(message["id"])


def _sidebar_item(ref: str, subject: str = "Offer") -> dict:
    """What extension/chrome/gmail-reader.js sends: Gmail's hex message id, never the Message-ID."""
    return {"kind": "email", "mode": "read", "message_id": None, "message_ref": ref, "thread_id": ref,
            "subject": subject, "from": {"email": "client@customer.test", "name": "Client"},
            "to": [{"email": "someone@example.test"}], "body_text": "Our offer."}


def _sidebar_save(ann, ref: str, who: list[str]):
    return ann.e2e.app.test_client().post("/api/v1/saved-emails", headers=ann.headers, json={
        "item": _sidebar_item(ref), "who_ids": who, "what_id": None, "subject": None, "description": None,
        "attachments": []})


def _email_messages(ann) -> list[dict]:
    return ann.e2e.emu.records(ann.sf_org, "EmailMessage")


def test_a_sidebar_save_from_gmail_then_the_engine_save_make_one_email_message(e2e, factory):
    ann = google_user(e2e, factory)
    contact = _customer(ann)
    assert force_sync(ann)["status"] == "succeeded"          # the first session makes the Salesforce label
    ref = _delivered(ann, "<offer-7@customer.test>")
    saved = _sidebar_save(ann, ref, [contact])
    assert saved.status_code == 201, saved.json
    [record] = _email_messages(ann)
    assert record["MessageIdentifier"] == "<offer-7@customer.test>" and saved.json["record_id"] == record["Id"]
    with e2e.rt.db.session_scope() as s:
        keys = s.scalars(select(SavedEmail.message_id).where(SavedEmail.org_id == ann.user.org_id)).all()
        assert keys == ["offer-7@customer.test"]             # keyed by the Message-ID, not by Gmail's id

    ann.store.gmail.add_labels(ann.address, ref, ("Salesforce",))   # the user also tags it for the sync
    session = force_sync(ann)
    assert session["status"] == "succeeded", session
    assert session["counts"]["mail"]["created"] == 0, session["counts"]
    assert [r["Id"] for r in _email_messages(ann)] == [record["Id"]]


def test_an_engine_save_then_a_sidebar_save_from_gmail_answer_already_saved(e2e, factory):
    ann = google_user(e2e, factory)
    contact = _customer(ann)
    assert force_sync(ann)["status"] == "succeeded"
    ref = _delivered(ann, "<offer-8@customer.test>", labels=("INBOX", "Salesforce"))
    session = force_sync(ann)
    assert session["status"] == "succeeded" and session["counts"]["mail"]["created"] == 1, session["counts"]
    [record] = _email_messages(ann)

    client = e2e.app.test_client()
    related = client.post("/api/v1/related-records", headers=ann.headers, json={"item": _sidebar_item(ref)})
    assert related.status_code == 200, related.json
    assert related.json["saved"]["status"] == "already_saved", related.json["saved"]
    assert related.json["saved"]["record_id"] == record["Id"]
    again = _sidebar_save(ann, ref, [contact])
    assert again.status_code == 200, again.json
    assert (again.json["status"], again.json["record_id"]) == ("already_saved", record["Id"])
    assert [r["Id"] for r in _email_messages(ann)] == [record["Id"]]


def test_a_ref_gmail_does_not_know_is_a_404_and_nothing_is_saved(e2e, factory):
    ann = google_user(e2e, factory)
    contact = _customer(ann)
    for ref in ("18c0ffee00000000", "FMfcgzQgLjNPlfJCVRfnNkPGkLhWClCW"):   # unknown id; the address bar's opaque id
        answer = _sidebar_save(ann, ref, [contact])
        assert answer.status_code == 404, answer.json
        assert answer.json["message"].startswith("Gmail has no such message"), answer.json
    assert _email_messages(ann) == []


def test_gmail_over_quota_is_a_503_to_retry_and_the_retry_saves_once(e2e, factory):
    ann = google_user(e2e, factory)
    contact = _customer(ann)
    ref = _delivered(ann, "<offer-9@customer.test>")
    ann.store.throttle(1, status=429)
    try:
        busy = _sidebar_save(ann, ref, [contact])
    finally:
        ann.store.throttle(0)
    assert busy.status_code == 503 and busy.headers.get("Retry-After"), busy.json
    assert busy.json["errors"] == {"gmail": ["temporary"]}, busy.json
    assert _email_messages(ann) == []
    assert _sidebar_save(ann, ref, [contact]).status_code == 201
    assert [r["MessageIdentifier"] for r in _email_messages(ann)] == ["<offer-9@customer.test>"]


def test_a_revoked_workspace_key_is_a_409_naming_the_google_connection(e2e, factory):
    ann = google_user(e2e, factory)
    contact = _customer(ann)
    ref = _delivered(ann, "<offer-10@customer.test>")
    ann.store.revoke_service_account(ann.key["client_email"])
    answer = _sidebar_save(ann, ref, [contact])
    assert answer.status_code == 409 and "Google connection" in answer.json["message"], answer.json
    assert _email_messages(ann) == []



def test_a_message_without_a_message_id_is_still_one_record_for_the_sidebar_and_the_sync(e2e, factory):
    ann = google_user(e2e, factory)
    contact = _customer(ann)
    assert force_sync(ann)["status"] == "succeeded"
    message = ann.store.gmail.add_message(ann.address, {"From": "client@customer.test", "To": ann.address,
                                                        "Subject": "No id"}, text="Imported.", labels=("INBOX",))
    assert _sidebar_save(ann, message["id"], [contact]).status_code == 201
    ann.store.gmail.add_labels(ann.address, message["id"], ("Salesforce",))
    session = force_sync(ann)
    assert session["status"] == "succeeded" and session["counts"]["mail"]["created"] == 0, session["counts"]
    assert [r["MessageIdentifier"] for r in _email_messages(ann)] == [f"<gmail-{message['id']}@gmail.invalid>"]
