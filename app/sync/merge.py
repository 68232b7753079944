"""Field-level three-way merge of one mirrored pair against the last agreed values.

A field changed on one side flows to the other; a field changed on both sides to different
values is a conflict, settled by the org's policy and reported. Timestamps are only the
tiebreak for last-writer-wins; changes themselves are detected by value hashes.

A field with no agreed value yet (the first link to an existing record, a row added later)
has no "change" to compare: there only a value counts, an empty one never blanks the other
side, so both end up holding the union; two different values are a conflict like any other.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.sync.actions import ConflictRecord
from app.sync.conflict_decision import MAILBOX, SALESFORCE, Decision, decide_conflict
from app.sync.mapping import Direction, MappingRow, value_hash
from app.sync.policy import ConflictPolicy

MISSING = object()


@dataclass(frozen=True)
class SideState:
    """One side's canonical values, or ``None`` when that side did not change."""

    values: Mapping[str, Any] | None
    modified_at: datetime | None = None


@dataclass
class MergeResult:
    """Canonical values to write to each side, the new agreed hashes, and overrides made."""

    to_crm: dict[str, Any] = field(default_factory=dict)
    to_mailbox: dict[str, Any] = field(default_factory=dict)
    base: dict[str, str] = field(default_factory=dict)
    conflicts: list[ConflictRecord] = field(default_factory=list)


def merge_fields(rows: Sequence[MappingRow], object_direction: Direction, base: Mapping[str, str],
                 mailbox: SideState, crm: SideState, policy: ConflictPolicy, sync_key: str) -> MergeResult:
    """Decide per field what to write where; ``base`` of the result is what both sides hold after."""
    result = MergeResult(base=dict(base))
    for row in rows:
        direction = row.direction.narrowed_by(object_direction)
        if direction is Direction.NONE:
            continue
        _merge_row(row.key, direction, base.get(row.key), mailbox, crm, policy, sync_key, result)
    return result


def _value(side: SideState, key: str) -> Any:
    return MISSING if side.values is None else side.values.get(key, MISSING)


def _merge_row(key: str, direction: Direction, agreed: str | None, mailbox: SideState, crm: SideState,
               policy: ConflictPolicy, sync_key: str, result: MergeResult) -> None:
    m, c = _value(mailbox, key), _value(crm, key)
    if m is not MISSING and c is not MISSING and value_hash(m) == value_hash(c):
        result.base[key] = value_hash(m)
        return
    m_changed, c_changed = _offered(m, agreed), _offered(c, agreed)
    if m_changed and c_changed:
        decision = _decide(direction, policy, mailbox, crm, first_link=agreed is None)
        if direction is Direction.BOTH:
            result.conflicts.append(ConflictRecord(sync_key, key, m, c, decision.winner, policy, decision.reason,
                                                   mailbox.modified_at, crm.modified_at))
        m_changed, c_changed = decision.winner == MAILBOX, decision.winner == SALESFORCE
    if m_changed and direction.to_salesforce:
        result.to_crm[key] = m
        result.base[key] = value_hash(m)
    elif c_changed and direction.to_mailbox:
        result.to_mailbox[key] = c
        result.base[key] = value_hash(c)


def _offered(value: Any, agreed: str | None) -> bool:
    """Does this side bring a value for the other? A change since the agreed value; with none
    agreed yet, any non-empty value (an empty one is nothing to offer, never a deletion)."""
    if value is MISSING:
        return False
    if agreed is None:
        return not is_empty(value)
    return value_hash(value) != agreed


def is_empty(value: Any) -> bool:
    """No value at all: null, blank text, no list items. False and 0 are values."""
    if isinstance(value, str):
        return not value.strip()
    return value is None or (isinstance(value, (list, tuple, dict)) and not value)


def _decide(direction: Direction, policy: ConflictPolicy, mailbox: SideState, crm: SideState,
            first_link: bool) -> Decision:
    """A one-way row keeps its source; a two-way row asks the org's conflict policy."""
    if direction is Direction.TO_SALESFORCE:
        return Decision(MAILBOX, "this field flows to Salesforce only")
    if direction is Direction.TO_MAILBOX:
        return Decision(SALESFORCE, "this field flows to the mailbox only")
    return decide_conflict(policy, mailbox.modified_at, crm.modified_at, first_link)
