"""Meetings between mailboxes of the same tenant: Exchange delivers the organiser's meeting into
each attendee's calendar as their own event with the SAME ``iCalUId`` (``isOrganizer`` false), keeps
that copy up to date when the organiser changes it, and marks it cancelled when it is cancelled.

Microsoft Learn, "event resource type": ``iCalUId`` is "a unique identifier for an event across
calendars" — the one key two synced attendees share (the product dedups shared meetings by it).
The fake's outbox still records the messages themselves (store._send).
"""
from __future__ import annotations

import copy
import uuid
from typing import Any

# What an attendee's copy mirrors from the organiser's event (the rest is the attendee's own).
MIRRORED = ("subject", "body", "start", "end", "isAllDay", "location", "attendees", "recurrence", "type",
            "originalStartTimeZone", "originalEndTimeZone", "sensitivity", "_overrides", "_cancelled")


def deliver(store: Any, organizer_box: Any, event: dict[str, Any]) -> None:
    """Create or refresh the copy of an organiser's meeting in every attendee mailbox of the tenant."""
    for box in _attendee_boxes(store, organizer_box, event):
        mine = _copy_of(box, event["iCalUId"])
        values = {k: copy.deepcopy(event[k]) for k in MIRRORED if k in event}
        if mine is None:
            mine = {"id": "AAkALg" + uuid.uuid4().hex + uuid.uuid4().hex[:8], "iCalUId": event["iCalUId"],
                    "isOrganizer": False, "organizer": copy.deepcopy(event["organizer"]), "showAs": "tentative",
                    "responseStatus": {"response": "notResponded", "time": "0001-01-01T00:00:00Z"},
                    "categories": [], "isCancelled": False, "seriesMasterId": None, "transactionId": None,
                    "singleValueExtendedProperties": [], "createdDateTime": event.get("createdDateTime")}
            box.events[mine["id"]] = mine
        mine.update(values)
        store._touch(box, mine)


def cancel(store: Any, organizer_box: Any, event: dict[str, Any]) -> None:
    """The organiser cancelled: each attendee's copy stays in their calendar, marked ``isCancelled``."""
    for box in _attendee_boxes(store, organizer_box, event):
        mine = _copy_of(box, event["iCalUId"])
        if mine is not None and not mine.get("isCancelled"):
            mine["isCancelled"] = True
            store._touch(box, mine)


def _attendee_boxes(store: Any, organizer_box: Any, event: dict[str, Any]) -> list[Any]:
    if not event.get("isOrganizer", True):
        return []
    found = []
    for attendee in event.get("attendees") or ():
        box = store.mailbox(str((attendee.get("emailAddress") or {}).get("address") or ""))
        if box is not None and box is not organizer_box and box not in found:
            found.append(box)
    return found


def _copy_of(box: Any, ical_uid: str) -> dict[str, Any] | None:
    return next((e for e in box.events.values() if e.get("iCalUId") == ical_uid), None)
