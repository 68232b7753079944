"""Field-level three-way merge of one mirrored pair against the last agreed values.

A field changed on one side flows to the other; a field changed on both sides to different
values is a conflict, settled by the org's policy and reported. Timestamps are only the
tiebreak for last-writer-wins; changes themselves are detected by value hashes.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.sync.actions import ConflictRecord
from app.sync.mapping import Direction, MappingRow, value_hash
from app.sync.policy import ConflictPolicy

MISSING = object()
MAILBOX, SALESFORCE = "mailbox", "salesforce"


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
    m_changed = m is not MISSING and value_hash(m) != agreed
    c_changed = c is not MISSING and value_hash(c) != agreed
    if m_changed and c_changed and value_hash(m) == value_hash(c):
        result.base[key] = value_hash(m)
        return
    if m_changed and c_changed:
        winner = _winner(direction, policy, mailbox.modified_at, crm.modified_at)
        if winner is None:
            return
        if direction is Direction.BOTH:
            result.conflicts.append(ConflictRecord(sync_key, key, m, c, winner, policy, _why(policy, winner),
                                                   mailbox.modified_at, crm.modified_at))
        m_changed, c_changed = winner == MAILBOX, winner == SALESFORCE
    if m_changed and direction.to_salesforce:
        result.to_crm[key] = m
        result.base[key] = value_hash(m)
    elif c_changed and direction.to_mailbox:
        result.to_mailbox[key] = c
        result.base[key] = value_hash(c)


def _winner(direction: Direction, policy: ConflictPolicy, mailbox_at: datetime | None,
            crm_at: datetime | None) -> str | None:
    if direction is Direction.TO_SALESFORCE:
        return MAILBOX
    if direction is Direction.TO_MAILBOX:
        return SALESFORCE
    if policy is ConflictPolicy.SALESFORCE_WINS:
        return SALESFORCE
    if policy is ConflictPolicy.MAILBOX_WINS:
        return MAILBOX
    if mailbox_at is not None and crm_at is not None and crm_at > mailbox_at:
        return SALESFORCE
    return MAILBOX  # tie or unknown times: the mailbox is where people edit meetings


def _why(policy: ConflictPolicy, winner: str) -> str:
    if policy is ConflictPolicy.LAST_WRITER_WINS:
        return f"both sides changed this field; {winner} was modified last (ties go to the mailbox)"
    return f"both sides changed this field; policy {policy.value} keeps the {winner} value"
