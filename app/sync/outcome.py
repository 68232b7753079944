"""What one sync run did, for the dashboard: counts per kind, per-item errors, conflicts."""
from __future__ import annotations

from collections import Counter, deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from app.sync.actions import (
    Action,
    ConflictRecord,
    CreateInCrm,
    CreateInMailbox,
    DeleteInCrm,
    DeleteInMailbox,
    RecordEntry,
    Refuse,
    ResolveConflict,
    Skip,
    UpdateCrm,
    UpdateMailbox,
)
from app.sync.items import FolderKind
from app.sync.skipped_items import ECHO, MAX_SKIPPED_ITEMS, SkippedItem

COUNTED = {CreateInCrm: "created", CreateInMailbox: "created", UpdateCrm: "updated", UpdateMailbox: "updated",
           DeleteInCrm: "deleted", DeleteInMailbox: "deleted", Skip: "skipped", RecordEntry: "recorded"}


@dataclass(frozen=True)
class ItemError:
    """One action that failed; ``retried``: a later session tries it again (the table's item fate)."""

    kind: FolderKind
    sync_key: str
    action: str
    code: str
    message: str
    retried: bool


@dataclass(frozen=True)
class KindCounts:
    """Actions per folder kind, both directions together; ``recorded`` = ID-map-only changes."""

    created: int = 0
    updated: int = 0
    deleted: int = 0
    skipped: int = 0
    failed: int = 0
    recorded: int = 0


@dataclass(frozen=True)
class SyncOutcome:
    """Result of ``run_sync``. ``held_streams`` did not advance their cursor and will replay."""

    counts: Mapping[FolderKind, KindCounts] = field(default_factory=dict)
    errors: tuple[ItemError, ...] = ()
    conflicts: tuple[ConflictRecord, ...] = ()
    full_resyncs: tuple[str, ...] = ()
    held_streams: tuple[str, ...] = ()
    skip_reasons: Mapping[str, int] = field(default_factory=dict)
    unavailable: Mapping[FolderKind, str] = field(default_factory=dict)   # kind → why the server lacks it
    # kind → reason → items: why items did not sync (a card outside the contact scope…), for the dashboard
    skips_by_kind: Mapping[FolderKind, Mapping[str, int]] = field(default_factory=dict)
    skipped_items: tuple[SkippedItem, ...] = ()     # the last MAX_SKIPPED_ITEMS, one by one

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class OutcomeBuilder:
    """Accumulates a run's results across mapping tables (mutable, private to the engine)."""

    counts: dict[FolderKind, Counter[str]] = field(default_factory=dict)
    errors: list[ItemError] = field(default_factory=list)
    conflicts: list[ConflictRecord] = field(default_factory=list)
    full_resyncs: list[str] = field(default_factory=list)
    held: list[str] = field(default_factory=list)
    skip_reasons: Counter[str] = field(default_factory=Counter)
    unavailable: dict[FolderKind, str] = field(default_factory=dict)
    skips_by_kind: dict[FolderKind, Counter[str]] = field(default_factory=dict)
    skipped_items: deque[SkippedItem] = field(default_factory=lambda: deque(maxlen=MAX_SKIPPED_ITEMS))

    def count(self, kind: FolderKind, action: Action, failed: bool) -> None:
        counter = self.counts.setdefault(kind, Counter())
        if isinstance(action, ResolveConflict) and action.conflict is not None:
            self.conflicts.append(action.conflict)
        elif failed or isinstance(action, Refuse):
            counter["failed"] += 1
        elif type(action) in COUNTED:
            counter[COUNTED[type(action)]] += 1
        if isinstance(action, Refuse):
            self.errors.append(ItemError(kind, action.sync_key, action.write, action.code, action.reason, False))
        elif isinstance(action, Skip):
            self.skip_reasons[action.reason] += 1
            self.skips_by_kind.setdefault(kind, Counter())[action.reason] += 1
            if action.reason != ECHO:
                side = "salesforce" if any(o.startswith("crm:") for o in action.origins) else "mailbox"
                self.skipped_items.append(SkippedItem(kind.value, action.ref, action.sync_key, action.subject,
                                                      action.when, action.reason, side))

    def build(self) -> SyncOutcome:
        counts = {k: KindCounts(**{name: c.get(name, 0) for name in KindCounts.__dataclass_fields__})
                  for k, c in self.counts.items()}
        return SyncOutcome(counts, tuple(self.errors), tuple(self.conflicts), tuple(self.full_resyncs),
                           tuple(self.held), dict(self.skip_reasons), dict(self.unavailable),
                           {k: dict(c) for k, c in self.skips_by_kind.items()}, tuple(self.skipped_items))
