"""An Event's attendees: the mapping codec that fingerprints them, and the EventRelation rows they become.

Attendees are never Event fields and never written back to the mailbox (a sync engine must
not send invitations); a change of the invitee list replaces the Event's relation rows.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.sync.event.relations import EventRelationSpec
from app.sync.items import CalendarItem, MailboxItem, ResponseStatus
from app.sync.transforms import UNREADABLE, Codec, FieldContext


class AttendeesCodec(Codec):
    """Invitees (minus the organizer) as sorted (email, response) pairs.

    They become EventRelation rows, not Event fields, so the record never carries them
    (``crm_readable`` is False) and nothing is written back to the mailbox.
    """

    salesforce_types = frozenset()
    crm_readable = False

    def salesforce_fields(self, row: Any) -> tuple[str, ...]:
        return ()

    def from_item(self, item: Any, row: Any, ctx: FieldContext) -> list[list[str]]:
        if not isinstance(item, CalendarItem):
            return []
        organizer = (item.organizer or "").lower()
        pairs = {(a.email.lower(), _response(a.response)) for a in item.attendees}
        return [list(p) for p in sorted(pairs) if p[0] != organizer]

    def from_record(self, fields: Mapping[str, Any], row: Any, ctx: FieldContext) -> Any:
        return UNREADABLE

    def to_record(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {}

    def to_item(self, value: Any, row: Any, ctx: FieldContext) -> dict[str, Any]:
        return {}


def relations_for(item: MailboxItem | None, people: Mapping[str, str]) -> tuple[EventRelationSpec, ...] | None:
    """EventRelation rows for the attendees that resolve to a Contact/Lead (``people``: email → WhoId),
    the organizer excluded; None for anything that is not a calendar item."""
    if not isinstance(item, CalendarItem):
        return None
    organizer = item.organizer.lower()
    specs = {}
    for attendee in item.attendees:
        email = attendee.email.lower()
        who = people.get(email)
        if who and email != organizer:
            specs[email] = EventRelationSpec(who, email, _response(attendee.response))
    return tuple(specs[e] for e in sorted(specs))


def relations_change(item: MailboxItem | None, people: Mapping[str, str],
                     had_attendees: bool) -> tuple[EventRelationSpec, ...] | None:
    """The rows to put on a linked Event whose attendees changed; None when there is nothing to replace
    (no invitee resolves now and the Event had none before)."""
    specs = relations_for(item, people)
    return None if not specs and not had_attendees else specs


def _response(response: ResponseStatus | str) -> str:
    return response.value if isinstance(response, ResponseStatus) else response
