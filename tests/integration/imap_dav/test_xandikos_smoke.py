"""The same provider against Xandikos, a second DAV implementation (different quirks)."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from app.providers.imap_dav import MailboxOptions, build_mailbox
from app.sync.errors import CursorExpired
from app.sync.items import CalendarItem, ContactItem, FolderKind
from app.sync.ports import ItemPatch
from tests.integration.imap_dav import ics_samples
from tests.realservers.fixtures import LOOPBACK_POLICY


@pytest.fixture
def xandikos_mailbox(xandikos_server):
    url = xandikos_server.base_url + "/"
    mailbox = build_mailbox({"caldav_url": url, "carddav_url": url}, "user", "unused",
                            MailboxOptions(allow_plaintext=True, host_policy=LOOPBACK_POLICY))
    yield mailbox
    mailbox.close()


def test_calendar_and_contacts_round_trip_on_xandikos(xandikos_server, xandikos_mailbox):
    session = xandikos_server.account().session()
    cal_path = xandikos_server.CALENDAR_PATH + "win-tz.ics"
    assert session.put(xandikos_server.base_url + cal_path, data=ics_samples.OUTLOOK_WINDOWS_TZ.encode(),
                       headers={"Content-Type": "text/calendar"}).status_code in (201, 204)
    changes = xandikos_mailbox.changes_since(FolderKind.CALENDAR, None)
    [item] = [i for i in changes.items if i.item_id == cal_path]
    assert item.timezone == "Europe/Berlin" and item.attendees[0].email == "bob@client.test"
    berlin = ZoneInfo("Europe/Berlin")
    created = xandikos_mailbox.create_items(FolderKind.CALENDAR, [CalendarItem(
        item_id="", uid="syncline-x1@syncline", subject="Ünïcode", start=datetime(2026, 5, 4, 9, tzinfo=berlin),
        end=datetime(2026, 5, 4, 10, tzinfo=berlin), timezone="Europe/Berlin", sync_key="x1")])[0]
    assert created.ok
    assert xandikos_mailbox.update_items(FolderKind.CALENDAR, [ItemPatch(created.target_id, {"subject": "B"})])[0].ok
    delta = xandikos_mailbox.changes_since(FolderKind.CALENDAR, changes.cursor)
    assert [i.subject for i in delta.items] == ["B"]
    contact = xandikos_mailbox.create_items(FolderKind.CONTACTS, [ContactItem(
        item_id="", given_name="Zoë", surname="Ångström", email="zoe@client.test", sync_key="xc1")])[0]
    # Xandikos answers 406 to a vCard GET without text/vcard in Accept: ours sends it
    assert xandikos_mailbox.get_items(FolderKind.CONTACTS, [contact.target_id])[0].given_name == "Zoë"
    assert xandikos_mailbox.delete_items(FolderKind.CONTACTS, [contact.target_id])[0].ok


def test_invalid_token_expires_on_xandikos(xandikos_mailbox):
    from app.providers.imap_dav.davsync import encode_cursor
    xandikos_mailbox.changes_since(FolderKind.CALENDAR, None)
    href = xandikos_mailbox.folders[FolderKind.CALENDAR].client.collection.href
    with pytest.raises(CursorExpired):
        xandikos_mailbox.changes_since(FolderKind.CALENDAR, encode_cursor(href, t="0000deadbeef"))
