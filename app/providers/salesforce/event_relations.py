"""EventRelation rows of many Events made equal to their wanted sets in one batch of writes.

The rules (which rows, which Status) are the core's (``app.sync.event.relations``); this module
reads the Events' current rows with chunked IN-lists and merges every Event's diff into one
list of deletes, one of creates and one of updates, so a batch of Events costs a few
Collections calls instead of one call per Event. Each row remembers its Event, so a failed
row fails only that Event.
"""
from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.providers.salesforce.queries import in_list
from app.sync.event.relations import EventRelations, relation_diff

SELECT = "SELECT Id, EventId, RelationId, IsInvitee, Status FROM EventRelation"


def existing_relation_statements(event_ids: Iterable[str]) -> Iterator[str]:
    """Chunked queries for the relation rows of these Events (one IN-list per chunk)."""
    return in_list(SELECT, "EventId", sorted(set(event_ids)))


@dataclass
class RelationWrites:
    """Every Event's diff merged; each row is paired with the index of the Event it belongs to."""

    deletes: list[tuple[int, str]] = field(default_factory=list)
    creates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    updates: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def merged_writes(changes: Sequence[EventRelations], existing: Iterable[Mapping[str, Any]]) -> RelationWrites:
    """Pure: the deletes, creates and updates of all Events (send deletes first: an IsInvitee flip re-creates)."""
    rows_by_event: dict[str, list[Mapping[str, Any]]] = {}
    for row in existing:
        rows_by_event.setdefault(str(row.get("EventId"))[:15], []).append(row)
    writes = RelationWrites()
    for index, change in enumerate(changes):
        diff = relation_diff(change.event_id, change.relations, rows_by_event.get(change.event_id[:15], []),
                             change.keep_unlisted)
        writes.deletes += [(index, row_id) for row_id in diff.deletes]
        writes.creates += [(index, row) for row in diff.creates]
        writes.updates += [(index, row) for row in diff.updates]
    return writes
