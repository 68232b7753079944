"""The DAV port's streaming verbs against real servers (Radicale and Cyrus): a listing by href,
items read in chunks of multigets (halved on 413), a task list sharing the calendar's collection
skipping the members a calendar chunk found without a VTODO, and discovery asked once a session."""
from __future__ import annotations

import requests

from app.providers.imap_dav import build_mailbox
from app.providers.imap_dav.mailbox import ImapDavMailbox
from app.sync.items import FolderKind
from tests.integration.imap_dav import ics_samples
from tests.integration.imap_dav.conftest import PLAINTEXT_FOR_TESTS
from tests.integration.imap_dav.dav_client import put_raw
from tests.integration.imap_dav.test_idle_session import CARD, TODO

CAL, TASKS, CONTACTS = FolderKind.CALENDAR, FolderKind.TASKS, FolderKind.CONTACTS


def _port(account, base_url: str) -> ImapDavMailbox:
    url = base_url + "/"
    return build_mailbox({"caldav_url": url, "carddav_url": url}, account.username, account.password,
                         PLAINTEXT_FOR_TESTS)


def _seed(account, events: int) -> None:
    for n in range(events):
        put_raw(account, "calendar", f"seed-{n}.ics", ics_samples.ALL_DAY.replace("UID:", f"UID:seed-{n}-"))
    put_raw(account, "calendar", "todo-1.ics", TODO)
    put_raw(account, "contacts", "card-1.vcf", CARD, "text/vcard")


def test_a_listing_by_href_then_chunks_read_every_item_once(dav_server, dav_account):
    _seed(dav_account, 7)
    port = _port(dav_account, dav_server.base_url)
    try:
        listing = port.list_changes(CAL, None)
        assert listing.full and len(listing.changed_ids) == 8 and listing.cursor
        before = port.counter.by_protocol["dav"]
        chunks = list(port.read_chunks(CAL, listing.changed_ids, 3))
        assert port.counter.by_protocol["dav"] - before == 3          # one multiget per chunk of 3 hrefs
        assert len(chunks) == 3 and sum(len(c) for c in chunks) == 7   # the task is not a calendar item
        assert len({i.item_id for c in chunks for i in c}) == 7
    finally:
        port.close()


def test_the_task_list_skips_the_events_a_calendar_chunk_read(dav_server, dav_account):
    _seed(dav_account, 5)
    port = _port(dav_account, dav_server.base_url)
    try:
        calendar = port.list_changes(CAL, None)
        list(port.read_chunks(CAL, calendar.changed_ids, 4))
        tasks = port.list_changes(TASKS, None)
        asked = port.counter.by_protocol["dav"]
        [[task]] = list(port.read_chunks(TASKS, tasks.changed_ids, 4))
        assert port.counter.by_protocol["dav"] - asked == 1 and task.subject == "Send the quote"
    finally:
        port.close()


def test_the_folder_kinds_discover_with_one_walk_of_the_home(dav_server, dav_account):
    _seed(dav_account, 1)
    port = _port(dav_account, dav_server.base_url)
    try:
        port.list_changes(CAL, None)
        discovered_calendar = port.counter.by_protocol["dav"] - 1      # less the sync report
        port.list_changes(TASKS, None)                                 # same collection: no request at all
        assert port.counter.by_protocol["dav"] == discovered_calendar + 1
        port.list_changes(CONTACTS, None)
        assert port.counter.by_protocol["dav"] - discovered_calendar - 1 < discovered_calendar + 1
    finally:
        port.close()


def test_a_chunk_the_server_finds_too_large_is_read_in_smaller_multigets_from_then_on(dav_server, dav_account):
    """A server whose body limit refuses multigets of more than 25 hrefs with 413 (the refusal is
    played in front of the real server; the multigets it lets through are real)."""
    _seed(dav_account, 40)
    port = _port(dav_account, dav_server.base_url)
    try:
        listing = port.list_changes(CAL, None)
        session = port.folders[CAL].client.session
        send, sizes = session.request, []

        def limited(method, href, body=None, headers=None):
            hrefs = (body or "").count("<d:href>") if method == "REPORT" else 0
            sizes.append(hrefs)
            if hrefs > 25:
                refused = requests.Response()
                refused.status_code = 413
                return refused
            return send(method, href, body, headers)

        session.request = limited
        chunks = list(port.read_chunks(CAL, listing.changed_ids, 30))   # 41 hrefs: chunks of 30 and 11
        assert sizes == [30, 25, 5, 11]     # halved (to the floor of 25); the second chunk goes at that size
        assert port.folders[CAL].client.multiget_size == 25
        assert sorted(i.item_id for c in chunks for i in c) == sorted(h for h in listing.changed_ids
                                                                     if not h.endswith("todo-1.ics"))
    finally:
        port.close()
