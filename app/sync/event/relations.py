"""An Event's invitees as EventRelation rows: what the core asks for and the diff that gets there.

The core says which Contacts/Leads were invited with which answer (``EventRelationSpec``); the
diff turns the rows an Event has into those, never by delete-all. Only Contact/Lead rows
(WhoIds) are managed: User rows (the owner, colleagues invited through Salesforce) are neither
invitees we mirror nor ours to delete.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

WHO_PREFIXES = ("003", "00Q")            # Contact, Lead
STATUS_BY_RESPONSE = {"none": "New", "tentative": "New", "accepted": "Accepted", "declined": "Declined"}


@dataclass(frozen=True)
class EventRelationSpec:
    """One EventRelation row: an invitee resolved to a Contact/Lead (WhoId)."""

    relation_id: str
    email: str
    response: str = "none"
    is_invitee: bool = True


@dataclass(frozen=True)
class EventRelations:
    """The complete wanted invitee rows of one Event (a batch of these is one port call).

    ``keep_unlisted``: the rows are added to the Event's, none deleted — a first link, where the
    Event's own invitees were never agreed with this mailbox and are not its to remove.
    """

    event_id: str
    relations: tuple[EventRelationSpec, ...]
    keep_unlisted: bool = False


@dataclass(frozen=True)
class RelationDiff:
    """What to send: rows to create, to update (Id + changed values) and ids to delete."""

    creates: list[dict[str, Any]] = field(default_factory=list)
    updates: list[dict[str, Any]] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)


def is_who(record_id: object) -> bool:
    """A Contact or Lead id (the only EventRelation rows the mirror owns)."""
    return bool(record_id) and str(record_id)[:3] in WHO_PREFIXES


def relation_diff(event_id: str, wanted: Sequence[EventRelationSpec],
                  existing: Sequence[Mapping[str, Any]], keep_unlisted: bool = False) -> RelationDiff:
    """Pure: the writes that turn `existing` rows into `wanted` (specs that are not WhoIds are ignored);
    with ``keep_unlisted`` rows `wanted` does not name stay."""
    want = {s.relation_id[:15]: s for s in wanted if is_who(s.relation_id) and s.response != "organizer"}
    have = {str(r["RelationId"])[:15]: r for r in existing if is_who(r.get("RelationId"))}
    diff = RelationDiff()
    for key, spec in want.items():
        status = STATUS_BY_RESPONSE.get(spec.response, "New")
        row = have.get(key)
        create = {"EventId": event_id, "RelationId": spec.relation_id, "IsInvitee": spec.is_invitee, "Status": status}
        if row is None:
            diff.creates.append(create)
        elif bool(row.get("IsInvitee")) != spec.is_invitee:
            diff.deletes.append(str(row["Id"]))        # IsInvitee cannot be flipped in place
            diff.creates.append(create)
        elif spec.is_invitee and row.get("Status") != status:
            diff.updates.append({"Id": row["Id"], "Status": status})
    if not keep_unlisted:
        diff.deletes.extend(str(r["Id"]) for key, r in have.items() if key not in want)
    return diff
