"""Syncline's pure sync core: item types, ports, mapping tables, ID map, planner, engine shell.

Imports only the standard library and itself. Adapters implement ``MailboxPort``/``CrmPort``;
the lead's SQL layer implements ``IdMapStore``/``CursorStore``.
"""
from types import ModuleType as _ModuleType

from app.sync.actions import (
    Action,
    ConflictRecord,
    CreateInCrm,
    CreateInMailbox,
    DeleteInCrm,
    DeleteInMailbox,
    RecordEntry,
    ResolveConflict,
    Skip,
    UpdateCrm,
    UpdateMailbox,
)
from app.sync.default_mappings import (
    CALENDAR_AS_TASK_MAPPING,
    CONTACT_MAPPING,
    DEFAULT_MAPPINGS,
    TASK_MAPPING,
)
from app.sync.email_saves import plan_email_saves, save_emails
from app.sync.engine import run_sync
from app.sync.errors import (
    AuthFailure,
    CursorExpired,
    InvalidData,
    NotFound,
    PermissionDenied,
    Reaction,
    SyncError,
    TemporaryFailure,
    Throttled,
    reaction_for,
)
from app.sync.event.mapping import EVENT_MAPPING
from app.sync.event.relations import EventRelations, EventRelationSpec
from app.sync.idmap import CursorStore, IdMapEntry, IdMapStore, PendingWrite, sync_key
from app.sync.items import (
    Attendee,
    CalendarException,
    CalendarItem,
    ContactItem,
    EmailMessage,
    FolderKind,
    MailboxItem,
    ResponseStatus,
    ShowAs,
    TaskItem,
    TaskPriority,
    TaskStatus,
    occurrence_id,
)
from app.sync.mapping import BoundMapping, Direction, MappingRow, MappingTable, bind_mapping
from app.sync.outcome import ItemError, KindCounts, SyncOutcome
from app.sync.plan import plan_sync
from app.sync.plan_support import PlanLookups
from app.sync.policy import (
    CancellationPolicy,
    ConflictPolicy,
    SyncOption,
    SyncPolicy,
    SyncSession,
    SyncWindow,
)
from app.sync.ports import (
    SYNC_KEY_FIELD,
    CrmChanges,
    CrmPort,
    CrmRecord,
    ItemPatch,
    MailboxChanges,
    MailboxPort,
    RecordWrite,
    SearchCriteria,
    WriteResult,
)
from app.sync.validation import MappingError, validate_mapping

__all__ = sorted(name for name, value in globals().items()
                 if not name.startswith("_") and not isinstance(value, _ModuleType))
