"""Accounts that are not "IMAP + CalDAV + CardDAV with one password": each missing part raises
FolderUnavailable (the engine then skips that kind), and a separate DAV login reaches DAV."""
from __future__ import annotations

import pytest

from app.providers.imap_dav import build_mailbox
from app.sync.errors import AuthFailure, FolderUnavailable
from app.sync.items import FolderKind
from tests.integration.imap_dav.conftest import PLAINTEXT_FOR_TESTS


def _imap(account) -> dict:
    return {"imap_host": account.host, "imap_port": account.port, "imap_tls": False}


def test_imap_only_account_has_no_dav_folders(imap_mailbox):
    for kind in (FolderKind.CALENDAR, FolderKind.TASKS, FolderKind.CONTACTS):
        with pytest.raises(FolderUnavailable, match="not available on this server"):
            imap_mailbox.changes_since(kind, None)
    assert imap_mailbox.changes_since(FolderKind.MAIL, None).full


def test_dav_only_account_has_no_mail(dav_mailbox):
    with pytest.raises(FolderUnavailable, match="imap_host"):
        dav_mailbox.changes_since(FolderKind.MAIL, None)
    assert dav_mailbox.changes_since(FolderKind.CALENDAR, None).full


def test_a_calendar_without_tasks_and_no_address_book_leave_those_kinds_unavailable(radicale_server):
    account = radicale_server.create_user()
    account.make_calendar("events", ("VEVENT",))
    url = account.base_url + "/"
    mailbox = build_mailbox({"caldav_url": url, "carddav_url": url}, account.username, account.password,
                            PLAINTEXT_FOR_TESTS)
    try:
        assert mailbox.changes_since(FolderKind.CALENDAR, None).items == ()
        with pytest.raises(FolderUnavailable, match="VTODO"):
            mailbox.changes_since(FolderKind.TASKS, None)
        with pytest.raises(FolderUnavailable, match="VCARD"):
            mailbox.changes_since(FolderKind.CONTACTS, None)
    finally:
        mailbox.close()


def test_separate_dav_login_reaches_dav_while_imap_uses_its_own(imap_account, dav_account):
    assert imap_account.username != dav_account.username
    url = dav_account.base_url + "/"
    endpoints = {**_imap(imap_account), "caldav_url": url, "carddav_url": url}
    mailbox = build_mailbox(endpoints, imap_account.username, imap_account.password, PLAINTEXT_FOR_TESTS,
                            dav_login=(dav_account.username, dav_account.password))
    try:
        assert mailbox.changes_since(FolderKind.MAIL, None).full
        assert mailbox.changes_since(FolderKind.CALENDAR, None).full
    finally:
        mailbox.close()
    one_login = build_mailbox(endpoints, imap_account.username, imap_account.password, PLAINTEXT_FOR_TESTS)
    try:
        with pytest.raises(AuthFailure):
            one_login.changes_since(FolderKind.CALENDAR, None)
    finally:
        one_login.close()
