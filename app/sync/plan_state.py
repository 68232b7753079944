"""The planner's working state: indexes over its inputs and the actions decided so far."""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from app.sync.actions import Action, Skip
from app.sync.idmap import IdMapEntry, crm_stream, mailbox_stream
from app.sync.mapping import BoundMapping, mailbox_values, value_hash
from app.sync.plan_support import PlanLookups
from app.sync.policy import SyncPolicy, SyncSession
from app.sync.ports import CrmRecord
from app.sync.skipped_items import item_facts, record_facts


@dataclass
class PlanState:
    """Indexes over the planner's inputs plus the actions decided so far (a private builder)."""

    session: SyncSession
    policy: SyncPolicy
    mapping: BoundMapping
    lookups: PlanLookups
    entries: Sequence[IdMapEntry]
    crm_deleted: frozenset[str]
    mailbox_deleted: frozenset[str]
    actions: list[Action] = field(default_factory=list)
    handled_records: set[str] = field(default_factory=set)
    relinked: set[str] = field(default_factory=set)     # deleted Events whose occurrence a new Event took over
    carried: set[str] = field(default_factory=set)      # sync keys kept across single ⇄ series
    planned_keys: set[str] = field(default_factory=set)   # new units already planned this run

    def __post_init__(self) -> None:
        self.by_item = {e.mailbox_item_id: e for e in self.entries if e.mailbox_item_id}
        self.by_key = {e.sync_key: e for e in self.entries}
        self.by_crm = {e.crm_id: e for e in self.entries if e.crm_id}
        self.linked_crm = {e.crm_id for e in self.entries if e.crm_id and not e.deleted}
        self.by_parent: dict[str, list[IdMapEntry]] = {}
        for entry in self.entries:
            for parent in {entry.series_id, entry.mailbox_item_id}:
                if parent is not None:
                    self.by_parent.setdefault(parent, []).append(entry)
        self.direction = self.policy.option(self.mapping.table.kind).direction
        self.ctx = self.mapping.context(self.session.timezone)
        self.mb_origin = frozenset({mailbox_stream(self.mapping.table.kind)})
        self.crm_origin = frozenset({crm_stream(self.mapping.table.name)})

    def one_way_agreed(self, item: object) -> dict[str, str]:
        """For an item built from a Salesforce record: the rows that go to Salesforce only, as the
        item holds them. The record never sent them, so without these the next read of the item
        would offer them (e.g. ``Syncline_Cancelled__c`` null → false) as if the user had edited it."""
        rows = {r.key: r.direction.narrowed_by(self.direction) for r in self.mapping.table.rows}
        return {k: value_hash(v) for k, v in mailbox_values(self.mapping, item, self.ctx).items()
                if rows[k].to_salesforce and not rows[k].to_mailbox}

    def add(self, *actions: Action) -> None:
        self.actions.extend(actions)

    def skip(self, key: str, ref: str, reason: str, origins: frozenset[str], about: Any = None) -> None:
        """``about``: the mailbox item or Salesforce record skipped, for its subject and date."""
        if isinstance(about, CrmRecord):
            subject, when = record_facts(about.fields)
        else:
            subject, when = item_facts(about)
        self.add(Skip(key, reason, None, origins, ref=ref, subject=subject, when=when))
