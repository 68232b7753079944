"""One poll of a whole org: every synced object's changes in one Composite call.

The window of each object starts at the previous poll's START time minus an overlap (a late
commit carries a SystemModstamp from its transaction's start), never at the newest record seen:
an idle org then reads only what changed during the overlap, not the last import again. Rows
come in (SystemModstamp, Id) order through one query locator, so equal stamps across a page
break are all read; each row is kept only if its (Id, SystemModstamp) was not already seen in
the overlap, so a re-read row is dropped and a row is never routed twice. `queryAll` brings the
deletions (IsDeleted = true) inside the recycle bin's 15 days.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from app.providers.salesforce.changes import (
    DEFAULT_OVERLAP,
    ChangeCursor,
    ChangeFeed,
    FeedRequest,
    parse_stamp,
    soql_stamp,
    unseen,
)
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.queries import in_list, query_in_chunks

ROUTING_FIELDS = ("OwnerId",)
RELATION_OBJECT = "EventRelation"      # polled beside Event: an invitee added or removed later
RELATION_FIELDS = ("EventId", "RelationId")
USER_PREFIX = "005"


@dataclass(frozen=True)
class ObjectWindow:
    """Where one object's feed stands: the previous poll's start and what it already routed."""

    sobject: str
    polled_at: datetime
    seen: Mapping[str, str]


@dataclass(frozen=True)
class OrgChange:
    sobject: str
    record_id: str
    version: str              # SystemModstamp
    deleted: bool
    owner_id: str | None
    relation: tuple[str, str] | None = None      # EventRelation rows: (EventId, RelationId)


@dataclass(frozen=True)
class ObjectPoll:
    """New changes of one object, the `seen` map to store for the next overlap, and how many
    rows Salesforce returned (re-read ones included)."""

    sobject: str
    changes: list[OrgChange]
    seen: dict[str, str]
    read: int = 0


def poll_org(client: SalesforceClient, windows: Sequence[ObjectWindow], now: datetime,
             overlap: timedelta = DEFAULT_OVERLAP) -> list[ObjectPoll]:
    """One Composite call (five objects per call) plus a call per further page of 2,000 rows.

    Raises CursorExpired when a window starts beyond the 15-day deletion horizon."""
    feed = ChangeFeed(client, overlap, now=lambda: now)
    requests = [FeedRequest(w.sobject, RELATION_FIELDS if w.sobject == RELATION_OBJECT else ROUTING_FIELDS,
                            ChangeCursor(w.sobject, soql_stamp(w.polled_at))) for w in windows]
    pages = feed.poll(requests)
    keep_from = parse_stamp(soql_stamp(now)) - overlap     # the next window's start, to the millisecond
    out = []
    for window in windows:
        read = [c for page in pages.get(window.sobject, []) for c in page.changes]
        fresh = unseen(read, window.seen)
        seen = {i: v for i, v in window.seen.items() if parse_stamp(v) >= keep_from}
        seen.update({c.id: c.version for c in read if parse_stamp(c.version) >= keep_from})
        changes = [OrgChange(window.sobject, c.id, c.version, c.deleted, c.record.get("OwnerId"), _relation(c.record))
                   for c in fresh]
        out.append(ObjectPoll(window.sobject, changes, seen, len(read)))
    return out


def _relation(row: Mapping) -> tuple[str, str] | None:
    return (str(row["EventId"]), str(row["RelationId"])) if row.get("EventId") and row.get("RelationId") else None


def fold_relations(polls: Sequence[ObjectPoll]) -> tuple[list[OrgChange], dict[str, set[str]]]:
    """The changes to route, EventRelation rows folded into their Event, and the Users whose
    relation changed per Event: an invitee added (or removed) later reaches that invitee's
    mailboxes (and, through the ID map, every mailbox holding the Event) though the Event's own
    SystemModstamp did not move. An Event deleted in this poll keeps only its deletion."""
    changes = [c for p in polls if p.sobject != RELATION_OBJECT for c in p.changes]
    events = {c.record_id for c in changes if c.sobject == "Event"}
    deleted = {c.record_id for c in changes if c.sobject == "Event" and c.deleted}
    touched: dict[str, set[str]] = {}
    for rel in (c for p in polls if p.sobject == RELATION_OBJECT for c in p.changes):
        if rel.relation is None or rel.relation[0] in deleted:
            continue
        event_id, relation_id = rel.relation
        if relation_id.startswith(USER_PREFIX):
            touched.setdefault(event_id, set()).add(relation_id)
        if event_id not in events:
            events.add(event_id)
            changes.append(OrgChange("Event", event_id, rel.version, False, None))
    return changes, touched


def event_invitees(client: SalesforceClient, event_ids: Iterable[str]) -> dict[str, set[str]]:
    """Event id → the User ids related to it (EventRelation rows whose RelationId is a User)."""
    ids = sorted(set(event_ids))
    if not ids:
        return {}
    out: dict[str, set[str]] = {}
    for row in query_in_chunks(client, in_list("SELECT EventId, RelationId FROM EventRelation", "EventId", ids)):
        if str(row.get("RelationId") or "").startswith(USER_PREFIX):
            out.setdefault(row["EventId"], set()).add(row["RelationId"])
    return out
