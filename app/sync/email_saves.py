"""Saving emails one-way to Salesforce, once per message per org (the engine shell).

Crash guarantees as ``run_sync``: the ID-map entry is stored pending before the upsert by
``Syncline_Key__c``; relations are ensured by a diff, so a retry after a crash anywhere
leaves exactly one record and one set of relations. The planning is in ``email_plan``.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, Protocol

from app.sync.actions import CreateInCrm, RecordEntry, Skip
from app.sync.apply import Applied, Ports, apply_actions
from app.sync.auto_save import NO_EXTERNAL
from app.sync.blocklist import blocklisted
from app.sync.email_links import build_directory, link_subject
from app.sync.email_plan import (
    ORIGIN,
    RELATION_OBJECT,
    EmailLookups,
    EmailSavePlan,
    SavedNote,
    email_fields,
    email_key,
    plan_email_saves,
    task_fields,
)
from app.sync.email_rules import BLOCKED_AUTOSAVE, SaveRules, automatic_skips, blocked_autosaves, wanted
from app.sync.engine_support import finalize_entries, held_streams, pull_mailbox, record_outcome
from app.sync.errors import InvalidData, is_retryable
from app.sync.idmap import CursorStore, IdMapEntry, IdMapStore, InPlay, PendingWrite, mailbox_stream
from app.sync.idmap_scope import merged
from app.sync.items import EmailMessage, FolderKind
from app.sync.link_facts import LinkFacts
from app.sync.link_ladder import LadderRules, ladder_query
from app.sync.mapping import MappingTable, field_lengths
from app.sync.outcome import ItemError, OutcomeBuilder, SyncOutcome
from app.sync.policy import SyncPolicy, SyncSession
from app.sync.ports import ActivityRelationSpec, CrmPort, MailboxChanges, MailboxPort, WriteResult
from app.sync.skipped_items import item_facts

EMAIL_TABLE = MappingTable("email_as_email_message", FolderKind.MAIL, "EmailMessage", ())
TASK_TABLE = MappingTable("email_as_task", FolderKind.MAIL, "Task", ())
MAIL = FolderKind.MAIL


class SaveLedger(Protocol):
    """Where the service keeps SavedEmail/SavedEmailSaver rows (the sidebar's "already saved")."""

    def record(self, notes: Sequence[SavedNote]) -> None:
        """Idempotently note that this session's user has these emails in Salesforce."""


def save_emails(session: SyncSession, mailbox: MailboxPort, crm: CrmPort, id_map: IdMapStore, cursors: CursorStore,
                policy: SyncPolicy, describe: Mapping[str, Any] | None = None, rules: SaveRules | None = None,
                ledger: SaveLedger | None = None) -> SyncOutcome:
    """One session of email saving; ``describe`` is that of ``rules.save_as`` (field lengths)."""
    rules = rules or SaveRules()
    crm = blocklisted(crm, rules.blocked)
    ports, outcome = Ports(mailbox, crm, id_map), OutcomeBuilder()
    entries = id_map.entries_in_play(session.mailbox_id, MAIL, InPlay(retry_below=policy.max_attempts))
    changes = _with_retries(mailbox, entries, policy, pull_mailbox(mailbox, cursors, session.mailbox_id, MAIL, outcome))
    chosen, blocked = blocked_autosaves(wanted(changes.items, rules), rules, session.owner_email)
    entries = _with_entries_of(id_map, session, entries, chosen)
    _count_skips(outcome, session, [(m, BLOCKED_AUTOSAVE) for m in blocked]
                 + [(m, NO_EXTERNAL) for m in automatic_skips(changes.items, rules)])
    lookups = gather_email_lookups(crm, session, chosen, entries, rules.ladder)
    plan = plan_email_saves(chosen, entries, session, rules, lookups, field_lengths(describe or {}))
    applied = apply_actions(plan.actions, ports, MAIL, rules.save_as, policy)
    record_ids = _record_ids(plan, applied)
    failed = ensure_relations(crm, plan, record_ids, policy, outcome)
    own = {a.sync_key for a in plan.actions if isinstance(a, CreateInCrm)}
    own |= {e.sync_key for e in entries if e.pending is PendingWrite.CREATE_IN_CRM}
    id_map.put(_hold_failed(finalize_entries(plan.actions, applied, entries, policy.max_attempts), failed, own))
    if ledger is not None:
        ledger.record([replace(n, record_id=record_ids.get(k) or n.record_id) for k, n in plan.notes.items()
                       if (record_ids.get(k) or n.record_id) and k not in failed])
    record_outcome(outcome, MAIL, plan.actions, applied)
    outcome.errors.extend(ItemError(MAIL, r.ref, "save rule", InvalidData.code, r.reason, False) for r in rules.refused)
    retry_relations = any(is_retryable(r.error_code) for r in failed.values())
    held = held_streams(applied) | ({mailbox_stream(MAIL)} if retry_relations else set())
    if mailbox_stream(MAIL) not in held:
        cursors.save(session.mailbox_id, mailbox_stream(MAIL), changes.cursor)
    outcome.held.extend(sorted(held))
    return outcome.build()


def _count_skips(outcome: OutcomeBuilder, session: SyncSession, skipped: Sequence[tuple[EmailMessage, str]]) -> None:
    """Automatic saves left out, each counted under its reason for the dashboard."""
    for message, reason in skipped:
        subject, when = item_facts(message)
        outcome.count(MAIL, Skip(email_key(session.sf_org_id, message), reason, None, ORIGIN, ref=message.item_id,
                                 subject=subject, when=when), False)


def _with_entries_of(id_map: IdMapStore, session: SyncSession, entries: Sequence[IdMapEntry],
                     chosen: Sequence[tuple[EmailMessage, Any]]) -> list[IdMapEntry]:
    """The unfinished entries with those of the messages to save: the map is read by key, never whole."""
    keys = frozenset(email_key(session.sf_org_id, m) for m, _ in chosen) - {e.sync_key for e in entries}
    return merged(entries, id_map.entries_in_play(session.mailbox_id, MAIL, InPlay(sync_keys=keys)) if keys else [])


def _with_retries(mailbox: MailboxPort, entries: Sequence[IdMapEntry], policy: SyncPolicy,
                  changes: MailboxChanges) -> MailboxChanges:
    """Add messages whose save was interrupted or failed earlier and is still worth retrying."""
    listed = {i.item_id for i in changes.items}
    retry = sorted({e.mailbox_item_id for e in entries if e.mailbox_item_id and e.mailbox_item_id not in listed
                    and (e.pending is not None or e.last_error) and e.attempts < policy.max_attempts})
    return replace(changes, items=changes.items + tuple(mailbox.get_items(MAIL, retry))) if retry else changes


def gather_email_lookups(crm: CrmPort, session: SyncSession, chosen: Sequence[tuple[EmailMessage, Any]],
                         entries: Sequence[IdMapEntry], ladder: LadderRules | None = None) -> EmailLookups:
    """Records by key (Task and EmailMessage: the org setting may have changed), then ONE ladder look-up."""
    known = {e.sync_key for e in entries if e.crm_id and e.pending is None and not e.deleted}
    resumed = {e.sync_key for e in entries if e.pending is PendingWrite.CREATE_IN_CRM}
    keyed = {email_key(session.sf_org_id, m): m for m, _ in chosen}
    keys = sorted(k for k in keyed if k not in known)
    existing = {}
    for object_type in (EMAIL_TABLE.object_type, TASK_TABLE.object_type):
        existing.update(crm.find_by_sync_keys(object_type, keys) if keys else {})
    linking = [m for k, m in keyed.items() if k in keys and (k not in existing or k in resumed)]
    subjects = {email_key(session.sf_org_id, m): link_subject(m, session.owner_email) for m in linking}
    query = ladder_query(subjects.values(), ladder or LadderRules())
    facts = crm.lookup_links(query) if query else LinkFacts()
    return EmailLookups(existing, build_directory(facts.people), facts, ladder or LadderRules())


def _record_ids(plan: EmailSavePlan, applied: Sequence[Applied]) -> dict[str, str]:
    """Sync key → Salesforce id: from the upsert results, else from the planned entry."""
    ids = {a.action.sync_key: a.result.target_id for a in applied
           if isinstance(a.action, CreateInCrm) and a.ok and a.result.target_id}
    for action in plan.actions:
        if isinstance(action, RecordEntry) and action.entry is not None and action.entry.crm_id:
            ids.setdefault(action.sync_key, action.entry.crm_id)
    return ids


def ensure_relations(crm: CrmPort, plan: EmailSavePlan, record_ids: Mapping[str, str], policy: SyncPolicy,
                     outcome: OutcomeBuilder) -> dict[str, WriteResult]:
    """Relation rows of saved records, in Collections per relation object; sync key → first failure."""
    object_of = {a.sync_key: a.entry.object_type for a in plan.actions if a.entry is not None}
    failed: dict[str, WriteResult] = {}
    for relation_object in sorted(set(RELATION_OBJECT.values())):
        specs = [(key, ActivityRelationSpec(record_ids[key], r.relation_id, r.role, r.address))
                 for key, intents in plan.relations.items() if key in record_ids
                 and RELATION_OBJECT.get(object_of.get(key, "")) == relation_object for r in intents]
        for start in range(0, len(specs), policy.crm_batch_size):
            batch = specs[start:start + policy.crm_batch_size]
            results = crm.ensure_activity_relations(relation_object, [s for _, s in batch])
            for (key, _), result in zip(batch, results):
                if not result.ok and key not in failed:
                    failed[key] = result
                    outcome.errors.append(ItemError(MAIL, key, relation_object, result.error_code or "sync_error",
                                                    result.error or "relation not saved",
                                                    is_retryable(result.error_code)))
    return failed


def _hold_failed(final: Sequence[IdMapEntry], failed: Mapping[str, WriteResult],
                 own: set[str]) -> list[IdMapEntry]:
    """A record whose relations failed is retried: our own create resumes, another's link is re-planned."""
    out = []
    for entry in final:
        result = failed.get(entry.sync_key)
        if result is not None and entry.crm_id:
            error, mine = f"{result.error_code}: {result.error}", entry.sync_key in own
            entry = replace(entry, last_error=error, attempts=entry.attempts + 1,
                            pending=PendingWrite.CREATE_IN_CRM if mine else None,
                            crm_id=entry.crm_id if mine else None)
        out.append(entry)
    return out


__all__ = ["EMAIL_TABLE", "TASK_TABLE", "SaveLedger", "email_fields", "email_key", "plan_email_saves",
           "save_emails", "task_fields"]
