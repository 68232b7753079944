"""Real Dovecot, Radicale and Xandikos for the standards-based mailbox provider's tests."""
from __future__ import annotations

import pytest

pytest.importorskip("imapclient", reason="imapclient not installed (pip install imapclient==4.1.0)")
pytest.importorskip("icalendar", reason="icalendar not installed (pip install icalendar==7.3.0)")
pytest.importorskip("vobject", reason="vobject not installed (pip install vobject==0.9.9)")

from app.providers.imap_dav import MailboxOptions, build_mailbox  # noqa: E402
from tests.realservers.fixtures import *  # noqa: E402,F401,F403
from tests.realservers.fixtures import LOOPBACK_POLICY  # noqa: E402

PLAINTEXT_FOR_TESTS = MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY)


@pytest.fixture
def dav_mailbox(dav_account):
    """The port on a fresh Radicale user (calendar, tasks, contacts)."""
    url = dav_account.base_url + "/"
    mailbox = build_mailbox({"caldav_url": url, "carddav_url": url}, dav_account.username, dav_account.password,
                            PLAINTEXT_FOR_TESTS)
    yield mailbox
    mailbox.close()


@pytest.fixture
def imap_mailbox(imap_account):
    """The port on a fresh Dovecot user (mail only)."""
    endpoints = {"imap_host": imap_account.host, "imap_port": imap_account.port, "imap_tls": False}
    mailbox = build_mailbox(endpoints, imap_account.username, imap_account.password, PLAINTEXT_FOR_TESTS)
    yield mailbox
    mailbox.close()
