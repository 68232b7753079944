"""What last-writer-wins compares on the mailbox side: the item's own modification time
(vCard REV, iCalendar LAST-MODIFIED), read from a real Radicale; no time is invented."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from app.sync.items import FolderKind
from tests.integration.imap_dav.dav_client import put_raw


def _card(rev: str | None) -> str:
    line = f"REV:{rev}\n" if rev is not None else ""
    return ("BEGIN:VCARD\nVERSION:3.0\nUID:rev-card\nFN:Rita Rev\nN:Rev;Rita;;;\n"
            f"EMAIL;TYPE=WORK:rita@client.test\n{line}END:VCARD\n")


@pytest.mark.parametrize(("rev", "expected"), [
    ("20260301T101500Z", datetime(2026, 3, 1, 10, 15, tzinfo=UTC)),          # RFC 6350 basic form
    ("2026-03-01T10:15:00Z", datetime(2026, 3, 1, 10, 15, tzinfo=UTC)),      # vCard 3.0 extended form
    ("2026-03-01T11:15:00+01:00", datetime(2026, 3, 1, 10, 15, tzinfo=UTC)),  # an offset, not UTC
    ("2026-03-01", None),                                                     # a day is no instant
    ("20260301T101500", None),                                                # floating: zone unknown
    (None, None),
])
def test_a_cards_rev_is_its_modification_time_and_only_a_real_instant_counts(dav_account, dav_mailbox, rev,
                                                                              expected):
    put_raw(dav_account, "contacts", "rev.vcf", _card(rev), "text/vcard")
    [contact] = dav_mailbox.changes_since(FolderKind.CONTACTS, None).items
    assert contact.modified_at == expected


def test_a_written_card_carries_the_time_of_that_write(dav_account, dav_mailbox):
    from app.sync.ports import ItemPatch

    path = put_raw(dav_account, "contacts", "rev.vcf", _card("20200101T000000Z"), "text/vcard")
    before = datetime.now(UTC).replace(microsecond=0)
    assert dav_mailbox.update_items(FolderKind.CONTACTS, [ItemPatch(path, {"job_title": "CFO"})])[0].ok
    [contact] = dav_mailbox.changes_since(FolderKind.CONTACTS, None).items
    assert contact.job_title == "CFO" and contact.modified_at is not None and contact.modified_at >= before
