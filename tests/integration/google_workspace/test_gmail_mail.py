"""GmailMail against the Google fake: the Salesforce label created, first listing then history,
an expired history id, Compose saves from SENT, thread auto-save from INBOX, bodies only for saves."""
from __future__ import annotations

import pytest

from app.providers.google import GmailOptions, build_google_mailbox
from app.sync.errors import CursorExpired, FolderUnavailable
from app.sync.items import FolderKind
from sandbox.google.store import CALENDAR_SCOPES
from tests.integration.google_workspace.conftest import WINDOW, google_settings

MAIL = FolderKind.MAIL


@pytest.fixture
def gmail(google_fake, service_key, google_user):
    def build(**options):
        return build_google_mailbox(google_settings(google_fake, service_key), google_user, WINDOW,
                                    mail=GmailOptions(**options))
    built = []
    yield lambda **o: built.append(build(**o)) or built[-1]
    for mailbox in built:
        mailbox.close()


def _headers(n: int, **extra) -> dict:
    return {"From": "Buyer <buyer@fabrikam.test>", "To": "ann@example.test", "Subject": f"Offer {n}",
            "Message-ID": f"<offer-{n}@fabrikam.test>", **extra}


def test_the_label_is_created_and_labelled_mail_is_listed_then_followed_by_history(google_fake, google_user, gmail):
    store = google_fake.store.gmail
    store.add_message(google_user, _headers(1), text="Hello", html="<p>Hello</p>", labels=("INBOX", "Salesforce"))
    store.add_message(google_user, _headers(2), text="not for Salesforce")
    first = gmail().changes_since(MAIL, None)
    assert [(m.subject, m.message_id, m.body_text, m.body_html, m.sender, m.categories) for m in first.items] == [
        ("Offer 1", "<offer-1@fabrikam.test>", "Hello", "<p>Hello</p>", "buyer@fabrikam.test", ("Salesforce",))]
    assert first.full
    assert not [g for g in store.gets if g[1] != "full"]       # labelled mail needs no metadata round
    later = store.add_message(google_user, _headers(3), text="later")
    assert gmail().changes_since(MAIL, first.cursor).items == ()
    store.add_labels(google_user, later["id"], ("Salesforce",))
    again = gmail().changes_since(MAIL, first.cursor)
    assert [m.subject for m in again.items] == ["Offer 3"] and not again.full
    assert gmail().changes_since(MAIL, again.cursor).items == ()


def test_a_missing_label_is_created_once(google_fake, google_user, gmail):
    gmail(label="Salesforce CRM").changes_since(MAIL, None)
    gmail(label="Salesforce CRM").changes_since(MAIL, None)
    names = [label["name"] for label in google_fake.store.gmail.box(google_user).labels.values()]
    assert names.count("Salesforce CRM") == 1


def test_an_expired_history_id_asks_for_a_full_listing(google_fake, google_user, gmail):
    store = google_fake.store.gmail
    store.add_message(google_user, _headers(4), labels=("Salesforce",))
    cursor = gmail().changes_since(MAIL, None).cursor
    store.forget_history(google_user)
    with pytest.raises(CursorExpired):
        gmail().changes_since(MAIL, cursor)
    assert [m.subject for m in gmail().changes_since(MAIL, None).items] == ["Offer 4"]


def test_compose_saves_come_from_sent_by_marker_or_message_id_reading_headers_first(google_fake, google_user, gmail):
    store = google_fake.store.gmail
    marked = store.add_message(google_user, _headers(5, **{"X-Syncline-Save": "m-1"}), labels=("SENT",))
    by_id = store.add_message(google_user, _headers(6), labels=("SENT",))
    plain = store.add_message(google_user, _headers(7), labels=("SENT",))
    store.gets.clear()
    found = gmail(compose_markers=True, message_ids=("<OFFER-6@fabrikam.test>",)).changes_since(MAIL, None)
    assert sorted((m.subject, m.save_marker) for m in found.items) == [("Offer 5", "m-1"), ("Offer 6", "")]
    assert sorted(store.gets) == sorted([(marked["id"], "metadata"), (by_id["id"], "metadata"),
                                         (plain["id"], "metadata"), (marked["id"], "full"), (by_id["id"], "full")])
    assert gmail().changes_since(MAIL, None).items == ()           # no pending compose save: SENT is not read


def test_thread_autosave_reads_the_inbox_only_while_a_thread_is_set(google_fake, google_user, gmail):
    store = google_fake.store.gmail
    first = store.add_message(google_user, _headers(8))
    cursor = gmail().changes_since(MAIL, None).cursor
    store.add_message(google_user, _headers(9), thread_id=first["threadId"])
    store.add_message(google_user, _headers(10))
    found = gmail(thread_ids=(first["threadId"],)).changes_since(MAIL, cursor)
    assert sorted(m.subject for m in found.items) == ["Offer 8", "Offer 9"]
    assert {m.conversation_id for m in found.items} == {first["threadId"]}


def test_more_messages_than_a_batch_are_fetched_in_batches_of_50(google_fake, google_user, gmail):
    store = google_fake.store.gmail
    for n in range(120):
        store.add_message(google_user, _headers(1000 + n), labels=("Salesforce",))
    batches = google_fake.store.batches
    found = gmail().changes_since(MAIL, None)
    assert len({m.message_id for m in found.items}) == 120
    assert google_fake.store.batches - batches == 3


def test_without_the_gmail_grant_mail_fails_alone(google_fake, google_user):
    key = google_fake.store.register_service_account("cal-only@project.iam.gserviceaccount.com", scopes=CALENDAR_SCOPES)
    mailbox = build_google_mailbox(google_settings(google_fake, key), google_user, WINDOW, mail=GmailOptions())
    try:
        assert mailbox.changes_since(FolderKind.CALENDAR, None).full
        with pytest.raises(FolderUnavailable, match="gmail.readonly"):
            mailbox.changes_since(MAIL, None)
    finally:
        mailbox.close()
