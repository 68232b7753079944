"""Single occurrences of a series in Graph: found by their original start among the series'
``/instances`` in the window, then PATCHed (an exception) or DELETEd (cancelled)."""
from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from app.providers.graph.errors import failed_result
from app.providers.graph.http import GraphHttp
from app.providers.graph.series import original_start
from app.providers.graph.series_write import exception_changes
from app.sync.errors import NotFound, SyncError
from app.sync.items import CalendarException, CalendarItem, occurrence_id
from app.sync.ports import WriteResult


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class OccurrenceWriter:
    """Occurrence writes for one user's events collection (``events`` is its path)."""

    def __init__(self, http: GraphHttp, events: str, window: tuple[datetime, datetime]) -> None:
        self.http, self.events, self.window = http, events, window

    def instances(self, series_id: str) -> dict[datetime, str]:
        """Original start → occurrence id, for the series' occurrences in the window."""
        low, high = self.window
        page = self.http.get(self.events + "/" + quote(series_id, safe="") + "/instances?" + urlencode(
            {"startDateTime": iso_utc(low), "endDateTime": iso_utc(high), "$select": "id,originalStart", "$top": "1000"}),
            "list occurrences") or {}
        out = {}
        for instance in page.get("value") or ():
            original = original_start(instance)
            if original is not None:
                out[original] = str(instance["id"])
        return out

    def write(self, series_id: str, stamp: str, changes: dict[str, Any],
              known: dict[datetime, str] | None = None) -> WriteResult:
        """Edit or cancel one occurrence, found by its original start (already cancelled: done)."""
        try:
            original = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
            instance = (known if known is not None else self.instances(series_id)).get(original)
            if instance is None:
                if changes.get("cancelled"):
                    return WriteResult(True, occurrence_id(series_id, original))
                raise NotFound(f"occurrence {stamp} of {series_id} is not in the series")
            url = self.events + "/" + quote(instance, safe="")
            if changes.get("cancelled"):
                self.http.send("DELETE", url, None, "cancel occurrence")
                return WriteResult(True, occurrence_id(series_id, original))
            zone = str(changes.get("timezone") or "UTC")
            exception = CalendarException(original, **{k: v for k, v in changes.items()
                                                       if k in ("start", "end", "subject", "location")})
            answer = self.http.send("PATCH", url, exception_changes(exception, zone), "edit occurrence") or {}
            return WriteResult(True, occurrence_id(series_id, original), str(answer.get("changeKey") or ""))
        except SyncError as exc:
            return failed_result(exc)

    def with_exceptions(self, created: WriteResult, item: CalendarItem) -> WriteResult:
        """Apply a new series' exceptions; a failure fails the create (its retry finds the series by
        transactionId and applies them again)."""
        series_id = str(created.target_id)
        known = self.instances(series_id)
        for exception in item.exceptions:
            stamp = exception.recurrence_id.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
            changes: dict[str, Any] = {"cancelled": True} if exception.cancelled else {
                "timezone": item.timezone, **{k: getattr(exception, k) for k in ("start", "end", "subject", "location")
                                              if getattr(exception, k) is not None}}
            result = self.write(series_id, stamp, changes, known)
            if not result.ok:
                return result
        return created
