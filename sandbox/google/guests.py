"""Guests' copies of a meeting, as Google Calendar keeps them inside one Workspace domain.

An event whose organiser invites another user of the domain appears in that user's primary
calendar under the SAME event id and ``iCalUID`` (the organiser's ``organizer``, the guest's own
attendee row marked ``self``), whatever ``sendUpdates`` says: that parameter only decides whether
Google mails anyone. The organiser's later changes and cancellations reach every copy; a guest's
own edits stay in their copy.
"""
from __future__ import annotations

import copy
from typing import Any


def guests_in_domain(event: dict[str, Any], owner: str, users: set[str]) -> list[str]:
    """The attendees (not resources, not the organiser) who have a calendar in this domain."""
    out = []
    for guest in event.get("attendees") or ():
        email = str(guest.get("email") or "").lower()
        if email and email != owner and email in users and not guest.get("resource"):
            out.append(email)
    return out


def guest_copy(event: dict[str, Any], owner: str, guest: str, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The guest's copy after the organiser's write: the organiser's fields, the guest's own reply kept."""
    mine = {str(a.get("email") or "").lower(): a for a in (previous or {}).get("attendees") or ()}
    out = {k: copy.deepcopy(v) for k, v in event.items() if not k.startswith("_") and k not in ("etag", "updated")}
    out["organizer"] = {"email": owner}
    out["creator"] = {"email": owner}
    attendees = []
    for row in out.get("attendees") or ():
        email = str(row.get("email") or "").lower()
        if email == guest:
            row = {**row, "self": True, "responseStatus": (mine.get(email) or row).get("responseStatus", "needsAction")}
        else:
            row = {k: v for k, v in row.items() if k != "self"}
        attendees.append(row)
    out["attendees"] = attendees
    return out
