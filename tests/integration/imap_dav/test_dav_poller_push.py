"""The DAV poller with a WebDAV-Push keeper, on a real DAV server: a mailbox whose collections all
hold a registration is polled only at the backstop interval, a failed registration keeps the short
poll, registrations are checked again only when due, and letting a mailbox go releases them
(but not when the watcher merely stops)."""
from __future__ import annotations

from app.providers.imap_dav import MailboxOptions
from app.services.dav_push import DavPoller
from app.services.push_targets import PushTarget
from app.sync.errors import TemporaryFailure
from tests.realservers.fixtures import LOOPBACK_POLICY


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Keeper:
    def __init__(self) -> None:
        self.answer: bool | Exception = True
        self.kept: list[set[str]] = []
        self.released: list[list[str]] = []

    def keep(self, mailbox_id, collections) -> bool:
        self.kept.append(set(collections))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def take_registrations(self, mailbox_id):
        return ["http://dav.test/registrations/1"]

    def release(self, registrations, session) -> None:
        self.released.append(registrations)


def _poller(dav_account, keeper: Keeper, clock: Clock) -> tuple[DavPoller, object]:
    url = dav_account.base_url + "/"
    poller = DavPoller(lambda _id: None, 5.0, parallel=2, clock=clock, keeper=keeper, backstop=300.0, push_check=600.0)
    poller.watch(PushTarget(7, {"caldav_url": url, "carddav_url": url}, (dav_account.username, dav_account.password),
                            (dav_account.username, dav_account.password),
                            MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY)))
    return poller, poller.watches[7]


def test_a_pushed_mailbox_is_polled_at_the_backstop_and_rechecked_when_due(dav_account):
    keeper, clock = Keeper(), Clock()
    poller, watch = _poller(dav_account, keeper, clock)
    poller._poll_once(watch)
    assert watch.pushed and watch.next_poll == clock.now + 300
    assert len(keeper.kept) == 1 and len(keeper.kept[0]) == 2          # the calendar and the address book
    clock.now += 300
    poller._poll_once(watch)
    assert len(keeper.kept) == 1                                         # not due yet
    clock.now += 300
    keeper.answer = TemporaryFailure("server down")
    poller._poll_once(watch)
    assert len(keeper.kept) == 2 and not watch.pushed and watch.next_poll == clock.now + 5
    poller.forget(7)
    poller._pool.shutdown(wait=True)
    assert keeper.released == [["http://dav.test/registrations/1"]]


def test_stopping_the_watcher_keeps_the_registrations(dav_account):
    keeper, clock = Keeper(), Clock()
    poller, watch = _poller(dav_account, keeper, clock)
    poller._poll_once(watch)
    poller.close()
    poller._pool.shutdown(wait=True)
    assert keeper.released == []
