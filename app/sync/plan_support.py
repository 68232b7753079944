"""Small pure helpers the planner uses: lookups, new mailbox items, deletion conflicts."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from app.sync.actions import ConflictRecord
from app.sync.email_links import Directory
from app.sync.idmap import IdMapEntry
from app.sync.items import ITEM_TYPES, FolderKind, MailboxItem
from app.sync.mapping import content_hash
from app.sync.policy import SyncPolicy
from app.sync.ports import CrmRecord

DELETED_FIELD = "(deleted)"


@dataclass(frozen=True)
class PlanLookups:
    """What the engine looked up for the planner, so the planner stays pure.

    ``existing_by_key``: records already carrying a new unit's sync key (org-wide dedup and
    replayed creates); ``fuzzy_candidates``: per unit key, records with equal subject/start/end;
    ``people``: email → WhoId for attendees; ``users``: email → User id for organizers;
    ``directory``: new calendar items' participants for auto-linking (None: no links wanted);
    ``held_elsewhere``: records of pairs deleted in this mailbox that other mailboxes still mirror.
    """

    existing_by_key: Mapping[str, CrmRecord] = field(default_factory=dict)
    fuzzy_candidates: Mapping[str, tuple[CrmRecord, ...]] = field(default_factory=dict)
    people: Mapping[str, str] = field(default_factory=dict)
    users: Mapping[str, str] = field(default_factory=dict)
    directory: Directory | None = None
    held_elsewhere: frozenset[str] = frozenset()


def content_of(hashes: Mapping[str, str]) -> str:
    return content_hash(hashes)


def build_item(kind: FolderKind, attributes: Mapping[str, Any], key: str) -> MailboxItem:
    """A new mailbox item for a record that started in Salesforce; the port assigns its id."""
    extra: dict[str, Any] = {"uid": f"syncline-{key}@syncline"} if kind is FolderKind.CALENDAR else {}
    if kind is FolderKind.MAIL:
        extra = {"message_id": f"<{key}@syncline>"}
    return ITEM_TYPES[kind](item_id="", sync_key=key, **extra, **attributes)


def deletion_conflict(entry: IdMapEntry, policy: SyncPolicy) -> ConflictRecord:
    """The record of a delete overriding an edit on the other side (deletes always win)."""
    return ConflictRecord(entry.sync_key, DELETED_FIELD, "edited", "deleted", "salesforce", policy.conflict,
                          "deleted in Salesforce while edited in the mailbox; delete wins")
