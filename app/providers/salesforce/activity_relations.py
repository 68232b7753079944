"""TaskRelation / EmailMessageRelation rows of saved emails, made present by a diff (never deleted).

The diff makes the write idempotent: a retry after a crash (or a second saver) reads the rows
already there and creates only the missing ones. Salesforce adds the TaskRelation of a
Task's WhoId by itself; that row is found like any other.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence

from app.providers.salesforce.queries import in_list
from app.sync.ports import ActivityRelationSpec

PARENT_FIELD = {"TaskRelation": "TaskId", "EmailMessageRelation": "EmailMessageId"}
SELECT = {"TaskRelation": "SELECT Id, TaskId, RelationId FROM TaskRelation",
          "EmailMessageRelation": "SELECT Id, EmailMessageId, RelationId, RelationType FROM EmailMessageRelation"}


def existing_statements(relation_object: str, parent_ids: Iterable[str]) -> Iterator[str]:
    """Chunked queries for the rows of these parents (one IN-list per chunk)."""
    return in_list(SELECT[relation_object], PARENT_FIELD[relation_object], sorted(set(parent_ids)))


def _identity(relation_object: str, parent_id: str, relation_id: str, role: str) -> tuple[str, str, str]:
    role = role if relation_object == "EmailMessageRelation" else ""
    return str(parent_id)[:15], str(relation_id)[:15], role or ""


def missing(relation_object: str, wanted: Sequence[ActivityRelationSpec],
            existing: Sequence[Mapping]) -> list[int]:
    """Pure: indexes of ``wanted`` rows to create (not there yet, first of duplicates only)."""
    parent = PARENT_FIELD[relation_object]
    have = {_identity(relation_object, r[parent], r["RelationId"], r.get("RelationType") or "") for r in existing}
    out = []
    for index, spec in enumerate(wanted):
        key = _identity(relation_object, spec.parent_id, spec.relation_id, spec.role)
        if key not in have:
            have.add(key)
            out.append(index)
    return out


def relation_row(relation_object: str, spec: ActivityRelationSpec) -> dict:
    """The record to create; a Task's relation is a Who (IsWhat false), an email's carries its role."""
    if relation_object == "TaskRelation":
        return {"TaskId": spec.parent_id, "RelationId": spec.relation_id, "IsWhat": False}
    row = {"EmailMessageId": spec.parent_id, "RelationId": spec.relation_id, "RelationType": spec.role}
    return {**row, "RelationAddress": spec.address} if spec.address else row
