"""IMAP mail against a real Dovecot: only tagged or Salesforce-folder messages are listed,
decoded faithfully, with CONDSTORE cursors and keyword writes."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest
from imapclient import IMAPClient

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.providers.imap_dav.imap_mail import _decode_cursor, _encode_cursor
from app.sync.errors import CursorExpired, InvalidData
from app.sync.items import FolderKind
from tests.realservers.fixtures import LOOPBACK_POLICY

MAIL = FolderKind.MAIL


def _message(n: int, subject: str = "Offer", extra: str = "") -> bytes:
    return (f"From: =?ISO-8859-1?Q?J=F6rg_M=FCller?= <Joerg@Client.test>\r\n"
            f"To: ann@acme.test, \"Bob\" <bob@acme.test>\r\nCc: cy@client.test\r\n"
            f"Subject: {subject}\r\nDate: Tue, 10 Mar 2026 09:00:0{n % 10} +0100\r\n"
            f"Message-ID: <msg-{n}@client.test>\r\nReferences: <root@client.test> <prev-{n}@client.test>\r\n"
            f"{extra}MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
            "--b\r\nContent-Type: multipart/alternative; boundary=c\r\n\r\n"
            "--c\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
            "Gr=FC=DFe\r\n--c\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Hallo</p>\r\n--c--\r\n"
            "--b\r\nContent-Type: application/pdf; name=\"quote.pdf\"\r\nContent-Disposition: attachment; "
            "filename=\"quote.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQ=\r\n--b--\r\n").encode("latin-1")


@pytest.fixture
def user_client(imap_account):
    """The user's own mail client."""
    client = IMAPClient(imap_account.host, imap_account.port, ssl=False)
    client.login(imap_account.username, imap_account.password)
    client.create_folder("Salesforce")
    yield client
    client.logout()


def _append(client: IMAPClient, folder: str, n: int, flags=(), **kwargs) -> int:
    response = client.append(folder, _message(n, **kwargs), flags=flags)
    return int(response.split(b"[APPENDUID ")[1].split(b"]")[0].split()[1])


def test_only_tagged_or_salesforce_folder_mail_is_listed(user_client, imap_mailbox):
    _append(user_client, "INBOX", 1)  # untagged: not ours
    tagged = _append(user_client, "INBOX", 2, flags=["Salesforce"])
    _append(user_client, "Salesforce", 3)
    changes = imap_mailbox.changes_since(MAIL, None)
    assert changes.full and sorted(m.message_id for m in changes.items) == ["<msg-2@client.test>", "<msg-3@client.test>"]
    assert {m.folder for m in changes.items} == {"INBOX", "Salesforce"}
    user_client.select_folder("INBOX")
    assert b"\\Seen" not in user_client.get_flags([tagged])[tagged]  # reading never marks as read


def test_message_is_decoded_into_the_core_email(user_client, imap_mailbox):
    _append(user_client, "INBOX", 4, flags=["Salesforce"], subject="=?utf-8?Q?Angebot_=E2=80=93_Gr=C3=B6=C3=9Fe?=")
    [mail] = imap_mailbox.changes_since(MAIL, None).items
    assert mail.subject == "Angebot – Größe" and mail.sender == "joerg@client.test"
    assert mail.to == ("ann@acme.test", "bob@acme.test") and mail.cc == ("cy@client.test",)
    assert mail.sent_at == datetime(2026, 3, 10, 8, 0, 4, tzinfo=UTC)
    assert mail.conversation_id == "<root@client.test>"
    assert (mail.body_text.strip(), mail.body_html.strip()) == ("Grüße", "<p>Hallo</p>")
    assert mail.categories == ("Salesforce",) and mail.version


def test_cursor_sees_new_tags_new_folder_mail_and_nothing_else(user_client, imap_mailbox):
    untagged = _append(user_client, "INBOX", 5)
    cursor = imap_mailbox.changes_since(MAIL, None).cursor
    quiet = imap_mailbox.changes_since(MAIL, cursor)
    assert quiet.items == () and not quiet.full
    user_client.select_folder("INBOX")
    user_client.add_flags([untagged], ["Salesforce"])  # the user tags an old message
    _append(user_client, "Salesforce", 6)
    tagged = imap_mailbox.changes_since(MAIL, quiet.cursor)
    assert sorted(m.message_id for m in tagged.items) == ["<msg-5@client.test>", "<msg-6@client.test>"]
    assert imap_mailbox.changes_since(MAIL, tagged.cursor).items == ()


def test_uidvalidity_change_expires_the_cursor(user_client, imap_mailbox):
    _append(user_client, "Salesforce", 7)
    cursor = imap_mailbox.changes_since(MAIL, None).cursor
    states = _decode_cursor(cursor)
    states["Salesforce"] = type(states["Salesforce"])(states["Salesforce"].uidvalidity - 1, 1, 1)
    with pytest.raises(CursorExpired):
        imap_mailbox.changes_since(MAIL, _encode_cursor(states))
    with pytest.raises(CursorExpired):
        imap_mailbox.changes_since(MAIL, "imap1.@@@")


def test_categories_become_keywords(user_client, imap_mailbox):
    uid = _append(user_client, "INBOX", 8, flags=["Salesforce", "\\Seen"])
    [mail] = imap_mailbox.changes_since(MAIL, None).items
    saved = imap_mailbox.set_categories(MAIL, mail.item_id, ["Salesforce", "Saved to Salesforce"])
    assert saved.ok and saved.version != mail.version
    user_client.select_folder("INBOX")
    assert set(user_client.get_flags([uid])[uid]) == {b"Salesforce", b"Saved_to_Salesforce", b"\\Seen"}
    imap_mailbox.set_categories(MAIL, mail.item_id, [])
    assert set(user_client.get_flags([uid])[uid]) == {b"\\Seen"}


def test_configured_keyword_and_folder_names_are_used(imap_account, user_client):
    user_client.create_folder("CRM")
    _append(user_client, "INBOX", 9, flags=["Salesforce"])
    _append(user_client, "INBOX", 10, flags=["SF"])
    _append(user_client, "CRM", 11)
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    options = MailboxOptions(category="SF", salesforce_folder="CRM", allow_plaintext=True,
                             host_policy=LOOPBACK_POLICY)
    mailbox = build_mailbox(endpoints, imap_account.username, imap_account.password, options)
    assert sorted(m.message_id for m in mailbox.changes_since(MAIL, None).items) == [
        "<msg-10@client.test>", "<msg-11@client.test>"]
    mailbox.close()


def test_plaintext_is_refused_unless_explicitly_allowed(imap_account):
    with pytest.raises(InvalidData):
        build_mailbox({"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False},
                      imap_account.username, imap_account.password)
    with pytest.raises(InvalidData):
        build_mailbox({"caldav_url": "http://127.0.0.1:1/"}, "u", "p")


def test_wrong_password_is_an_auth_failure(imap_account):
    from app.sync.errors import AuthFailure
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    mailbox = build_mailbox(endpoints, imap_account.username, "wrong",
                            MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
    with pytest.raises(AuthFailure):
        mailbox.changes_since(MAIL, None)


def test_fetches_are_batched_and_counted(user_client, imap_mailbox):
    for n in range(40):
        _append(user_client, "Salesforce", 100 + n)
    changes = imap_mailbox.changes_since(MAIL, None)
    assert len(changes.items) == 40
    # connect+login, ENABLE, LIST, then per folder (INBOX, Salesforce): SELECT, SEARCH, FETCH when non-empty
    assert imap_mailbox.counter.by_protocol["imap"] == 3 + 2 + 3
