"""Real Dovecot, and every CalDAV/CardDAV test on each multi-user DAV server: Radicale and Cyrus
(which implements RFC 6638 implicit scheduling, as Fastmail does). Xandikos has its own smoke test."""
from __future__ import annotations

import pytest

pytest.importorskip("imapclient", reason="imapclient not installed (pip install imapclient==4.1.0)")
pytest.importorskip("icalendar", reason="icalendar not installed (pip install icalendar==7.3.0)")
pytest.importorskip("vobject", reason="vobject not installed (pip install vobject==0.9.9)")

from app.providers.imap_dav import MailboxOptions, build_mailbox  # noqa: E402
from tests.realservers.dav import DavAccount  # noqa: E402
from tests.realservers.fixtures import *  # noqa: E402,F401,F403
from tests.realservers.fixtures import LOOPBACK_POLICY  # noqa: E402

PLAINTEXT_FOR_TESTS = MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY)


@pytest.fixture(params=["radicale", "cyrus"])
def dav_server(request):
    """Each DAV server in turn (session-scoped underneath: started once each)."""
    return request.getfixturevalue(f"{request.param}_server")


@pytest.fixture
def dav_account(dav_server) -> DavAccount:
    """A fresh user with a calendar (VEVENT+VTODO) and an address book, reachable by ``put_raw``
    as ``calendar`` and ``contacts``: made on Radicale, Cyrus's own ``Default`` ones on Cyrus."""
    account = dav_server.create_user()
    if not account.has_collection("calendar"):
        account.make_calendar("calendar")
        account.make_addressbook("contacts")
    return account


@pytest.fixture
def dav_mailbox(dav_account):
    """The port on a fresh user (calendar, tasks, contacts), discovered from the server's root."""
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
