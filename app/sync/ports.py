"""The two ports the core talks through: a mailbox and the CRM. No I/O lives in the core.

Adapters (``app/providers``) implement these; ``tests/fakes`` holds faithful in-memory ones.
Every write method is batched and returns one ``WriteResult`` per input, in input order, so
one bad record never sinks a batch (Salesforce ``allOrNone=false``).
"""
from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from app.sync.event.relations import EventRelations
from app.sync.items import FolderKind, MailboxItem

if TYPE_CHECKING:   # link_facts builds on PersonMatch below
    from app.sync.link_facts import LinkFacts, LinkQuery

SYNC_KEY_FIELD = "Syncline_Key__c"


@dataclass(frozen=True)
class MailboxChanges:
    """What changed in one folder since a cursor; ``full`` marks a complete listing.

    Recurring series come back as the master only, exceptions folded in.
    ``deleted_ids`` are tombstones; items merely absent from a full listing are NOT deleted.
    """

    kind: FolderKind
    items: tuple[MailboxItem, ...] = ()
    deleted_ids: tuple[str, ...] = ()
    cursor: str | None = None
    full: bool = False


@dataclass(frozen=True)
class MailboxListing:
    """What changed in one folder, by id only (a streaming port's first answer): the items are
    read afterwards, chunk by chunk, so an import never holds the whole mailbox."""

    kind: FolderKind
    changed_ids: tuple[str, ...] = ()
    deleted_ids: tuple[str, ...] = ()
    cursor: str | None = None
    full: bool = False


@dataclass(frozen=True)
class ItemPatch:
    """Attribute changes for one mailbox item (or occurrence id); unlisted attributes stay."""

    item_id: str
    changes: Mapping[str, Any]


@dataclass(frozen=True)
class CrmRecord:
    """One Salesforce record; ``version`` is SystemModstamp (or any opaque change token)."""

    object_type: str
    record_id: str
    fields: Mapping[str, Any]
    version: str = ""
    modified_at: datetime | None = None

    @property
    def sync_key(self) -> str | None:
        return self.fields.get(SYNC_KEY_FIELD)


@dataclass(frozen=True)
class CrmChanges:
    """Records of one object changed since a cursor, plus deleted record ids."""

    object_type: str
    records: tuple[CrmRecord, ...] = ()
    deleted_ids: tuple[str, ...] = ()
    cursor: str | None = None
    full: bool = False


@dataclass(frozen=True)
class RecordWrite:
    """Field values to write; ``record_id`` for updates, ``sync_key`` for create-upserts."""

    fields: Mapping[str, Any]
    record_id: str | None = None
    sync_key: str | None = None


@dataclass(frozen=True)
class WriteResult:
    """Per-record result; ``error_code`` is an ``errors.SyncError.code``."""

    ok: bool
    target_id: str | None = None
    version: str | None = None
    error: str | None = None
    error_code: str | None = None
    duplicate_of: str | None = None   # a duplicate rule refused the create: the existing record it matched


@dataclass(frozen=True)
class PersonMatch:
    """A Contact, unconverted Lead or active User carrying an email address (auto-linking)."""

    record_id: str
    object_type: str
    account_id: str | None = None


@dataclass(frozen=True)
class ActivityRelationSpec:
    """One TaskRelation / EmailMessageRelation row; ``role`` is the RelationType ("" for Tasks)."""

    parent_id: str
    relation_id: str
    role: str = ""
    address: str = ""


@dataclass(frozen=True)
class RecordTie:
    """A record naming another through ``field`` (a Task's WhoId, a Contact's AccountId…);
    ``ours``: Syncline wrote it (it carries a sync key)."""

    object_type: str
    record_id: str
    field: str
    ours: bool = False


@dataclass(frozen=True)
class SearchCriteria:
    """Equality filters for a fuzzy identity search (Subject + start + end)."""

    equals: Mapping[str, Any] = field(default_factory=dict)
    owner_id: str | None = None
    limit: int = 5


class MailboxPort(Protocol):
    """One connected mailbox. Raises only ``app.sync.errors`` exceptions."""

    def changes_since(self, kind: FolderKind, cursor: str | None) -> MailboxChanges:
        """Changes after ``cursor`` (None → full listing). Raises ``CursorExpired``."""

    def get_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[MailboxItem]:
        """Current state of these items; missing ones are omitted."""

    def create_items(self, kind: FolderKind, items: Sequence[MailboxItem]) -> list[WriteResult]:
        """Create items, storing each ``sync_key`` in an extended property."""

    def update_items(self, kind: FolderKind, patches: Sequence[ItemPatch]) -> list[WriteResult]:
        """Apply patches; an occurrence id updates (or creates) that occurrence's exception."""

    def delete_items(self, kind: FolderKind, item_ids: Sequence[str]) -> list[WriteResult]:
        """Delete items; an occurrence id cancels that occurrence only."""

    def find_by_sync_keys(self, kind: FolderKind, keys: Sequence[str]) -> dict[str, MailboxItem]:
        """Items we created earlier, by the sync key stored on them (crash recovery)."""


class StreamingMailboxPort(MailboxPort, Protocol):
    """A mailbox that lists changes by id and reads the items in chunks (optional: the engine
    falls back to ``changes_since`` for ports without it)."""

    def list_changes(self, kind: FolderKind, cursor: str | None) -> MailboxListing | MailboxChanges:
        """Ids changed and deleted after ``cursor`` (None → full listing); a folder the port does not
        stream answers its whole ``MailboxChanges`` (one chunk). Raises ``CursorExpired``."""

    def read_chunks(self, kind: FolderKind, item_ids: Sequence[str], size: int) -> Iterator[list[MailboxItem]]:
        """The current state of these items, ``size`` ids per chunk in order (missing ones
        omitted); the port may read the next chunk while the caller works on this one."""


class CrmPort(Protocol):
    """One Salesforce org. Raises only ``app.sync.errors`` exceptions."""

    def changes_since(self, object_type: str, cursor: str | None, owner_id: str | None) -> CrmChanges:
        """Records of ``owner_id`` changed after ``cursor`` and deleted ids. May raise CursorExpired."""

    def get_records(self, object_type: str, record_ids: Sequence[str]) -> list[CrmRecord]:
        """Current state of these records; missing ones are omitted."""

    def upsert_by_sync_key(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        """Create-or-update by ``Syncline_Key__c`` so a replayed create never duplicates."""

    def create_records(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        """Insert records that have no sync key (autoresolve's Leads, Contacts, Accounts); a duplicate
        rule's refusal comes back failed with ``duplicate_of`` set to the record it matched."""

    def update_records(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        """Update existing records by id (partial field sets)."""

    def record_ties(self, record_ids: Sequence[str]) -> dict[str, list[RecordTie]]:
        """Record id → the activities, email relations and Contacts that name it (a few queries)."""

    def delete_records(self, object_type: str, record_ids: Sequence[str]) -> list[WriteResult]:
        """Delete records by id."""

    def find_by_sync_keys(self, object_type: str, keys: Sequence[str]) -> dict[str, CrmRecord]:
        """Records carrying these sync keys (crash recovery and org-wide dedup)."""

    def find_by_field(self, object_type: str, field_name: str, values: Sequence[str]) -> list[CrmRecord]:
        """Org-wide records whose ``field_name`` is one of ``values`` (text compared case-insensitively)."""

    def search(self, object_type: str, criteria: SearchCriteria) -> list[CrmRecord]:
        """Records matching every equality filter (identity ladder, fuzzy step)."""

    def resolve_people(self, emails: Sequence[str]) -> dict[str, str]:
        """Lower-cased email → Contact/Lead id (WhoId) for the addresses that resolve."""

    def resolve_users(self, emails: Sequence[str]) -> dict[str, str]:
        """Lower-cased email → Salesforce User id, to keep the organizer as owner."""

    def replace_event_relations(self, changes: Sequence[EventRelations]) -> list[WriteResult]:
        """Make each Event's EventRelation rows exactly its ``relations``, all Events in few calls."""

    def lookup_participants(self, emails: Sequence[str]) -> dict[str, tuple[PersonMatch, ...]]:
        """Lower-cased email → every Contact, unconverted Lead and active User with it (one query set)."""

    def ensure_activity_relations(self, relation_object: str,
                                  relations: Sequence[ActivityRelationSpec]) -> list[WriteResult]:
        """Create the TaskRelation/EmailMessageRelation rows not there yet (idempotent, never deletes)."""

    def lookup_links(self, query: LinkQuery) -> LinkFacts:
        """The resolution ladder's facts for a whole session: people, Accounts by domain, their
        Opportunities, Cases by number/id (a few Composite calls, not one per item)."""
