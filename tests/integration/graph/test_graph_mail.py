"""The Graph adapter's mail listing against the loopback Graph fake (real HTTPS, real msal):
the Salesforce folder and category, Sent Items for Compose-mode saves, the Inbox for threads,
bodies only for what is saved, delta paging, and an expired delta token."""
from __future__ import annotations

import pytest

from app.providers.graph import GraphMailOptions, build_graph_mailbox
from app.providers.graph import mail as graph_mail
from app.sync.errors import CursorExpired
from app.sync.items import EmailMessage, FolderKind
from tests.integration.graph.conftest import WINDOW, graph_settings

MAIL = FolderKind.MAIL


@pytest.fixture
def open_mailbox(graph_fake, graph_user):
    opened = []

    def open_(**options):
        mailbox = build_graph_mailbox(graph_settings(graph_fake), graph_user, WINDOW, mail=GraphMailOptions(**options))
        opened.append(mailbox)
        return mailbox

    yield open_
    for mailbox in opened:
        mailbox.close()


def _by_message_id(changes) -> dict[str, EmailMessage]:
    return {m.message_id: m for m in changes.items}


def test_first_round_makes_folder_and_category_and_lists_tagged_and_filed_messages(graph_fake, graph_user,
                                                                                      open_mailbox):
    mail = graph_fake.store.mail
    tagged = mail.deliver(graph_user, "inbox", subject="Offer", sender="client@customer.test", to=(graph_user,),
                          body="Our offer.", internet_message_id="<offer-1@customer.test>",
                          categories=("Salesforce",))
    mail.deliver(graph_user, "inbox", subject="Lunch?", sender="friend@else.test",
                 internet_message_id="<lunch@else.test>")
    mail.deliver(graph_user, "drafts", subject="Draft", internet_message_id="<draft@contoso.test>",
                 categories=("Salesforce",), draft=True)

    changes = open_mailbox().changes_since(MAIL, None)

    box = mail.user(graph_user)
    [folder] = [f for f in box.folders.values() if f["displayName"] == "Salesforce"]
    assert folder["parentFolderId"] == box.well_known["msgfolderroot"]
    assert [c["displayName"] for c in box.categories] == ["Salesforce"]
    assert changes.full and set(_by_message_id(changes)) == {"<offer-1@customer.test>"}
    offer = _by_message_id(changes)["<offer-1@customer.test>"]
    assert (offer.item_id, offer.sender, offer.to, offer.body_text, offer.categories) == (
        tagged["id"], "client@customer.test", (graph_user,), "Our offer.", ("Salesforce",))
    assert offer.conversation_id == tagged["conversationId"] and offer.folder == ""
    assert "<div>Our offer.</div>" in offer.body_html, "bodies are asked for as HTML, the text made from it"
    assert _body_reads(graph_fake, graph_user) == [tagged["id"]]

    filed = mail.deliver(graph_user, folder["id"], subject="Contract", sender="client@customer.test",
                         internet_message_id="<contract@customer.test>")
    again = open_mailbox().changes_since(MAIL, changes.cursor)
    assert not again.full and list(_by_message_id(again)) == ["<contract@customer.test>"]
    assert again.items[0].folder == "Salesforce" and again.items[0].item_id == filed["id"]
    assert len([f for f in box.folders.values() if f["displayName"] == "Salesforce"]) == 1


def test_later_rounds_see_a_category_set_and_a_move_into_the_folder_but_nothing_twice(graph_fake, graph_user,
                                                                                       open_mailbox):
    mail = graph_fake.store.mail
    first = open_mailbox().changes_since(MAIL, None)
    assert first.items == ()
    later = mail.deliver(graph_user, "inbox", subject="Tag me later", internet_message_id="<later@customer.test>")
    moved = mail.deliver(graph_user, "inbox", subject="Move me", internet_message_id="<move@customer.test>")
    unchanged = open_mailbox().changes_since(MAIL, first.cursor)
    assert unchanged.items == ()

    mail.set_categories(graph_user, later["id"], ["Salesforce", "Red category"])
    mail.move(graph_user, moved["id"], mail.folder_id(graph_user, _salesforce_folder(graph_fake, graph_user)))
    second = open_mailbox().changes_since(MAIL, unchanged.cursor)
    assert set(_by_message_id(second)) == {"<later@customer.test>", "<move@customer.test>"}
    assert _by_message_id(second)["<move@customer.test>"].folder == "Salesforce"
    assert set(_body_reads(graph_fake, graph_user)) == {later["id"], moved["id"]}


def test_compose_saves_read_sent_items_headers_and_fetch_only_the_marked_bodies(graph_fake, graph_user,
                                                                                open_mailbox):
    mail = graph_fake.store.mail
    marked = mail.deliver(graph_user, "sentitems", subject="Proposal", sender=graph_user,
                          to=("client@customer.test",), internet_message_id="<sent-1@contoso.test>",
                          headers={"X-Syncline-Save": "mk-0001"})
    plain = mail.deliver(graph_user, "sentitems", subject="Hello", sender=graph_user,
                         internet_message_id="<sent-2@contoso.test>")
    named = mail.deliver(graph_user, "sentitems", subject="By id", sender=graph_user,
                         internet_message_id="<sent-3@contoso.test>")

    without_rules = open_mailbox().changes_since(MAIL, None)
    assert without_rules.items == ()

    changes = open_mailbox(compose_markers=True, message_ids=("<SENT-3@contoso.test>",)).changes_since(MAIL, None)
    found = _by_message_id(changes)
    assert set(found) == {"<sent-1@contoso.test>", "<sent-3@contoso.test>"}
    assert found["<sent-1@contoso.test>"].save_marker == "mk-0001"
    assert sorted(_body_reads(graph_fake, graph_user)) == sorted([marked["id"], named["id"]])
    assert plain["id"] not in mail.body_reads


def test_thread_autosave_lists_inbox_messages_of_that_conversation(graph_fake, graph_user, open_mailbox):
    mail = graph_fake.store.mail
    reply = mail.deliver(graph_user, "inbox", subject="Re: Deal", sender="client@customer.test",
                         internet_message_id="<reply-1@customer.test>", conversation_id="AAQkADthread1==")
    mail.deliver(graph_user, "inbox", subject="Other", internet_message_id="<other@customer.test>")
    changes = open_mailbox(thread_ids=("AAQkADthread1==",)).changes_since(MAIL, None)
    assert [m.item_id for m in changes.items] == [reply["id"]]
    assert changes.items[0].conversation_id == "AAQkADthread1=="


def test_delta_pages_to_its_delta_link_and_an_expired_token_asks_for_a_full_listing(graph_fake, graph_user,
                                                                                     open_mailbox, monkeypatch):
    monkeypatch.setattr(graph_mail, "PAGE_SIZE", 2)
    mail = graph_fake.store.mail
    mailbox = open_mailbox()
    first = mailbox.changes_since(MAIL, None)
    folder = _salesforce_folder(graph_fake, graph_user)
    for n in range(5):
        mail.deliver(graph_user, folder, subject=f"Filed {n}", internet_message_id=f"<filed-{n}@customer.test>")
    paged = mailbox.changes_since(MAIL, first.cursor)
    assert len(paged.items) == 5

    mail.expire_delta_tokens()
    with pytest.raises(CursorExpired):
        mailbox.changes_since(MAIL, paged.cursor)
    full = mailbox.changes_since(MAIL, None)
    assert full.full and len(full.items) == 5


def test_mail_is_read_only_and_an_unreadable_cursor_means_a_full_listing(open_mailbox):
    mailbox = open_mailbox()
    [result] = mailbox.delete_items(MAIL, ["anything"])
    assert not result.ok and "read-only" in result.error
    with pytest.raises(CursorExpired):
        mailbox.changes_since(MAIL, "imap1.not-ours")


def _salesforce_folder(fake, user: str) -> str:
    box = fake.store.mail.user(user)
    return next(f["id"] for f in box.folders.values() if f["displayName"] == "Salesforce")


def _body_reads(fake, user: str) -> list[str]:
    """The ids of this user's messages whose body the adapter fetched (the fake serves many users)."""
    mine = fake.store.mail.user(user).messages
    return [i for i in fake.store.mail.body_reads if i in mine]
