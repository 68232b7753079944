"""Pytest fixtures over the real servers, importable by any conftest:

    from tests.realservers.fixtures import *  # noqa: F401,F403

Servers are session-scoped (started once, stopped by their own PID); accounts are per test,
so no test sees another's data. A missing server skips its tests with the reason.
"""
from __future__ import annotations

import pytest

from app.providers.host_guard import HostPolicy
from tests.realservers.cyrus import CyrusServer
from tests.realservers.dav import DavAccount, RadicaleServer, XandikosServer
from tests.realservers.dovecot import DovecotServer, ImapAccount
from tests.realservers.process import ServerUnavailable

# The product refuses loopback mail hosts unless the operator allow-lists them; these servers are ours.
LOOPBACK_MAIL_HOSTS = ("127.0.0.1",)
LOOPBACK_POLICY = HostPolicy.from_entries(LOOPBACK_MAIL_HOSTS)


def _start(factory):
    try:
        return factory()
    except ServerUnavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def dovecot_server():
    server = _start(DovecotServer)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def radicale_server():
    server = _start(RadicaleServer)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def xandikos_server():
    server = _start(XandikosServer)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def cyrus_server():
    """Cyrus CalDAV/CardDAV with RFC 6638 implicit scheduling; its iMIP is captured, never sent."""
    server = _start(CyrusServer)
    yield server
    server.stop()


@pytest.fixture
def imap_account(dovecot_server) -> ImapAccount:
    """A fresh IMAP user with an empty INBOX."""
    return dovecot_server.create_user()


@pytest.fixture
def dav_account(radicale_server) -> DavAccount:
    """A fresh Radicale user with a ``calendar`` (VEVENT+VTODO) and a ``contacts`` address book."""
    account = radicale_server.create_user()
    account.make_calendar("calendar")
    account.make_addressbook("contacts")
    return account


__all__ = ["cyrus_server", "dav_account", "dovecot_server", "imap_account", "radicale_server", "xandikos_server"]
