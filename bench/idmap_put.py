"""The ID map's bulk write: what an import's chunk costs in SQLite (pending rows in, then finished).

Run `python bench/idmap_put.py [--chunks 10 --rows 1000]` (a fresh SQLite file, no servers). Each
chunk is one `put` of new pending-create rows (inserts) and one `put` of the same rows finished
(updates), as the engine writes them around a chunk's Salesforce writes. Prints `metric: value` lines.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.db import Database  # noqa: E402
from app.migrate import upgrade  # noqa: E402
from app.models import Mailbox, ServerProfile  # noqa: E402
from app.models.sync_stores import SqlIdMapStore  # noqa: E402
from app.services.users import find_or_create_org, find_or_create_user  # noqa: E402
from app.sync.idmap import IdMapEntry, PendingWrite  # noqa: E402
from app.sync.items import FolderKind  # noqa: E402

SF_ORG = "00D000000000001AAA"


def mailbox_store(db: Database) -> tuple[SqlIdMapStore, str]:
    with db.session_scope() as s:
        org = find_or_create_org(s, SF_ORG, "Bench", None)
        user = find_or_create_user(s, org, sf_user_id="005000000000001AAA", email="bench@bench.test")
        profile = ServerProfile(org_id=org.id, name="bench", kind="imap", endpoints={})
        s.add(profile)
        s.flush()
        mailbox = Mailbox(org_id=org.id, user_id=user.id, server_profile_id=profile.id, address="bench@bench.test")
        s.add(mailbox)
        s.flush()
        return SqlIdMapStore(db, org.id, SF_ORG), str(mailbox.id)


def entries(mailbox_id: str, first: int, rows: int, finished: bool) -> list[IdMapEntry]:
    """A chunk's rows as the engine stores them: ten field hashes each."""
    return [IdMapEntry(sf_org_id=SF_ORG, mailbox_id=mailbox_id, sync_key=f"key-{n}", kind=FolderKind.CALENDAR,
                       object_type="Event", mailbox_item_id=f"/calendars/bench/bench-{n}.ics", uid=f"bench-{n}@test",
                       mailbox_version=f'"etag-{n}"', field_hashes={f"field{j}": f"{n:016x}" for j in range(10)},
                       pending=None if finished else PendingWrite.CREATE_IN_CRM,
                       crm_id=f"00U{n:015d}" if finished else None)
            for n in range(first, first + rows)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=10)
    parser.add_argument("--rows", type=int, default=1000)
    args = parser.parse_args()
    database_url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='syncline-bench-')) / 'bench.db'}"
    upgrade(database_url)
    db = Database(database_url)
    store, mailbox_id = mailbox_store(db)
    inserting = updating = 0.0
    for chunk in range(args.chunks):
        pending = entries(mailbox_id, chunk * args.rows, args.rows, finished=False)
        start = time.perf_counter()
        store.put(pending)
        inserting += time.perf_counter() - start
        finished = entries(mailbox_id, chunk * args.rows, args.rows, finished=True)
        start = time.perf_counter()
        store.put(finished)
        updating += time.perf_counter() - start
    assert len(store.entries(mailbox_id, FolderKind.CALENDAR)) == args.chunks * args.rows
    print(f"idmap_put_insert_ms_per_1000_rows: {inserting * 1000 / args.chunks / args.rows * 1000:.1f}")
    print(f"idmap_put_update_ms_per_1000_rows: {updating * 1000 / args.chunks / args.rows * 1000:.1f}")
    db.engine.dispose()


if __name__ == "__main__":
    main()
