"""What the planner decides, as plain values the engine applies (cosmicpython style).

Every action names its ``sync_key`` and carries the ID map ``entry`` to store once all
actions for that key succeeded; ``origins`` are the change streams it came from, so a
failed action holds exactly those cursors back and the change replays.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from app.sync.event.relations import EventRelationSpec
from app.sync.idmap import IdMapEntry
from app.sync.items import MailboxItem
from app.sync.policy import ConflictPolicy
from app.sync.ports import ItemPatch


@dataclass(frozen=True)
class ConflictRecord:
    """A field changed on both sides to different values; ``winner`` is the side kept."""

    sync_key: str
    field: str
    mailbox_value: Any
    salesforce_value: Any
    winner: str
    policy: ConflictPolicy
    reason: str
    mailbox_modified_at: datetime | None = None
    salesforce_modified_at: datetime | None = None


@dataclass(frozen=True)
class Action:
    """Base of every planned step; ``entry`` is None for report-only actions."""

    sync_key: str
    reason: str
    entry: IdMapEntry | None
    origins: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class CreateInCrm(Action):
    """Upsert by sync key; ``entry`` is stored pending first."""

    fields: Mapping[str, Any] = field(default_factory=dict)
    relations: tuple[EventRelationSpec, ...] | None = None


@dataclass(frozen=True)
class UpdateCrm(Action):
    """Partial update; ``fields`` may be empty when only the relations change.

    ``row_keys`` are the mapping rows written, so a half-applied pair still records them as agreed.
    ``keep_unlisted_relations``: no invitees were agreed yet (a first link), so ``relations`` are added only.
    """

    crm_id: str = ""
    fields: Mapping[str, Any] = field(default_factory=dict)
    relations: tuple[EventRelationSpec, ...] | None = None
    row_keys: tuple[str, ...] = ()
    keep_unlisted_relations: bool = False


@dataclass(frozen=True)
class DeleteInCrm(Action):
    """Delete the record; an already-missing record counts as deleted."""

    crm_id: str = ""


@dataclass(frozen=True)
class CreateInMailbox(Action):
    """Create carrying the sync key; ``entry`` is stored pending first.

    ``occurrences`` (a Salesforce series' children) are stored once the series exists, their
    ``mailbox_item_id`` holding just the occurrence suffix until then.
    """

    item: MailboxItem = field(kw_only=True)
    occurrences: tuple[IdMapEntry, ...] = field(default=(), kw_only=True)


@dataclass(frozen=True)
class UpdateMailbox(Action):
    """Patch the item (or one occurrence of a series) with the rows in ``row_keys``."""

    patch: ItemPatch = field(kw_only=True)
    row_keys: tuple[str, ...] = ()


@dataclass(frozen=True)
class DeleteInMailbox(Action):
    """Delete the item; an occurrence id cancels just that occurrence."""

    item_id: str = ""


@dataclass(frozen=True)
class RecordEntry(Action):
    """ID-map-only change: a link found, new versions after an echo, a tombstone."""


@dataclass(frozen=True)
class Skip(Action):
    """Nothing to do, and why (echo, outside window, direction off, tombstone…); ``subject`` and
    ``when`` name the item on the dashboard's list of skipped items."""

    ref: str = ""
    subject: str = ""
    when: str = ""


@dataclass(frozen=True)
class Refuse(Skip):
    """A write the planner will not send (Salesforce would refuse it): a per-item error with
    ``reason`` on the dashboard, tried again when the item changes or is replayed.

    ``entry`` is the pair as the refusal leaves it (a new item's unsent entry, or the linked pair):
    the ID map stores it with the reason, so the item is listed among the failed items."""

    code: str = "invalid"
    write: str = "CreateInCrm"   # the action it stands for


@dataclass(frozen=True)
class ResolveConflict(Action):
    """Reports an override made by the conflict policy (the writes are separate actions)."""

    conflict: ConflictRecord | None = None
