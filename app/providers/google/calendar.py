"""One user's primary Google calendar: ``events.list`` with sync tokens, and event writes that mail nobody.

Change detection (Calendar API guide "Synchronize resources efficiently"): the first listing pages
through the sync window with ``showDeleted`` (series masters and their exceptions, never
``singleEvents``) to the ``nextSyncToken`` on its last page; later rounds send only that token and
get every changed or deleted entry. A 410 (``fullSyncRequired``) is CursorExpired: the engine lists
in full and then checks each linked event missing from the listing with ``events.get``, which is
how deletions made while the token was expiring are found (``get_items`` omits cancelled events).
Every insert/patch/delete names ``sendUpdates=none``; patches are conditional on the etag read.
"""
from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

from googleapiclient.errors import HttpError

from app.providers.google.batch import GoogleBatch
from app.providers.google.errors import google_error
from app.providers.google.events import GOOGLE_FIELDS, SYNC_KEY, WRITABLE, original_start, read_event, write_event
from app.providers.google.series import read_series, recurrence_lines
from app.providers.vendor_edge import failed_result, write_each
from app.sync.errors import InvalidData, NotFound, SyncError
from app.sync.items import CalendarException, CalendarItem, FolderKind, MailboxItem, occurrence_id, split_occurrence_id
from app.sync.ports import ItemPatch, MailboxChanges, WriteResult

PAGE_SIZE = 250
QUIET = {"sendUpdates": "none"}


class GoogleCalendar:
    """Calendar items of one user through a built ``calendar`` v3 service (``service.events()``)."""

    def __init__(self, service: Any, batch: GoogleBatch, window: tuple[datetime, datetime],
                 calendar_id: str = "primary") -> None:
        self.service, self.batch, self.window, self.calendar_id = service, batch, window, calendar_id

    def changes_since(self, cursor: str | None) -> MailboxChanges:
        low, high = self.window
        query: dict[str, Any] = {"calendarId": self.calendar_id, "showDeleted": True, "maxResults": PAGE_SIZE}
        if cursor:
            query["syncToken"] = cursor
        else:
            query.update(timeMin=_rfc3339(low), timeMax=_rfc3339(high))
        singles: dict[str, CalendarItem] = {}
        deleted: list[str] = []
        series: set[str] = set()
        page_token = None
        while True:
            page = self._run(self._events().list(**query, **({"pageToken": page_token} if page_token else {})),
                             "events.list")
            for event in page.get("items") or ():
                event_id = str(event["id"])
                if event.get("recurringEventId"):          # an exception or cancelled occurrence
                    series.add(str(event["recurringEventId"]))
                elif event.get("status") == "cancelled":
                    deleted.append(event_id)
                    singles.pop(event_id, None)
                elif event.get("recurrence"):
                    series.add(event_id)
                else:
                    singles[event_id] = read_event(event)
            page_token = page.get("nextPageToken")
            if not page_token:
                break
        found, gone = self._series(sorted(series - set(deleted)))
        items = {**singles, **found}
        return MailboxChanges(FolderKind.CALENDAR, tuple(items.values()),
                              tuple(i for i in [*deleted, *sorted(gone)] if i not in items),
                              page.get("nextSyncToken"), full=cursor is None)

    def get_items(self, item_ids: Sequence[str]) -> list[MailboxItem]:
        """Current events by id (fetched in batches); cancelled (deleted) and unknown ones are omitted."""
        out: list[MailboxItem] = []
        masters = []
        for item_id, event in self._get_many(list(dict.fromkeys(split_occurrence_id(i)[0] for i in item_ids))).items():
            if event is None or event.get("status") == "cancelled":
                continue
            if event.get("recurrence"):
                masters.append(item_id)
            elif not event.get("recurringEventId"):
                out.append(read_event(event))
        return out + list(self._series(masters)[0].values())

    def find_by_sync_keys(self, keys: Sequence[str]) -> dict[str, MailboxItem]:
        """Events the product made, by the sync key in their private extended property (batched lookups)."""
        lookups = [self._events().list(calendarId=self.calendar_id, privateExtendedProperty=f"{SYNC_KEY}={key}",
                                       maxResults=10) for key in keys]
        ids: dict[str, str] = {}
        for key, answer in zip(keys, self.batch.run(lookups, "find events by sync key"), strict=True):
            if isinstance(answer, SyncError):
                raise answer
            for event in answer.get("items") or ():
                ids[key] = str(event["id"])
        current = {i.item_id: i for i in self.get_items(sorted(set(ids.values())))}
        return {key: current[event_id] for key, event_id in ids.items() if event_id in current}

    def create_items(self, items: Sequence[MailboxItem]) -> list[WriteResult]:
        """Inserts with an event id derived from the sync key: a create retried after a lost answer
        meets 409 ``duplicate`` and takes the event already made, so there is never a second one."""
        return write_each(items, lambda item: self._create(_calendar(item)))

    def update_items(self, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        return write_each(patches, self._update)

    def delete_items(self, item_ids: Sequence[str]) -> list[WriteResult]:
        """Deletes events; an occurrence id cancels that occurrence. Already gone counts as done."""
        out = []
        for item_id in item_ids:
            series_id, stamp = split_occurrence_id(item_id)
            try:
                target = self._instance_id(series_id, stamp) if stamp else series_id
                if target is not None:
                    self._run(self._events().delete(calendarId=self.calendar_id, eventId=target, **QUIET),
                              "events.delete")
                out.append(WriteResult(True, item_id))
            except NotFound:
                out.append(WriteResult(True, item_id))
            except SyncError as exc:
                out.append(failed_result(exc))
        return out

    # --- internals -------------------------------------------------------------------------------
    def _create(self, item: CalendarItem) -> WriteResult:
        body = write_event(item, item.sync_key)
        if item.rrule:
            body["recurrence"] = recurrence_lines(item)
        if item.sync_key:
            body["id"] = event_id_for(item.sync_key)
        try:
            event = self._run(self._events().insert(calendarId=self.calendar_id, body=body, **QUIET), "events.insert")
        except InvalidData:
            existing = self._get(body.get("id", "")) if body.get("id") else None
            if existing is None or existing.get("status") == "cancelled":
                raise
            event = existing
        for exception in item.exceptions if item.rrule else ():
            if not exception.cancelled:
                self._write_occurrence(str(event["id"]), exception, item.timezone)
        return WriteResult(True, str(event["id"]), str(event.get("etag") or ""))

    def _update(self, patch: ItemPatch) -> WriteResult:
        series_id, stamp = split_occurrence_id(patch.item_id)
        if stamp is not None:
            return self._patch_occurrence(series_id, stamp, dict(patch.changes))
        event = self._get(series_id)
        if event is None or event.get("status") == "cancelled":
            raise NotFound(f"event {series_id} not found")
        current = read_series(event, ()) if event.get("recurrence") else read_event(event)
        after = _patched(current, patch.changes)
        wanted = {g for key in patch.changes for g in GOOGLE_FIELDS.get(key, ())}
        body = {k: v for k, v in write_event(after).items() if k in wanted}
        if "recurrence" in wanted and after.rrule:
            body["recurrence"] = recurrence_lines(replace(after, exceptions=()))
        if not body:
            return WriteResult(True, series_id, str(event.get("etag") or ""))
        request = self._events().patch(calendarId=self.calendar_id, eventId=series_id, body=body, **QUIET)
        request.headers["If-Match"] = str(event.get("etag") or "*")
        answer = self._run(request, "events.patch")
        return WriteResult(True, series_id, str(answer.get("etag") or ""))

    def _patch_occurrence(self, series_id: str, stamp: str, changes: dict[str, Any]) -> WriteResult:
        original = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        if changes.get("cancelled"):
            return self.delete_items([occurrence_id(series_id, original)])[0]
        exception = CalendarException(original, **{k: v for k, v in changes.items()
                                                   if k in ("start", "end", "subject", "location")})
        etag = self._write_occurrence(series_id, exception, str(changes.get("timezone") or "UTC"))
        return WriteResult(True, occurrence_id(series_id, original), etag)

    def _write_occurrence(self, series_id: str, exception: CalendarException, zone: str) -> str:
        target = self._instance_id(series_id, exception.recurrence_id.strftime("%Y%m%dT%H%M%SZ"))
        if target is None:
            raise NotFound(f"occurrence {exception.recurrence_id:%Y%m%dT%H%M%SZ} of {series_id} is not in the series")
        body: dict[str, Any] = {}
        if exception.subject is not None:
            body["summary"] = exception.subject
        if exception.location is not None:
            body["location"] = exception.location
        for name in ("start", "end"):
            moment = getattr(exception, name)
            if moment is not None:
                body[name] = {"dateTime": moment.astimezone(UTC).isoformat(timespec="seconds"), "timeZone": zone}
        answer = self._run(self._events().patch(calendarId=self.calendar_id, eventId=target, body=body, **QUIET),
                           "patch occurrence")
        return str(answer.get("etag") or "")

    def _instance_id(self, series_id: str, stamp: str | None) -> str | None:
        """The id Google gives the occurrence that originally started at ``stamp`` (None: not in the series)."""
        original = datetime.strptime(str(stamp), "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
        page = self._run(self._events().instances(calendarId=self.calendar_id, eventId=series_id,
                                                  originalStart=_rfc3339(original), showDeleted=True),
                         "events.instances")
        for instance in page.get("items") or ():   # a server ignoring originalStart lists them all: match it here
            if original_start(instance.get("originalStartTime")) == original:
                return None if instance.get("status") == "cancelled" else str(instance["id"])
        return None

    def _series(self, master_ids: Sequence[str]) -> tuple[dict[str, CalendarItem], set[str]]:
        """Series by master id with their exceptions in the window; and the masters that are gone.
        Masters, then the first page of each one's instances, are read in batches."""
        low, high = self.window
        masters = self._get_many(master_ids)
        gone = {m for m, event in masters.items() if event is None or event.get("status") == "cancelled"}
        live = [m for m in master_ids if m not in gone]

        def page(master_id: str, token: str | None = None) -> Any:
            return self._events().instances(calendarId=self.calendar_id, eventId=master_id, showDeleted=True,
                                            timeMin=_rfc3339(low), timeMax=_rfc3339(high), maxResults=PAGE_SIZE,
                                            **({"pageToken": token} if token else {}))

        found: dict[str, CalendarItem] = {}
        for master_id, first in zip(live, self.batch.run([page(m) for m in live], "events.instances"), strict=True):
            if isinstance(first, SyncError):
                raise first
            instances, answer = list(first.get("items") or ()), first
            while answer.get("nextPageToken"):
                answer = self._run(page(master_id, answer["nextPageToken"]), "events.instances")
                instances.extend(answer.get("items") or ())
            found[master_id] = read_series(masters[master_id] or {}, instances)
        return found, gone

    def _get_many(self, event_ids: Sequence[str]) -> dict[str, dict[str, Any] | None]:
        """Events by id in batches (None: Google has no such event)."""
        answers = self.batch.run([self._events().get(calendarId=self.calendar_id, eventId=i) for i in event_ids],
                                 "events.get")
        out: dict[str, dict[str, Any] | None] = {}
        for event_id, answer in zip(event_ids, answers, strict=True):
            if isinstance(answer, NotFound):
                out[event_id] = None
            elif isinstance(answer, SyncError):
                raise answer
            else:
                out[event_id] = dict(answer)
        return out

    def _get(self, event_id: str) -> dict[str, Any] | None:
        try:
            return dict(self._run(self._events().get(calendarId=self.calendar_id, eventId=event_id), "events.get"))
        except NotFound:
            return None

    def _events(self) -> Any:
        return self.service.events()

    @staticmethod
    def _run(request: Any, what: str) -> Any:
        try:
            return request.execute(num_retries=0) or {}
        except HttpError as exc:
            raise google_error(exc, what) from exc


def event_id_for(sync_key: str) -> str:
    """A valid client-chosen event id (base32hex, lower case) that is the same for the same sync key."""
    digest = hashlib.sha256(sync_key.encode()).digest()[:20]
    return base64.b32hexencode(digest).decode().lower().rstrip("=")


def _patched(item: CalendarItem, changes: Any) -> CalendarItem:
    known = {f.name for f in fields(item)} & WRITABLE
    values: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in dict(changes).items() if k in known}
    return replace(item, **values)


def _calendar(item: MailboxItem) -> CalendarItem:
    if not isinstance(item, CalendarItem):
        raise InvalidData("only calendar items are written to a Google calendar")
    return item


def _rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
