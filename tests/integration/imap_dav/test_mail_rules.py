"""IMAP listing against a real Dovecot also finds Compose-mode saves (X-Syncline-Save header,
Message-ID) in the Sent folder and replies in auto-saved threads, and nothing else."""
from __future__ import annotations

from dataclasses import replace

import pytest
from imapclient import IMAPClient

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.imap_dav.imap_mail import MailRules
from app.sync.items import FolderKind
from tests.realservers.fixtures import LOOPBACK_POLICY

MAIL = FolderKind.MAIL
RULES = MailRules(compose_markers=True, message_ids=("<by-id@acme.test>",), thread_ids=("<root@client.test>",))


def _raw(message_id: str, extra: str = "", sender: str = "ann@acme.test") -> bytes:
    return (f"From: {sender}\r\nTo: carol@client.test\r\nSubject: Offer\r\n"
            f"Date: Tue, 10 Mar 2026 09:00:00 +0100\r\nMessage-ID: {message_id}\r\n{extra}"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nHello\r\n").encode()


@pytest.fixture
def user_client(imap_account):
    client = IMAPClient(imap_account.host, imap_account.port, ssl=False)
    client.login(imap_account.username, imap_account.password)
    if not client.folder_exists("Sent"):
        client.create_folder("Sent")
    yield client
    client.logout()


def _port(imap_account, rules: MailRules):
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    options = MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY, mail_rules=rules)
    return build_mailbox(endpoints, imap_account.username, imap_account.password, options)


def test_sent_compose_saves_and_thread_replies_are_listed_with_their_marker(imap_account, user_client):
    user_client.append("Sent", _raw("<marked@acme.test>", "X-Syncline-Save: mk-0001-abcd\r\n"))
    user_client.append("Sent", _raw("<by-id@acme.test>"))
    user_client.append("Sent", _raw("<plain-sent@acme.test>"))
    user_client.append("INBOX", _raw("<reply@client.test>", "In-Reply-To: <root@client.test>\r\n"
                                     "References: <root@client.test>\r\n", sender="carol@client.test"))
    user_client.append("INBOX", _raw("<unrelated@client.test>", sender="carol@client.test"))
    port = _port(imap_account, RULES)
    try:
        items = {m.message_id: m for m in port.changes_since(MAIL, None).items}
    finally:
        port.close()
    assert set(items) == {"<marked@acme.test>", "<by-id@acme.test>", "<reply@client.test>"}
    assert items["<marked@acme.test>"].save_marker == "mk-0001-abcd"
    assert items["<marked@acme.test>"].folder == "Sent"
    assert items["<reply@client.test>"].conversation_id == "<root@client.test>"


def test_without_rules_only_tagged_mail_is_listed_and_the_cursor_picks_up_new_thread_mail(imap_account, user_client):
    user_client.append("Sent", _raw("<tagged-sent@acme.test>"), flags=["Salesforce"])
    user_client.append("Sent", _raw("<marked2@acme.test>", "X-Syncline-Save: mk-0002-abcd\r\n"))
    port = _port(imap_account, MailRules())
    try:
        first = port.changes_since(MAIL, None)
        assert [m.message_id for m in first.items] == ["<tagged-sent@acme.test>"]
    finally:
        port.close()
    user_client.append("INBOX", _raw("<reply2@client.test>", "References: <root@client.test>\r\n"))
    port = _port(imap_account, replace(RULES, compose_markers=False))
    try:
        later = port.changes_since(MAIL, first.cursor)
    finally:
        port.close()
    assert [m.message_id for m in later.items] == ["<reply2@client.test>"]
