"""A mailbox session's view of Salesforce changes once its org has a change loop.

After the first session (a full listing of the owner's records), a session reads only the
changes the org loop routed to its mailbox: the records by id, and the deletions. Its cursor is
`{"sobject", "epoch", "after"}`: the last routed row it applied; the engine saves it only after
the session applied the changes, so a failed session reads the same rows again, and rows before
a saved cursor are dropped when the next session starts. The cursor's own row is kept: SQLite
gives a new row max(id) + 1, so emptying the table would hand the next routed change an id at or
below the cursor, and that change would be skipped as already applied. Where the org has no loop yet for the
object, the owner-filtered SystemModstamp query is used as before.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

from sqlalchemy import delete, func, select

from app.db import Database
from app.models import MailboxChange, OrgFeedState
from app.sync.errors import CursorExpired
from app.sync.ports import CrmChanges, CrmPort


class FannedOutCrm:
    """A `CrmPort` whose `changes_since` reads the mailbox's routed changes; all else delegates."""

    def __init__(self, crm: CrmPort, db: Database, org_pk: int, mailbox_id: int) -> None:
        self._crm, self._db, self._org_pk, self._mailbox_id = crm, db, org_pk, mailbox_id

    def __getattr__(self, name: str) -> Any:
        return getattr(self._crm, name)

    def changes_since(self, object_type: str, cursor: str | None, owner_id: str | None) -> CrmChanges:
        epoch = self._feed_epoch(object_type)
        routed = routed_cursor(cursor)
        if routed is not None:
            if routed[1] != epoch:
                raise CursorExpired(f"{object_type}: the org's change feed restarted; full resync")
            return self._routed_changes(object_type, routed[2], epoch)
        if epoch is None:
            return self._crm.changes_since(object_type, cursor, owner_id)
        mark = self._last_row(object_type)   # before the read: rows routed meanwhile are read next time
        changes = self._crm.changes_since(object_type, cursor, owner_id)
        return replace(changes, cursor=_dump(object_type, epoch, mark))

    def _routed_changes(self, object_type: str, after: int, epoch: int) -> CrmChanges:
        with self._db.session_scope() as s:
            s.execute(delete(MailboxChange).where(*self._mine(object_type), MailboxChange.id < after))
            rows = s.execute(select(MailboxChange.id, MailboxChange.record_id, MailboxChange.deleted)
                             .where(*self._mine(object_type), MailboxChange.id > after)
                             .order_by(MailboxChange.id)).all()
        latest = {record_id: deleted for _, record_id, deleted in rows}   # the newest row of a record wins
        changed = [i for i, gone in latest.items() if not gone]
        records = tuple(self._crm.get_records(object_type, changed)) if changed else ()
        deleted = tuple(i for i, gone in latest.items() if gone)
        last = rows[-1][0] if rows else after
        return CrmChanges(object_type, records, deleted, _dump(object_type, epoch, last))

    def _mine(self, object_type: str) -> tuple:
        return MailboxChange.mailbox_id == self._mailbox_id, MailboxChange.sobject == object_type

    def _last_row(self, object_type: str) -> int:
        with self._db.session_scope() as s:
            return int(s.scalar(select(func.max(MailboxChange.id)).where(*self._mine(object_type))) or 0)

    def _feed_epoch(self, object_type: str) -> int | None:
        with self._db.session_scope() as s:
            return s.scalar(select(OrgFeedState.epoch).where(OrgFeedState.org_id == self._org_pk,
                                                             OrgFeedState.sobject == object_type))


def _dump(object_type: str, epoch: int, after: int) -> str:
    return json.dumps({"sobject": object_type, "epoch": epoch, "after": after}, separators=(",", ":"))


def routed_cursor(cursor: str | None) -> tuple[str, int, int] | None:
    """(sobject, epoch, after) of a routed-changes cursor; None for none or an owner-query cursor."""
    try:
        data = json.loads(cursor) if cursor else None
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("epoch"), int) and isinstance(data.get("after"), int):
        return str(data.get("sobject") or ""), data["epoch"], data["after"]
    return None
