"""One mailbox's primary calendar through Graph: ``calendarView/delta`` bounded by the sync window,
and event writes in ``$batch`` calls.

The window reaches the adapter at build time (``window``): a new delta round (cursor None) covers
it, and the deltaLink Graph returns encodes it, so later rounds keep that span; the core's
``window_reach`` asks for a fresh full listing when the window moved past it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from app.providers.graph.events import (
    EXPAND,
    SELECT,
    SYNC_KEY_PROPERTY,
    WRITABLE,
    is_series_part,
    read_event,
    write_event,
)
from app.providers.graph.http import GraphHttp, SubRequest, SubResponse
from app.providers.graph.series import read_series
from app.sync.errors import AuthFailure, CursorExpired, InvalidData, NotFound, SyncError
from app.sync.items import CalendarItem, FolderKind, MailboxItem, split_occurrence_id
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

PAGE_SIZE = 50
SERIES_NOT_YET = "recurring series are not yet supported on Office 365 (Graph): only single events sync"


class GraphCalendar:
    """Calendar items of one user (``user`` is the UPN or object id Graph addresses them by)."""

    def __init__(self, http: GraphHttp, user: str, window: tuple[datetime, datetime]) -> None:
        self.http, self.window = http, window
        self.events = f"/users/{quote(user, safe='@')}/events"
        self.delta = f"/users/{quote(user, safe='@')}/calendarView/delta"

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        """One delta round to its deltaLink. The cursor is the deltaLink plus the ids of the series
        seen so far: Graph reports a deleted occurrence or series only by instance ids, so a round
        with removals re-reads those series (a gone master is a deleted series)."""
        link, known = _split_cursor(cursor)
        if link is not None and not link.startswith(self.http.base_url + self.delta):
            raise CursorExpired("the Graph endpoint changed since the last delta round")
        low, high = self.window
        url = link or self.delta + "?" + urlencode({"startDateTime": _iso(low), "endDateTime": _iso(high)})
        items: dict[str, CalendarItem] = {}
        deleted: list[str] = []
        masters: set[str] = set()
        while True:
            page = self.http.get(url, "calendarView delta", prefer=f"odata.maxpagesize={PAGE_SIZE}") or {}
            for event in page.get("value") or ():
                if "@removed" in event:
                    deleted.append(str(event["id"]))
                    items.pop(str(event["id"]), None)
                elif is_series_part(event):
                    masters.add(str(event.get("seriesMasterId") or event["id"]))
                else:
                    items[str(event["id"])] = read_event(event)
            if "@odata.deltaLink" in page:
                break
            if "@odata.nextLink" not in page:
                raise CursorExpired("Graph ended a delta round without a deltaLink")
            url = _same_origin(str(page["@odata.nextLink"]), self.http)
        series, gone = self._series(sorted(masters | (known if deleted else set())))
        items.update(series)
        known = (known | masters) - gone
        next_cursor = _same_origin(str(page["@odata.deltaLink"]), self.http) + "\n" + ",".join(sorted(known))
        return MailboxChanges(FolderKind.CALENDAR, tuple(items.values()),
                              tuple(i for i in [*deleted, *sorted(gone)] if i not in items), next_cursor,
                              full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        ids = [split_occurrence_id(i)[0] for i in item_ids]
        answers = self.http.batch([SubRequest("GET", self._one(i)) for i in ids], "get events")
        out: list[MailboxItem] = []
        masters = []
        for item_id, answer in zip(ids, answers, strict=True):
            if answer.ok and isinstance(answer.body, dict):
                if answer.body.get("type") == "seriesMaster":
                    masters.append(item_id)
                elif not is_series_part(answer.body):
                    out.append(read_event(answer.body))
            elif not answer.ok and answer.status != 404:
                raise answer.error(f"get event {item_id}")
        return out + list(self._series(masters)[0].values())

    def _series(self, master_ids: Sequence[str]) -> tuple[dict[str, CalendarItem], set[str]]:
        """Series by master id, each with its instances in the window; and the masters that are gone."""
        low, high = self.window
        subs = []
        for master in master_ids:
            subs.append(SubRequest("GET", self._one(master, with_recurrence=True)))
            subs.append(SubRequest("GET", self.events + "/" + quote(master, safe="") + "/instances?" + urlencode(
                {"startDateTime": _iso(low), "endDateTime": _iso(high), "$select": SELECT + ",originalStart",
                 "$top": "1000"})))
        answers = self.http.batch(subs, "get series")
        found: dict[str, CalendarItem] = {}
        gone: set[str] = set()
        for n, master in enumerate(master_ids):
            head, listing = answers[2 * n], answers[2 * n + 1]
            if head.status == 404:
                gone.add(master)
                continue
            for answer in (head, listing):
                if not answer.ok:
                    raise answer.error(f"get series {master}")
            found[master] = read_series(head.body, (listing.body or {}).get("value") or (), self.window)
        return found, gone

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        subs = [SubRequest("GET", self.events + "?" + urlencode({
            "$filter": f"singleValueExtendedProperties/any(ep: ep/id eq '{SYNC_KEY_PROPERTY}' and ep/value eq "
                       f"'{_odata_quote(k)}')", "$select": SELECT, "$expand": EXPAND})) for k in keys]
        found: dict[str, MailboxItem] = {}
        for key, answer in zip(keys, self.http.batch(subs, "find events by sync key"), strict=True):
            if not answer.ok:
                raise answer.error("find events by sync key")
            for event in (answer.body or {}).get("value") or ():
                found[key] = read_event(event)
        return found

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        """Creates with ``transactionId`` = sync key, so a create retried after a lost answer makes one event."""
        subs = []
        for item in items:
            body = write_event(_calendar(item), item.sync_key)
            if item.sync_key:
                body["transactionId"] = item.sync_key
            subs.append(SubRequest("POST", self.events, body))
        return [_result(a, "create event") for a in self.http.batch(subs, "create events")]

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        current = {i.item_id: i for i in self.get_items([p.item_id for p in patches
                                                          if split_occurrence_id(p.item_id)[1] is None])}
        results: list[WriteResult | None] = []
        subs: list[SubRequest] = []
        for patch in patches:
            item = current.get(patch.item_id)
            if split_occurrence_id(patch.item_id)[1] is not None:
                results.append(_failed(InvalidData(SERIES_NOT_YET)))
            elif not isinstance(item, CalendarItem):
                results.append(_failed(NotFound(f"event {patch.item_id} not found")))
            else:
                results.append(None)
                subs.append(SubRequest("PATCH", self.events + "/" + quote(patch.item_id, safe=""),
                                       write_event(_patched(item, patch.changes))))
        answers = iter(self.http.batch(subs, "update events"))
        return [r if r is not None else _result(next(answers), "update event") for r in results]

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        answers = self.http.batch([SubRequest("DELETE", self.events + "/" + quote(i, safe="")) for i in item_ids],
                                  "delete events")
        return [WriteResult(True, i) if a.ok else _failed(a.error(f"delete event {i}"))
                for i, a in zip(item_ids, answers, strict=True)]

    def _one(self, item_id: str, with_recurrence: bool = False) -> str:
        select = SELECT + (",recurrence" if with_recurrence else "")
        return (self.events + "/" + quote(split_occurrence_id(item_id)[0], safe="") + "?"
                + urlencode({"$select": select, "$expand": EXPAND}))


def _split_cursor(cursor: str | None) -> tuple[str | None, set[str]]:
    if cursor is None:
        return None, set()
    link, _, masters = cursor.partition("\n")
    return link, {m for m in masters.split(",") if m}


def _patched(item: CalendarItem, changes: dict[str, Any] | Any) -> CalendarItem:
    known = {f.name for f in fields(item)} & WRITABLE
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(changes).items() if k in known}
    return replace(item, **values)


def _calendar(item: MailboxItem) -> CalendarItem:
    if not isinstance(item, CalendarItem):
        raise InvalidData("only calendar items are written to an Office 365 calendar")
    if item.rrule or item.rdates or item.exceptions:
        raise InvalidData(SERIES_NOT_YET)
    return item


def _result(answer: SubResponse, what: str) -> WriteResult:
    if answer.ok and isinstance(answer.body, dict):
        return WriteResult(True, str(answer.body.get("id")), str(answer.body.get("changeKey") or ""))
    return _failed(answer.error(what))


def _failed(error: SyncError) -> WriteResult:
    if isinstance(error, AuthFailure):
        raise error
    return WriteResult(False, error=str(error) or error.code, error_code=error.code)


def _same_origin(link: str, http: GraphHttp) -> str:
    """Links Graph hands out must point back at the configured Graph base (no token leaves for elsewhere)."""
    base = urlsplit(http.base_url)
    target = urlsplit(link)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc) or not target.path.startswith(base.path):
        raise InvalidData(f"Graph returned a link to another host ({target.netloc}): refused")
    return link


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _odata_quote(text: str) -> str:
    return text.replace("'", "''")


