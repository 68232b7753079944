"""The push adapters against real servers: a folder watch sees Dovecot's IDLE news (new mail, a new
keyword) and, without IDLE, the same through NOOP; a dropped connection raises the core's
TemporaryFailure; a DAV collection's version moves with a PUT on Radicale and Cyrus, and only then."""
from __future__ import annotations

import subprocess

import pytest
from imapclient import IMAPClient

from app.providers.imap_dav import imap_watch
from app.providers.imap_dav.dav_probe import collection_versions
from app.providers.imap_dav.imap_watch import (
    IDLE,
    IDLE_REISSUE_SECONDS,
    NOOP,
    NOTIFY,
    FoldersNotifyWatch,
    FolderWatch,
    NotifyRefused,
    notifiable,
    supports_notify,
)
from app.providers.imap_dav.mailbox import imap_session
from app.sync.errors import TemporaryFailure
from tests.integration.imap_dav import ics_samples
from tests.integration.imap_dav.conftest import PLAINTEXT_FOR_TESTS
from tests.integration.imap_dav.dav_client import put_raw

RAW = b"From: a@customer.test\r\nSubject: hi\r\nMessage-ID: <w-1@customer.test>\r\n\r\nhello\r\n"


@pytest.fixture
def watch(imap_account):
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    folder_watch = FolderWatch(imap_session(endpoints, imap_account.username, imap_account.password,
                                            PLAINTEXT_FOR_TESTS), "INBOX", noop_seconds=1, sleep=lambda s: None)
    yield folder_watch
    folder_watch.close()


@pytest.fixture
def other(imap_account):
    client = IMAPClient(imap_account.host, imap_account.port, ssl=False)
    client.login(imap_account.username, imap_account.password)
    yield client
    client.logout()


def _until_changed(watch: FolderWatch, rounds: int = 20) -> bool:
    return any(watch.wait(1) for _ in range(rounds))


def test_idle_reports_new_mail_and_a_new_keyword(watch, other):
    assert watch.open() == IDLE
    assert watch.wait(0.2) is False
    other.append("INBOX", RAW)
    assert _until_changed(watch)
    other.select_folder("INBOX")
    other.add_flags(other.search(["ALL"]), ["Salesforce"])
    assert _until_changed(watch)


def test_idle_is_issued_again_before_the_server_would_log_the_client_out(imap_account, other):
    now = [0.0]
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    watch = FolderWatch(imap_session(endpoints, imap_account.username, imap_account.password, PLAINTEXT_FOR_TESTS),
                        "INBOX", clock=lambda: now[0])
    try:
        watch.open()
        watch.wait(0.2)
        assert watch.idle_since == 0.0
        now[0] = IDLE_REISSUE_SECONDS - 1
        watch.wait(0.2)
        assert watch.idle_since == 0.0                  # not yet
        now[0] = IDLE_REISSUE_SECONDS
        watch.wait(0.2)
        assert watch.idle_since == IDLE_REISSUE_SECONDS and IDLE_REISSUE_SECONDS < 29 * 60
        other.append("INBOX", RAW)
        assert _until_changed(watch)                    # the new IDLE still reports
    finally:
        watch.close()


def test_without_idle_noop_polling_reports_new_mail(watch, other):
    watch.open()
    watch.mode = NOOP          # as on a server that lacks the IDLE capability
    assert watch.wait(0.2) is False
    other.append("INBOX", RAW)
    assert _until_changed(watch)


def test_a_dropped_connection_raises_temporary_failure(watch, imap_account, dovecot_server):
    watch.open()
    watch.wait(0.2)
    subprocess.run(["doveadm", "-c", str(dovecot_server.config_path), "kick", imap_account.username],
                   check=True, capture_output=True)
    with pytest.raises(TemporaryFailure):
        _until_changed(watch)


def test_a_collection_version_moves_with_a_put_and_only_then(dav_mailbox, dav_account):
    first = collection_versions(dav_mailbox)
    assert len(first) >= 2 and all(first.values())        # calendar(s) and the address book
    assert collection_versions(dav_mailbox) == first
    put_raw(dav_account, "calendar", "ev-1.ics", ics_samples.ALL_DAY)
    moved = collection_versions(dav_mailbox)
    assert moved.keys() == first.keys() and moved != first


def test_notify_watches_several_folders_on_one_connection(imap_account, other):
    for folder in ("Sent", "Salesforce"):
        other.create_folder(folder)
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    session = imap_session(endpoints, imap_account.username, imap_account.password, PLAINTEXT_FOR_TESTS)
    watch = FoldersNotifyWatch(session, ["INBOX", "Sent", "Salesforce"])
    try:
        assert supports_notify(session.command(lambda c: c.capabilities()))     # Dovecot offers it
        assert watch.open() == NOTIFY and session.selected is None               # no folder selected
        assert watch.wait(0.2) is False
        other.append("Sent", RAW)
        assert _until_changed(watch)
        other.select_folder("Salesforce")
        other.append("Salesforce", RAW)
        assert _until_changed(watch)
        other.add_flags(other.search(["ALL"]), ["Salesforce"])                  # a keyword (the category)
        assert _until_changed(watch)
        other.append("INBOX", RAW)
        assert _until_changed(watch)
    finally:
        watch.close()


def test_a_refused_notify_set_says_so_and_the_connection_can_fall_back(imap_account, monkeypatch):
    monkeypatch.setattr(imap_watch, "NOTIFY_EVENTS", "(NoSuchEvent)")     # Dovecot answers BAD to it
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    session = imap_session(endpoints, imap_account.username, imap_account.password, PLAINTEXT_FOR_TESTS)
    watch = FoldersNotifyWatch(session, ['Odd "quoted" name\\here', "INBOX"])
    try:
        with pytest.raises(NotifyRefused):
            watch.open()
    finally:
        watch.close()
    assert notifiable("Salesforce") and not notifiable("Ventes é")
