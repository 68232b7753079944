"""The DAV fault proxy the fault-matrix bench puts in front of Radicale: transparent until a
window opens, then 5xx or a hang — and the product's DAV port reads both as temporary."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.sync.errors import TemporaryFailure
from app.sync.items import FolderKind
from sandbox.mailservers import DavFaultProxy
from tests.realservers.fixtures import LOOPBACK_POLICY


class Clock:
    def __init__(self) -> None:
        self.now = 50.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def proxied(dav_server, dav_account) -> Iterator[tuple[DavFaultProxy, Clock, object]]:
    clock = Clock()
    proxy = DavFaultProxy(dav_server.base_url, clock=clock)
    url = proxy.base_url + "/"
    mailbox = build_mailbox({"caldav_url": url, "carddav_url": url}, dav_account.username, dav_account.password,
                            MailboxOptions(allow_plaintext=True, timeout=5, host_policy=LOOPBACK_POLICY))
    yield proxy, clock, mailbox
    mailbox.close()
    proxy.stop()


def test_requests_pass_through_unchanged_without_a_fault(proxied) -> None:
    proxy, _clock, mailbox = proxied
    assert list(mailbox.changes_since(FolderKind.CALENDAR, None).items) == []
    assert proxy.faults_served == 0


def test_an_error_window_answers_503_which_the_port_reads_as_temporary(proxied) -> None:
    proxy, clock, mailbox = proxied
    proxy.fail_for(10)
    with pytest.raises(TemporaryFailure):
        mailbox.changes_since(FolderKind.CALENDAR, None)
    assert proxy.faults_served == 1
    clock.now += 10
    assert list(mailbox.changes_since(FolderKind.CALENDAR, None).items) == []


def test_a_hang_window_holds_then_drops_requests_and_notes_the_release(proxied) -> None:
    proxy, clock, mailbox = proxied
    proxy.hang_for(10, hold_s=0.2)
    with pytest.raises(TemporaryFailure):
        mailbox.changes_since(FolderKind.CALENDAR, None)
    assert proxy.last_release == clock.now
    clock.now += 10
    assert list(mailbox.changes_since(FolderKind.CALENDAR, None).items) == []
