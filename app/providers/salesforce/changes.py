"""Salesforce → mailbox change queries: one SystemModstamp query per object, paged in
(SystemModstamp, Id) order from one query locator, so page boundaries and timestamp ties leave
no gaps; deletes come from the same queryAll (IsDeleted = true) inside the 15-day recycle window.

Two users: `pages` is one owner's listing (a mailbox's first session, or an org without a
change loop yet), whose cursor is anchored at the newest record it saw; `poll` packs several
objects in one Composite call and is what the org's change loop runs (`org_feed.poll_org`,
which anchors the window at the previous poll's start instead and drops rows it already saw).
Salesforce stamps SystemModstamp when a transaction starts, so a late commit can appear
"in the past": each read re-reads an overlap window before its start.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from app.providers.salesforce.client import SalesforceClient, raise_for_subresponse
from app.providers.salesforce.errors import CallFailed, CursorExpired
from app.providers.salesforce.queries import COMPOSITE_QUERIES, ListQuery

DEFAULT_OVERLAP = timedelta(minutes=5)
DELETED_WINDOW = timedelta(days=15)        # getDeleted / recycle bin horizon
SYSTEM_FIELDS = ("Id", "SystemModstamp", "IsDeleted")


def parse_stamp(value: str) -> datetime:
    """Salesforce datetimes (`2026-01-02T03:04:05.000+0000` or `…Z`) as aware UTC datetimes."""
    return datetime.strptime(value.replace("Z", "+0000"), "%Y-%m-%dT%H:%M:%S.%f%z").astimezone(UTC)


def soql_stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"


@dataclass(frozen=True)
class ChangeCursor:
    """Where an object's feed stands; `watermark` None means "never synced: full read"."""

    sobject: str
    watermark: str | None = None


@dataclass(frozen=True)
class Change:
    id: str
    version: str          # SystemModstamp: dedupe on (id, version)
    deleted: bool
    record: dict


@dataclass(frozen=True)
class ChangePage:
    """Changes in (SystemModstamp, Id) order; persist `cursor` only after applying them."""

    changes: list[Change]
    cursor: ChangeCursor


@dataclass(frozen=True)
class FeedRequest:
    sobject: str
    fields: Sequence[str]
    cursor: ChangeCursor
    owner_ids: Sequence[str] | None = None      # optional `OwnerId IN (...)` filter


def unseen(changes: Iterable[Change], known: Mapping[str, str]) -> list[Change]:
    """Changes whose version is newer than the one already applied (`known`: id → version)."""
    return [c for c in changes if c.id not in known or parse_stamp(c.version) > parse_stamp(known[c.id])]


class ChangeFeed:
    """Builds and pages the per-object change queries; restartable from any persisted cursor."""

    def __init__(self, client: SalesforceClient, overlap: timedelta = DEFAULT_OVERLAP,
                 now: Callable[[], datetime] = lambda: datetime.now(UTC)):
        self.client, self.overlap, self.now = client, overlap, now

    def statement(self, req: FeedRequest) -> tuple[str, set[str] | None]:
        """(SOQL, client-side owner filter); the owner list moves client-side when it does not fit one URL."""
        fields = ", ".join(dict.fromkeys([*SYSTEM_FIELDS, *req.fields, *(["OwnerId"] if req.owner_ids else [])]))
        where = []
        if req.cursor.watermark:
            since = parse_stamp(req.cursor.watermark) - self.overlap
            if since < self.now() - DELETED_WINDOW:
                raise CursorExpired(f"{req.sobject} cursor {req.cursor.watermark} is older than "
                                    f"{DELETED_WINDOW.days} days: run a full resync", "CURSOR_EXPIRED")
            where.append(f"SystemModstamp >= {soql_stamp(since)}")
        head = f"SELECT {fields} FROM {req.sobject}{' WHERE ' if where else ''}{' AND '.join(where)}"
        order = " ORDER BY SystemModstamp ASC, Id ASC"
        if not req.owner_ids:
            return head + order, None
        prefix = head + (" AND " if where else " WHERE ") + "OwnerId IN ("
        chunks = list(ListQuery(prefix, ")" + order).statements(req.owner_ids))
        if len(chunks) == 1:
            return chunks[0], None
        return head + order, set(req.owner_ids)

    def pages(self, req: FeedRequest) -> Iterator[ChangePage]:
        """Every change since the cursor (minus the overlap), a page (≤ 2,000 rows) at a time."""
        soql, owners = self.statement(req)
        page = self.client.query_page(soql, include_deleted=req.cursor.watermark is not None)
        yield from self._follow(req, owners, page)

    def poll(self, requests: Sequence[FeedRequest]) -> dict[str, list[ChangePage]]:
        """Several objects' feeds in one Composite call per five objects (further pages: one call each);
        the org change loop's read (`org_feed.poll_org`)."""
        out: dict[str, list[ChangePage]] = {}
        for start in range(0, len(requests), COMPOSITE_QUERIES):
            group = requests[start:start + COMPOSITE_QUERIES]
            built = [self.statement(r) for r in group]
            subs = [{"method": "GET", "referenceId": f"feed{i}",
                     "url": self.client.query_url(soql, include_deleted=r.cursor.watermark is not None)}
                    for i, (r, (soql, _)) in enumerate(zip(group, built))]
            for req, (_, owners), entry in zip(group, built, self.client.composite(subs)):
                out[req.sobject] = list(self._follow(req, owners, raise_for_subresponse(entry)))
        return out

    def _follow(self, req: FeedRequest, owners: set[str] | None, page: dict) -> Iterator[ChangePage]:
        cursor = req.cursor
        while True:
            result = self._page(cursor, page["records"], owners)
            cursor = result.cursor
            yield result
            if page.get("done", True) or not page.get("nextRecordsUrl"):
                return
            page = self.client.next_page(page["nextRecordsUrl"])

    @staticmethod
    def _page(cursor: ChangeCursor, rows: list[dict], owners: set[str] | None) -> ChangePage:
        changes = [Change(r["Id"], r["SystemModstamp"], bool(r.get("IsDeleted")), _plain(r))
                   for r in rows if owners is None or r.get("OwnerId") in owners]
        newest = rows[-1]["SystemModstamp"] if rows else None
        if newest and (cursor.watermark is None or parse_stamp(newest) > parse_stamp(cursor.watermark)):
            cursor = replace(cursor, watermark=newest)
        return ChangePage(changes, cursor)


def deleted_ids(client: SalesforceClient, sobject: str, start: datetime, end: datetime) -> list[tuple[str, str]]:
    """getDeleted (`sobjects/{T}/deleted`): (id, deletedDate); CursorExpired past the 15-day window."""
    try:
        body = client.restful(f"sobjects/{sobject}/deleted",
                              params={"start": soql_stamp(start), "end": soql_stamp(end)})
    except CallFailed as exc:
        if exc.code == "INVALID_REPLICATION_DATE":
            raise CursorExpired(f"{sobject} deletions before {soql_stamp(start)} are no longer kept",
                                "CURSOR_EXPIRED") from None
        raise
    earliest = body.get("earliestDateAvailable")
    if earliest and parse_stamp(earliest) > start:
        raise CursorExpired(f"{sobject} deletions are only kept since {earliest}", "CURSOR_EXPIRED")
    return [(d["id"], d["deletedDate"]) for d in body.get("deletedRecords", [])]


def _plain(row: dict) -> dict:
    return {k: v for k, v in row.items() if k != "attributes"}
