"""One mailbox's primary calendar through Graph: ``calendarView/delta`` bounded by the sync window,
and event writes in ``$batch`` calls.

The window reaches the adapter at build time (``window``): a new delta round (cursor None) covers
it, and the deltaLink Graph returns encodes it, so later rounds keep that span; the core's
``window_reach`` asks for a fresh full listing when the window moved past it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

from app.providers.graph.errors import failed_result
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
from app.providers.graph.occurrences import OccurrenceWriter, iso_utc
from app.providers.graph.series import read_series
from app.sync.errors import CursorExpired, InvalidData, NotFound, SyncError
from app.sync.items import CalendarItem, FolderKind, MailboxItem, split_occurrence_id
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

PAGE_SIZE = 50
FULL_EVENT = frozenset({"subject", "start", "end"})
SILENT_FIELDS = frozenset({"categories"})   # the owner's own labels: Exchange mails nobody for them


class GraphCalendar:
    """Calendar items of one user (``user`` is the UPN or object id Graph addresses them by)."""

    def __init__(self, http: GraphHttp, user: str, window: tuple[datetime, datetime]) -> None:
        self.http, self.window, self.user = http, window, user.lower()
        self.events = f"/users/{quote(user, safe='@')}/events"
        self.delta = f"/users/{quote(user, safe='@')}/calendarView/delta"
        self.occurrences = OccurrenceWriter(http, self.events, window)

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        """One delta round to its deltaLink. The cursor is the deltaLink plus the ids of the series
        seen so far: Graph reports a deleted occurrence or series only by instance ids, so a round
        with removals re-reads those series (a gone master is a deleted series)."""
        link, known = _split_cursor(cursor)
        if link is not None and not link.startswith(self.http.base_url + self.delta):
            raise CursorExpired("the Graph endpoint changed since the last delta round")
        low, high = self.window
        url = link or self.delta + "?" + urlencode({"startDateTime": iso_utc(low), "endDateTime": iso_utc(high)})
        items: dict[str, CalendarItem] = {}
        deleted: list[str] = []
        masters: set[str] = set()
        partial: set[str] = set()
        while True:
            page = self.http.get(url, "calendarView delta", prefer=f"odata.maxpagesize={PAGE_SIZE}") or {}
            for event in page.get("value") or ():
                if "@removed" in event:
                    deleted.append(str(event["id"]))
                    items.pop(str(event["id"]), None)
                elif is_series_part(event):
                    masters.add(str(event.get("seriesMasterId") or event["id"]))
                elif FULL_EVENT <= event.keys():
                    items[str(event["id"])] = read_event(event)
                else:   # delta may send only what changed: read the whole event
                    partial.add(str(event["id"]))
            if "@odata.deltaLink" in page:
                break
            if "@odata.nextLink" not in page:
                raise CursorExpired("Graph ended a delta round without a deltaLink")
            url = _same_origin(str(page["@odata.nextLink"]), self.http)
        series, gone = self._series(sorted(masters | (known if deleted else set())))
        items.update(series)
        refetched = self.get_items(sorted(partial - set(items) - set(deleted))) if partial else []
        items.update({i.item_id: i for i in refetched if isinstance(i, CalendarItem)})
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
                {"startDateTime": iso_utc(low), "endDateTime": iso_utc(high), "$select": SELECT + ",originalStart",
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
        """Creates with ``transactionId`` = sync key, so a create retried after a lost answer makes one
        event; a series is one recurring event, its exceptions then applied to its occurrences."""
        results: list[WriteResult | None] = []
        subs = []
        for item in items:
            try:
                body = write_event(_calendar(item), item.sync_key)
            except SyncError as exc:
                results.append(failed_result(exc))
                continue
            if item.sync_key:
                body["transactionId"] = item.sync_key
            results.append(None)
            subs.append(SubRequest("POST", self.events, body))
        answers = iter(self.http.batch(subs, "create events"))
        out = []
        for item, result in zip(items, results, strict=True):
            if result is None:
                result = _result(next(answers), "create event")
                if result.ok and isinstance(item, CalendarItem) and item.exceptions:
                    result = self.occurrences.with_exceptions(result, item)
            out.append(result)
        return out

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        current = {i.item_id: i for i in self.get_items(sorted({split_occurrence_id(p.item_id)[0] for p in patches}))}
        results: list[WriteResult | None] = []
        subs: list[SubRequest] = []
        for patch in patches:
            series_id, stamp = split_occurrence_id(patch.item_id)
            item = current.get(patch.item_id)
            refusal = self._would_mail(current.get(series_id), set(patch.changes) - SILENT_FIELDS)
            if refusal is not None:
                results.append(refusal)
            elif stamp is not None:
                results.append(self.occurrences.write(series_id, stamp, dict(patch.changes)))
            elif not isinstance(item, CalendarItem):
                results.append(failed_result(NotFound(f"event {patch.item_id} not found")))
            else:
                try:
                    body = _patch_body(_patched(item, patch.changes), patch.changes)
                except SyncError as exc:
                    results.append(failed_result(exc))
                    continue
                results.append(None)
                subs.append(SubRequest("PATCH", self.events + "/" + quote(patch.item_id, safe=""), body))
        answers = iter(self.http.batch(subs, "update events"))
        return [r if r is not None else _result(next(answers), "update event") for r in results]

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        """Deletes events; an occurrence id cancels that occurrence of its series."""
        results: dict[str, WriteResult] = {}
        current = {i.item_id: i for i in self.get_items(sorted({split_occurrence_id(i)[0] for i in item_ids}))}
        for item_id in item_ids:
            series_id, stamp = split_occurrence_id(item_id)
            refusal = self._would_mail(current.get(series_id), {"deleted"})
            if refusal is not None:
                results[item_id] = refusal
            elif stamp is not None:
                results[item_id] = self.occurrences.write(series_id, stamp, {"cancelled": True})
        plain = [i for i in item_ids if i not in results]
        answers = self.http.batch([SubRequest("DELETE", self.events + "/" + quote(i, safe="")) for i in plain],
                                  "delete events")
        for item_id, answer in zip(plain, answers, strict=True):
            results[item_id] = WriteResult(True, item_id) if answer.ok else failed_result(answer.error(f"delete event {item_id}"))
        return [results[i] for i in item_ids]

    def _would_mail(self, item: MailboxItem | None, changed: set[str]) -> WriteResult | None:
        """A refusal when writing would make Exchange mail the attendees of the owner's meeting.

        Graph sends an update or cancellation for every change to an organiser's meeting with
        attendees and has no switch to stop it, so such changes stay in Salesforce, reported per item."""
        if not changed or not isinstance(item, CalendarItem) or not item.attendees:
            return None
        if item.organizer and item.organizer.lower() != self.user:
            return None     # the owner is an attendee: their copy changes without mail
        others = [a for a in item.attendees if a.email.lower() != self.user]
        if not others:
            return None
        return failed_result(InvalidData(
            f"not written to Office 365: the meeting has {len(others)} attendee(s) and Exchange would mail them "
            f"this change ({', '.join(sorted(changed))}); change it in Outlook"))


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
    return item


_GRAPH_FIELDS = {"subject": ("subject",), "location": ("location",), "body_text": ("body",), "body_html": ("body",),
                 "private": ("sensitivity",), "show_as": ("showAs",), "categories": ("categories",),
                 "start": ("start", "end", "isAllDay"), "end": ("start", "end", "isAllDay"),
                 "timezone": ("start", "end", "isAllDay"), "all_day": ("start", "end", "isAllDay"),
                 "start_date": ("start", "end", "isAllDay"), "end_date": ("start", "end", "isAllDay"),
                 "rrule": ("recurrence", "start", "end")}


def _patch_body(after: CalendarItem, changes: Any) -> dict[str, Any]:
    """A PATCH of only what changed: resending a series' rule or times would make Exchange rebuild
    the series (dropping its exceptions), and unchanged values are no business of the write."""
    body = write_event(after)
    wanted = {graph for key in changes for graph in _GRAPH_FIELDS.get(key, ())}
    return {k: v for k, v in body.items() if k in wanted}


def _result(answer: SubResponse, what: str) -> WriteResult:
    if answer.ok and isinstance(answer.body, dict):
        return WriteResult(True, str(answer.body.get("id")), str(answer.body.get("changeKey") or ""))
    return failed_result(answer.error(what))


def _same_origin(link: str, http: GraphHttp) -> str:
    """Links Graph hands out must point back at the configured Graph base (no token leaves for elsewhere)."""
    base = urlsplit(http.base_url)
    target = urlsplit(link)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc) or not target.path.startswith(base.path):
        raise InvalidData(f"Graph returned a link to another host ({target.netloc}): refused")
    return link


def _odata_quote(text: str) -> str:
    return text.replace("'", "''")


