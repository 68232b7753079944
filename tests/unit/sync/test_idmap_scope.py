"""An idle session reads the ID map entries its changes touch, never the whole map; a change
still finds its pair, and a full listing still reads every entry (its tombstones need them)."""
from __future__ import annotations

from dataclasses import replace

from app.sync import EmailMessage, FolderKind, save_emails
from app.sync.idmap import InPlay
from tests.unit.sync.sync_world import NOW, World, meeting

CAL = FolderKind.CALENDAR


class CountingReads:
    """Wraps the in-memory store: how many entries each session was handed."""

    def __init__(self, world: World) -> None:
        self.handed = 0
        store = world.id_map
        original = store.entries_in_play

        def counted(mailbox_id: str, kind: FolderKind, wanted: InPlay):
            found = original(mailbox_id, kind, wanted)
            self.handed += len(found)
            return found

        store.entries_in_play = counted   # type: ignore[method-assign]


def _imported(meetings: int) -> World:
    world = World()
    for n in range(meetings):
        world.mailbox.put(CAL, meeting(f"Meeting {n}"))
    world.sync()
    world.sync()   # settles both cursors
    return world


def test_an_idle_session_reads_no_entry_of_a_large_map():
    world = _imported(30)
    counting = CountingReads(world)
    whole = world.id_map.whole_map_reads
    world.sync()
    assert world.id_map.whole_map_reads == whole
    assert counting.handed == 0 and len(world.events()) == 30


def test_one_edit_reads_its_own_pair_and_reaches_salesforce():
    world = _imported(30)
    counting = CountingReads(world)
    item = world.calendar()[4]
    world.mailbox.put(CAL, replace(item, subject="Moved to Friday"))
    whole = world.id_map.whole_map_reads
    world.sync()
    assert world.id_map.whole_map_reads == whole
    assert counting.handed == 1
    assert sorted(e.fields["Subject"] for e in world.events()).count("Moved to Friday") == 1
    assert len(world.events()) == 30


def test_a_full_listing_reads_the_whole_map_and_finds_deletions():
    world = _imported(5)
    gone = world.calendar()[0]
    world.mailbox.items[CAL].pop(gone.item_id)
    world.cursors.cursors.clear()      # an expired cursor: both sides list in full
    whole = world.id_map.whole_map_reads
    world.sync()
    assert world.id_map.whole_map_reads > whole
    assert len(world.events()) == 4


def test_saving_emails_reads_the_entries_of_the_messages_in_play_only():
    world = World()
    for n in range(20):
        world.mailbox.put(FolderKind.MAIL, _tagged(n))
    save_emails(world.session, world.mailbox, world.crm, world.id_map, world.cursors, world.policy)
    saved = world.mailbox.put(FolderKind.MAIL, _tagged(99))
    whole = world.id_map.whole_map_reads
    counting = CountingReads(world)
    save_emails(world.session, world.mailbox, world.crm, world.id_map, world.cursors, world.policy)
    assert world.id_map.whole_map_reads == whole and counting.handed == 0    # the new message has no entry yet
    assert len(world.crm.all("EmailMessage")) == 21
    world.mailbox.edit(FolderKind.MAIL, saved.item_id, categories=("Salesforce", "Red"))
    save_emails(world.session, world.mailbox, world.crm, world.id_map, world.cursors, world.policy)
    assert counting.handed == 1 and len(world.crm.all("EmailMessage")) == 21   # found by its key: saved once


def _tagged(n: int) -> EmailMessage:
    return EmailMessage(item_id="", message_id=f"<m{n}@client.com>", conversation_id=f"c{n}",
                        sender="carol@client.com", to=("alice@example.com",), sent_at=NOW, subject=f"Offer {n}",
                        body_text="Attached.", categories=("Salesforce",))


def test_records_re_read_at_their_agreed_version_load_no_entries_and_change_nothing():
    """An overlapping Salesforce poll window hands back records already mirrored at that version."""
    world = World()
    for n in range(30):
        world.mailbox.put(CAL, meeting(f"Meeting {n}"))
    world.sync()
    first = dict(world.cursors.cursors)
    world.sync()
    world.cursors.cursors.update({k: v for k, v in first.items() if k[1].startswith("crm:")})
    counting = CountingReads(world)
    whole = world.id_map.whole_map_reads
    outcome = world.sync()
    assert world.id_map.whole_map_reads == whole and counting.handed == 0
    assert CAL not in outcome.counts and len(world.events()) == 30 and len(world.calendar()) == 30
