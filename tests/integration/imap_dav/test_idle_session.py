"""An idle session costs one sync report per collection, whatever the mailbox holds: discovery is
handed over from the last session (and re-done when the server says the collection moved or a
cursor expired), and calendar and tasks sharing a collection read it once. Request counts are
those the port's counter saw, against real Radicale and Cyrus."""
from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from app.providers.imap_dav import build_mailbox
from app.providers.imap_dav.davsync import decode_cursor, encode_cursor
from app.providers.imap_dav.mailbox import ImapDavMailbox
from app.sync.errors import AuthFailure, CursorExpired
from app.sync.items import FolderKind
from sandbox.mailservers import DavFaultProxy
from tests.integration.imap_dav import ics_samples
from tests.integration.imap_dav.conftest import PLAINTEXT_FOR_TESTS
from tests.integration.imap_dav.dav_client import put_raw

CAL, TASKS, CONTACTS = FolderKind.CALENDAR, FolderKind.TASKS, FolderKind.CONTACTS
KINDS = (CAL, TASKS, CONTACTS)

TODO = """BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VTODO
UID:todo-1@test
DTSTAMP:20250101T000000Z
SUMMARY:Send the quote
END:VTODO
END:VCALENDAR
"""

CARD = """BEGIN:VCARD
VERSION:3.0
UID:card-1@test
FN:Ada Lovelace
N:Lovelace;Ada;;;
EMAIL:ada@example.com
END:VCARD
"""


def _port(account, base_url: str, discovered: Mapping[str, Any] | None = None) -> ImapDavMailbox:
    url = base_url + "/"
    return build_mailbox({"caldav_url": url, "carddav_url": url}, account.username, account.password,
                         PLAINTEXT_FOR_TESTS, discovered=discovered)


def _first_session(account, base_url: str,
                   kinds: tuple[FolderKind, ...] = KINDS) -> tuple[dict[FolderKind, str], dict[str, Any]]:
    """The kinds listed in full; the cursors and the discovery a real session would store."""
    port = _port(account, base_url)
    try:
        cursors = {kind: port.changes_since(kind, None).cursor for kind in kinds}
        discovered = port.discovered()
    finally:
        port.close()
    assert discovered is not None
    return cursors, discovered


def _seed(account, events: int) -> None:
    for n in range(events):
        put_raw(account, "calendar", f"seed-{n}.ics", ics_samples.ALL_DAY.replace("UID:", f"UID:seed-{n}-"))
    put_raw(account, "calendar", "todo-1.ics", TODO)
    put_raw(account, "contacts", "card-1.vcf", CARD, "text/vcard")


@pytest.mark.parametrize("events", [2, 40])
def test_an_idle_session_sends_one_sync_report_per_collection_whatever_the_size(dav_server, dav_account, events):
    _seed(dav_account, events)
    cursors, discovered = _first_session(dav_account, dav_server.base_url)
    port = _port(dav_account, dav_server.base_url, discovered)
    try:
        changes = [port.changes_since(kind, cursors[kind]) for kind in KINDS]
        # calendar and tasks share the one calendar collection: one report for both, one for contacts
        assert port.counter.by_protocol["dav"] == 2
        assert all(c.items == () and c.deleted_ids == () and not c.full for c in changes)
        assert port.discovered() is None     # nothing new to store
    finally:
        port.close()


def test_tasks_in_the_calendar_collection_reuse_the_calendars_listing(dav_server, dav_account):
    _seed(dav_account, 3)
    _cursors, discovered = _first_session(dav_account, dav_server.base_url)
    port = _port(dav_account, dav_server.base_url, discovered)
    try:
        events = port.changes_since(CAL, None)
        asked = port.counter.by_protocol["dav"]
        tasks = port.changes_since(TASKS, None)
        assert port.counter.by_protocol["dav"] == asked == 2      # one sync report and one multiget in all
        assert len(events.items) == 3 and [t.subject for t in tasks.items] == ["Send the quote"]
    finally:
        port.close()


def test_a_second_read_by_the_same_kind_asks_the_server_again(dav_server, dav_account):
    """Remembered answers are for the other kind sharing the collection, never a stale re-read."""
    _cursors, discovered = _first_session(dav_account, dav_server.base_url)
    port = _port(dav_account, dav_server.base_url, discovered)
    try:
        cursor = port.changes_since(CAL, None).cursor
        put_raw(dav_account, "calendar", "late.ics", ics_samples.ALL_DAY)
        assert len(port.changes_since(CAL, cursor).items) == 1
    finally:
        port.close()


def test_an_expired_cursor_rediscovers_the_collection(dav_server, dav_account):
    cursors, discovered = _first_session(dav_account, dav_server.base_url)
    port = _port(dav_account, dav_server.base_url, discovered)
    stale = port.folders[CAL].client.collection.href
    try:
        with pytest.raises(CursorExpired):
            port.changes_since(CAL, _with_token(cursors[CAL], stale, "http://radicale.org/ns/sync/nonsense"))
        assert port.counter.by_protocol["dav"] > 1          # the report, then discovery
        assert port.discovered() is not None
        assert port.changes_since(CAL, None).full
    finally:
        port.close()


def test_a_deleted_collection_404_rediscovers_the_new_one(radicale_server):
    account = radicale_server.create_user()
    account.make_calendar("calendar")
    put_raw(account, "calendar", "a.ics", ics_samples.ALL_DAY)
    cursors, discovered = _first_session(account, radicale_server.base_url, (CAL,))
    assert account.session().delete(account.principal_url + "calendar/").status_code in (200, 204)
    account.make_calendar("work")
    put_raw(account, "work", "b.ics", ics_samples.ALL_DAY)
    port = _port(account, radicale_server.base_url, discovered)
    try:
        with pytest.raises(CursorExpired):   # the old cursor belongs to the old collection
            port.changes_since(CAL, cursors[CAL])
        listing = port.changes_since(CAL, None)
        assert [i.item_id for i in listing.items] == [f"/{account.username}/work/b.ics"]
        assert "/work/" in str(port.discovered())
    finally:
        port.close()


def test_a_collection_no_longer_ours_403_rediscovers_our_own(radicale_server):
    account, other = radicale_server.create_user(), radicale_server.create_user()
    for user in (account, other):
        user.make_calendar("calendar")
    put_raw(account, "calendar", "mine.ics", ics_samples.ALL_DAY)
    _cursors, discovered = _first_session(account, radicale_server.base_url, (CAL,))
    foreign = dict(discovered)
    own_href = f"/{account.username}/calendar/"
    foreign[CAL.value] = {**discovered[CAL.value], "collections": [
        {**discovered[CAL.value]["collections"][0], "href": f"/{other.username}/calendar/"}]}
    port = _port(account, radicale_server.base_url, foreign)
    try:
        listing = port.changes_since(CAL, None)
        assert [i.item_id for i in listing.items] == [own_href + "mine.ics"]
        assert own_href in str(port.discovered())
    finally:
        port.close()


@pytest.fixture
def proxied_account(dav_server, dav_account) -> Iterator[tuple[DavFaultProxy, Any]]:
    """The account behind a fault proxy whose clock ticks once per look, so a window of 1.5
    covers exactly the next request."""
    ticks = itertools.count()
    proxy = DavFaultProxy(dav_server.base_url, clock=lambda: float(next(ticks)))
    yield proxy, dav_account
    proxy.stop()


def test_a_410_from_the_cached_collection_rediscovers_and_reads_on(proxied_account):
    proxy, account = proxied_account
    cursors, discovered = _first_session(account, proxy.base_url)
    port = _port(account, proxy.base_url, discovered)
    try:
        proxy.fail_for(1.5, status=410)
        changes = port.changes_since(CAL, cursors[CAL])
        assert proxy.faults_served == 1
        assert changes.items == () and not changes.full          # same collection found: the cursor holds
        assert port.discovered() is not None
    finally:
        port.close()


def _with_token(cursor: str, collection: str, token: str) -> str:
    """The cursor with its sync token replaced (both servers offer RFC 6578)."""
    state = decode_cursor(cursor, collection)
    assert "t" in state
    return encode_cursor(collection, **{**state, "t": token})


def test_a_multiget_the_server_finds_too_large_is_sent_again_in_smaller_batches(proxied_account):
    proxy, account = proxied_account
    _seed(account, 3)
    port = _port(account, proxy.base_url)
    try:
        hrefs = list(port.folders[CAL].client.delta(None).changed)
        proxy.fail_for(1.5, status=413)
        found = port.folders[CAL].client.fetch(hrefs)
        assert proxy.faults_served == 1 and sorted(r.href for r in found) == sorted(hrefs)
    finally:
        port.close()


def test_collections_found_ahead_are_the_ones_the_reads_use(dav_server, dav_account):
    """A first session discovers while it describes Salesforce: the reads then send only their own
    requests (one sync report each; calendar and tasks share the collection's)."""
    port = _port(dav_account, dav_server.base_url)
    try:
        port.find_collections(KINDS)
        assert port.counter.by_protocol["dav"] > 0
        port.counter.reset()
        for kind in KINDS:
            port.list_changes(kind, None)
        assert port.counter.by_protocol["dav"] == 2
        assert port.discovered() is not None          # handed to the next session as before
    finally:
        port.close()


def test_discovery_ahead_that_fails_leaves_the_error_to_the_read(dav_server, dav_account):
    """Nothing is raised ahead of the session; the kind's read meets the refusal and reports it."""
    url = dav_server.base_url + "/"
    port = build_mailbox({"caldav_url": url, "carddav_url": url}, dav_account.username, "wrong password",
                         PLAINTEXT_FOR_TESTS)
    try:
        port.find_collections(KINDS)
        with pytest.raises(AuthFailure):
            port.list_changes(CAL, None)
    finally:
        port.close()
