"""Applying planned actions through the ports, in batches, collecting one result per action.

Pending entries are written to the ID map BEFORE any create, so a crash between "created
on the other side" and "ID map written" is recovered by looking the sync key up on restart.
A batch that raises counts as failed for every action in it; ``AuthFailure`` and ``SetupRequired``
(the org lost one of Syncline's fields) stop the run.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from app.sync.actions import (
    Action,
    CreateInCrm,
    CreateInMailbox,
    DeleteInCrm,
    DeleteInMailbox,
    UpdateCrm,
    UpdateMailbox,
)
from app.sync.errors import AuthFailure, NotFound, SetupRequired, SyncError
from app.sync.event.relations import EventRelations
from app.sync.idmap import IdMapEntry, IdMapStore, with_write_intents
from app.sync.items import FolderKind
from app.sync.policy import SyncPolicy
from app.sync.ports import CrmPort, MailboxPort, RecordWrite, WriteResult

A = TypeVar("A", bound=Action)
T = TypeVar("T")


@dataclass(frozen=True)
class Applied:
    """The outcome of one action; ``result`` is the port's per-record answer."""

    action: Action
    result: WriteResult

    @property
    def ok(self) -> bool:
        return self.result.ok


@dataclass(frozen=True)
class Ports:
    """The three collaborators a run writes through."""

    mailbox: MailboxPort
    crm: CrmPort
    id_map: IdMapStore


def apply_actions(actions: Sequence[Action], ports: Ports, kind: FolderKind, object_type: str,
                  policy: SyncPolicy, before: Sequence[IdMapEntry] = ()) -> list[Applied]:
    """Perform every write action; returns results for writes only (in no particular order).

    First stores pending creates and the intents of updates to ``before`` entries (write-ahead).
    """
    pending = [a.entry for a in actions if isinstance(a, (CreateInCrm, CreateInMailbox)) and a.entry]
    pending += write_intents(actions, before)
    if pending:
        ports.id_map.put(pending)
    crm, mbx, size, msize = ports.crm, ports.mailbox, policy.crm_batch_size, policy.mailbox_batch_size
    applied: list[Applied] = []
    applied += _batched(_of(actions, CreateInCrm), size, lambda b: crm.upsert_by_sync_key(
        object_type, [RecordWrite(a.fields, sync_key=a.sync_key) for a in b]))
    updates = _of(actions, UpdateCrm)
    applied += [Applied(a, WriteResult(True, a.crm_id)) for a in updates if not a.fields]
    applied += _batched([a for a in updates if a.fields], size, lambda b: crm.update_records(
        object_type, [RecordWrite(a.fields, record_id=a.crm_id) for a in b]))
    applied += _tolerate_missing(_batched(_of(actions, DeleteInCrm), size,
                                          lambda b: crm.delete_records(object_type, [a.crm_id for a in b])))
    applied = _apply_relations(applied, crm, size)
    applied += _batched(_of(actions, CreateInMailbox), msize, lambda b: mbx.create_items(
        kind, [a.item for a in b]))
    applied += _batched(_of(actions, UpdateMailbox), msize, lambda b: mbx.update_items(
        kind, [a.patch for a in b]))
    applied += _tolerate_missing(_batched(_of(actions, DeleteInMailbox), msize,
                                          lambda b: mbx.delete_items(kind, [a.item_id for a in b])))
    return applied


def write_intents(actions: Sequence[Action], before: Sequence[IdMapEntry]) -> list[IdMapEntry]:
    """Stored entries annotated with the field values the coming updates will write."""
    stored = {e.sync_key: e for e in before}
    intents: dict[str, dict[str, str]] = {}
    for action in actions:
        if isinstance(action, (UpdateCrm, UpdateMailbox)) and action.entry is not None \
                and action.sync_key in stored:
            side = "crm" if isinstance(action, UpdateCrm) else "mailbox"
            planned = action.entry.field_hashes
            intents.setdefault(action.sync_key, {}).update(
                {f"{side}:{k}": planned[k] for k in action.row_keys if k in planned})
    return [with_write_intents(stored[key], rows) for key, rows in intents.items() if rows]


def _of(actions: Sequence[Action], cls: type[A]) -> list[A]:
    return [a for a in actions if type(a) is cls]


def _batched(actions: Sequence[A], size: int, call: Callable[[Sequence[A]], list[WriteResult]]) -> list[Applied]:
    return [Applied(a, r) for a, r in zip(actions, _results_in_batches(actions, size, call))]


def _results_in_batches(items: Sequence[T], size: int, call: Callable[[Sequence[T]], list[WriteResult]]
                        ) -> list[WriteResult]:
    """One result per item, ``size`` items per port call; a call that raises fails its whole batch."""
    results: list[WriteResult] = []
    for start in range(0, len(items), max(size, 1)):
        batch = items[start:start + max(size, 1)]
        try:
            got = call(batch)
        except (AuthFailure, SetupRequired):   # about the session, not this batch: stop the run
            raise
        except SyncError as exc:  # the whole call failed: nothing in it is known to be written
            got = [WriteResult(False, error=str(exc) or exc.code, error_code=exc.code)] * len(batch)
        missing = len(batch) - len(got)   # a port that answered short: never shift later results
        results += got[:len(batch)] + [WriteResult(False, error="no result for this item", error_code=SyncError.code)] * missing
    return results


def _tolerate_missing(applied: list[Applied]) -> list[Applied]:
    """Deleting what is already gone is success (idempotent replays)."""
    return [Applied(a.action, WriteResult(True)) if a.result.error_code == NotFound.code else a for a in applied]


def _apply_relations(applied: list[Applied], crm: CrmPort, size: int) -> list[Applied]:
    """Replace the EventRelation rows of every Event written successfully, many Events per port call;
    a failure fails that Event's action (its relations are retried with it)."""
    wanted = [(index, EventRelations(item.result.target_id, item.action.relations,
                                     isinstance(item.action, UpdateCrm) and item.action.keep_unlisted_relations))
              for index, item in enumerate(applied)
              if isinstance(item.action, (CreateInCrm, UpdateCrm)) and item.action.relations is not None
              and item.ok and item.result.target_id]
    results = _results_in_batches([change for _, change in wanted], size, crm.replace_event_relations)
    out = list(applied)
    for (index, _), result in zip(wanted, results):
        if not result.ok:
            out[index] = Applied(out[index].action, result)
    return out
