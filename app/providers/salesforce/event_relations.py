"""EventRelation rows of one Event made equal to a wanted set, by a diff (never delete-all).

Only Contact/Lead rows (WhoIds) are managed: User rows (the owner, colleagues invited
through Salesforce) are neither invitees we mirror nor ours to delete.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from app.providers.salesforce.queries import soql_literal
from app.sync.ports import EventRelationSpec

WHO_PREFIXES = ("003", "00Q")            # Contact, Lead
RELATION_FIELDS = "Id, RelationId, IsInvitee, Status"
STATUS_BY_RESPONSE = {"none": "New", "tentative": "New", "accepted": "Accepted", "declined": "Declined"}


@dataclass(frozen=True)
class RelationDiff:
    """What to send: rows to create, to update (Id + changed values) and ids to delete."""

    creates: list[dict] = field(default_factory=list)
    updates: list[dict] = field(default_factory=list)
    deletes: list[str] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (self.creates or self.updates or self.deletes)


def is_who(record_id: str | None) -> bool:
    return bool(record_id) and str(record_id)[:3] in WHO_PREFIXES


def existing_query(event_id: str) -> str:
    return f"SELECT {RELATION_FIELDS} FROM EventRelation WHERE EventId = {soql_literal(event_id)}"


def relation_diff(event_id: str, wanted: Sequence[EventRelationSpec], existing: Sequence[Mapping]) -> RelationDiff:
    """Pure: the writes that turn `existing` rows into `wanted` (specs that are not WhoIds are ignored)."""
    want = {s.relation_id[:15]: s for s in wanted if is_who(s.relation_id) and s.response != "organizer"}
    have = {str(r["RelationId"])[:15]: r for r in existing if is_who(r.get("RelationId"))}
    diff = RelationDiff()
    for key, spec in want.items():
        status = STATUS_BY_RESPONSE.get(spec.response, "New")
        row = have.get(key)
        if row is None:
            diff.creates.append({"EventId": event_id, "RelationId": spec.relation_id,
                                 "IsInvitee": spec.is_invitee, "Status": status})
        elif bool(row.get("IsInvitee")) != spec.is_invitee:
            diff.deletes.append(row["Id"])        # IsInvitee cannot be flipped in place
            diff.creates.append({"EventId": event_id, "RelationId": spec.relation_id,
                                 "IsInvitee": spec.is_invitee, "Status": status})
        elif spec.is_invitee and row.get("Status") != status:
            diff.updates.append({"Id": row["Id"], "Status": status})
    diff.deletes.extend(r["Id"] for key, r in have.items() if key not in want)
    return diff
