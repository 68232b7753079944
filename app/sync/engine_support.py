"""The engine's steps that touch ports or the ID map, kept small and separately testable."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from app.sync.actions import Action, CreateInCrm, CreateInMailbox, Refuse, UpdateCrm, UpdateMailbox
from app.sync.apply import Applied, Ports, write_intents
from app.sync.contacts import normalized_email
from app.sync.email_links import Directory, build_directory
from app.sync.errors import CursorExpired, is_retryable, item_retried
from app.sync.event.links import link_addresses, links_wanted
from app.sync.identity import MailboxUnit, RefusedSeries, entry_for_unit, fuzzy_criteria
from app.sync.idmap import CursorStore, IdMapEntry, IdMapStore, PendingWrite, crm_stream, mailbox_stream
from app.sync.items import CalendarItem, FolderKind, MailboxItem, split_occurrence_id
from app.sync.link_facts import LinkFacts, WriterText
from app.sync.link_ladder import LadderRules, LinkSubject, ladder_query
from app.sync.mapping import BoundMapping, MappingTable
from app.sync.outcome import ItemError, OutcomeBuilder
from app.sync.plan_support import PlanLookups
from app.sync.policy import SyncPolicy, SyncSession, in_window
from app.sync.ports import CrmChanges, CrmPort, CrmRecord, MailboxChanges, MailboxPort, WriteResult


def reconcile_pending(ports: Ports, session: SyncSession, table: MappingTable,
                      entries: Sequence[IdMapEntry]) -> list[IdMapEntry]:
    """Finish or undo creates a crash interrupted, by looking their sync keys up on the far side;
    ``entries`` holds at least every pending one.

    Only a create found on the far side is saved at once (its new id must not be lost). An undone
    one (nothing found) stays pending in the store and is undone in this session's memory only:
    saved, it would read as a settled pair with one side missing, and a crash before this session
    re-planned the create would leave the item on one side for good."""
    to_crm = [e.sync_key for e in entries if e.pending is PendingWrite.CREATE_IN_CRM]
    to_mbx = [e.sync_key for e in entries if e.pending is PendingWrite.CREATE_IN_MAILBOX]
    in_crm = ports.crm.find_by_sync_keys(table.object_type, to_crm) if to_crm else {}
    in_mbx = ports.mailbox.find_by_sync_keys(table.kind, to_mbx) if to_mbx else {}
    fixed: dict[str, IdMapEntry] = {}
    for entry in entries:
        if entry.pending is PendingWrite.CREATE_IN_CRM:
            record = in_crm.get(entry.sync_key)
            # version unknown on purpose: the record is then compared by content, catching edits
            fixed[entry.sync_key] = replace(entry, pending=None, crm_id=record.record_id if record else None)
        elif entry.pending is PendingWrite.CREATE_IN_MAILBOX:
            item = in_mbx.get(entry.sync_key)
            fixed[entry.sync_key] = replace(entry, pending=None, mailbox_item_id=item.item_id if item else None)
    found = [e for e in fixed.values() if e.crm_id and e.mailbox_item_id]
    if found:
        ports.id_map.put(found)
    return [fixed.get(e.sync_key, e) for e in entries]


def pull_mailbox(mailbox: MailboxPort, cursors: CursorStore, mailbox_id: str, kind: FolderKind,
                 outcome: OutcomeBuilder) -> MailboxChanges:
    """The folder's delta; an expired cursor becomes a full listing (the planner deduplicates)."""
    stream = mailbox_stream(kind)
    try:
        return mailbox.changes_since(kind, cursors.load(mailbox_id, stream))
    except CursorExpired:
        outcome.full_resyncs.append(stream)
        return mailbox.changes_since(kind, None)


def pull_crm(crm: CrmPort, cursors: CursorStore, session: SyncSession, table: MappingTable,
             outcome: OutcomeBuilder) -> CrmChanges:
    stream = crm_stream(table.name)
    try:
        return crm.changes_since(table.object_type, cursors.load(session.mailbox_id, stream), session.owner_id)
    except CursorExpired:
        outcome.full_resyncs.append(stream)
        return crm.changes_since(table.object_type, None, session.owner_id)


def with_retries(ports: Ports, table: MappingTable, policy: SyncPolicy, entries: Sequence[IdMapEntry],
                 mailbox_changes: MailboxChanges, crm_changes: CrmChanges,
                 listed: Sequence[str] | None = None) -> tuple[MailboxChanges, CrmChanges]:
    """Add the current state of pairs that failed earlier (dead letters not yet given up on);
    items ``listed`` (read in a later chunk) are not read twice."""
    failed = [e for e in entries if e.last_error and e.attempts < policy.max_attempts and not e.deleted]
    seen_items = {i.item_id for i in mailbox_changes.items} | set(mailbox_changes.deleted_ids) | set(listed or ())
    seen_records = {r.record_id for r in crm_changes.records} | set(crm_changes.deleted_ids)
    item_ids = sorted({split_occurrence_id(e.mailbox_item_id)[0] for e in failed if e.mailbox_item_id} - seen_items)
    record_ids = sorted({e.crm_id for e in failed if e.crm_id} - seen_records)
    items = tuple(ports.mailbox.get_items(table.kind, item_ids)) if item_ids else ()
    records = tuple(ports.crm.get_records(table.object_type, record_ids)) if record_ids else ()
    return (replace(mailbox_changes, items=mailbox_changes.items + items),
            replace(crm_changes, records=crm_changes.records + records))


def tombstones_from_full_listings(ports: Ports, table: MappingTable, entries: Sequence[IdMapEntry],
                                  mailbox_changes: MailboxChanges, crm_changes: CrmChanges,
                                  listing: Sequence[str] | None = None) -> tuple[MailboxChanges, CrmChanges]:
    """A full listing has no tombstones: linked items missing from it AND from a direct get are deleted.

    The direct get keeps items merely outside the listing's scope (window, owner) alive.
    ``listing``: every id of a listing read in chunks (default: the items at hand).
    """
    linked = [e for e in entries if e.is_linked]
    if mailbox_changes.full:
        listed = set(listing or ()) | {i.item_id for i in mailbox_changes.items}
        missing = sorted({split_occurrence_id(e.mailbox_item_id or "")[0] for e in linked} - listed)
        found = {i.item_id for i in ports.mailbox.get_items(table.kind, missing)} if missing else set()
        gone = tuple(i for i in missing if i not in found)
        mailbox_changes = replace(mailbox_changes, deleted_ids=mailbox_changes.deleted_ids + gone)
    if crm_changes.full:
        listed = {r.record_id for r in crm_changes.records}
        missing = sorted({e.crm_id for e in linked if e.crm_id} - listed)
        found = {r.record_id for r in ports.crm.get_records(table.object_type, missing)} if missing else set()
        crm_changes = replace(crm_changes, deleted_ids=crm_changes.deleted_ids + tuple(
            i for i in missing if i not in found))
    return mailbox_changes, crm_changes


def gather_lookups(crm: CrmPort, mapping: BoundMapping, session: SyncSession, policy: SyncPolicy,
                   units: Sequence[MailboxUnit], entries: Sequence[IdMapEntry]) -> PlanLookups:
    """Everything the planner needs from Salesforce about new units, fetched in few calls."""
    by_item = {e.mailbox_item_id: e for e in entries if e.mailbox_item_id}
    by_key = {e.sync_key: e for e in entries}
    new = [u for u in units if (e := entry_for_unit(u, by_item, by_key)) is None or (e.awaiting_create and not e.crm_id)]
    keys = [u.key for u in new]
    existing = {}
    for start in range(0, len(keys), policy.crm_batch_size):
        existing.update(crm.find_by_sync_keys(mapping.table.object_type, keys[start:start + policy.crm_batch_size]))
    fuzzy = {}
    same_people = _same_people(crm, mapping, [u for u in new if u.key not in existing])
    for unit in new:
        criteria = None if unit.key in existing or same_people is not None else fuzzy_criteria(unit, mapping, session)
        if criteria is not None:
            fuzzy[unit.key] = tuple(crm.search(mapping.table.object_type, criteria))
    fuzzy.update(same_people or {})
    people, users = _addresses(crm, [u.item for u in units if isinstance(u.item, CalendarItem)])
    return PlanLookups(existing, fuzzy, people, users, _directory(crm, mapping, session, policy,
                                                                [u.item for u in new if u.key not in existing]))


def _same_people(crm: CrmPort, mapping: BoundMapping,
                  units: Sequence[MailboxUnit]) -> dict[str, tuple[CrmRecord, ...]] | None:
    """For new cards: the org's records with each card's e-mail address, any owner, lowest Id
    first, in batched queries (None when this table does not map contacts' e-mail)."""
    email_field = next((r.salesforce_field for r in mapping.table.active_rows() if r.key == "email"), None)
    if mapping.table.kind is not FolderKind.CONTACTS or email_field is None:
        return None
    emails = {u.key: normalized_email(getattr(u.item, "email", "")) for u in units}
    wanted = sorted({e for e in emails.values() if e})
    found: dict[str, list[CrmRecord]] = {}
    for record in crm.find_by_field(mapping.table.object_type, email_field, wanted) if wanted else []:
        found.setdefault(normalized_email(str(record.fields.get(email_field) or "")), []).append(record)
    return {key: tuple(sorted(found[email], key=lambda r: r.record_id)) for key, email in emails.items()
            if email in found}


def held_elsewhere(id_map: IdMapStore, session: SyncSession, entries: Sequence[IdMapEntry],
                   mailbox_changes: MailboxChanges) -> frozenset[str]:
    """Records of pairs this mailbox deleted that another mailbox still mirrors (one query, only
    when something was deleted): deleting them would take them from the other users too."""
    gone = set(mailbox_changes.deleted_ids)
    crm_ids = sorted({e.crm_id for e in entries if e.is_linked and e.crm_id
                      and (e.mailbox_item_id in gone or e.series_id in gone)})
    return frozenset(id_map.linked_elsewhere(session.mailbox_id, crm_ids)) if crm_ids else frozenset()


def _directory(crm: CrmPort, mapping: BoundMapping, session: SyncSession, policy: SyncPolicy,
               items: Sequence[MailboxItem]) -> Directory | None:
    """ONE ladder look-up for all new calendar items, when the object takes WhoId/WhatId."""
    if mapping.table.kind is not FolderKind.CALENDAR or not links_wanted(mapping.fields):
        return None
    ladder = policy.ladder or LadderRules()
    owner = session.owner_email.strip().lower()
    subjects = [LinkSubject(tuple(a for a in link_addresses([i], owner) if a), i.subject,
                            WriterText(i.organizer.strip().lower(), i.body_text, i.body_html))
                for i in items if isinstance(i, CalendarItem) and not i.cancelled and in_window(i, policy, session.now)]
    query = ladder_query(subjects, ladder)   # only meetings that will be created: autoresolve acts on what it gets
    facts = crm.lookup_links(query) if query else LinkFacts()
    return replace(build_directory(facts.people), facts=facts, ladder=ladder)


def _addresses(crm: CrmPort, items: Sequence[CalendarItem]) -> tuple[dict[str, str], dict[str, str]]:
    attendees = sorted({a.email.lower() for i in items for a in i.attendees})
    organizers = sorted({i.organizer.lower() for i in items if i.organizer})
    return (crm.resolve_people(attendees) if attendees else {}, crm.resolve_users(organizers) if organizers else {})


def finalize_entries(actions: Sequence[Action], applied: Sequence[Applied],
                     before: Sequence[IdMapEntry], max_attempts: int) -> list[IdMapEntry]:
    """Entries to store: the planned state for keys whose writes all succeeded, errors otherwise.

    A permanent error (the table's ``item_retried`` is false) uses up every attempt at once: the
    item is a dead letter, not retried until it is replayed or changes."""
    results = {id(a.action): a.result for a in applied}
    stored = {e.sync_key: e for e in before}
    groups: dict[str, list[Action]] = {}
    planned: dict[str, IdMapEntry] = {}   # the last planned entry of each key
    for action in actions:
        if action.entry is not None:
            groups.setdefault(action.sync_key, []).append(action)
            planned[action.sync_key] = action.entry
    out = []
    for key, group in groups.items():
        failures = [results[id(a)] for a in group if id(a) in results and not results[id(a)].ok]
        failures += [refusal_result(a) for a in group if isinstance(a, Refuse)]
        entry = (_failed(stored.get(key), planned[key], group, failures[0], results, max_attempts) if failures
                 else _succeeded(planned[key], group, results))
        if entry is not None:
            out.append(entry)
    return out + _series_occurrences(actions, results)


def _series_occurrences(actions: Sequence[Action], results: Mapping[int, WriteResult]) -> list[IdMapEntry]:
    """The occurrence entries of series created in the mailbox, now that each series has its id."""
    out = []
    for action in actions:
        result = results.get(id(action))
        if isinstance(action, CreateInMailbox) and result is not None and result.ok and result.target_id:
            series = result.target_id
            out += [replace(e, mailbox_item_id=series + (e.mailbox_item_id or ""), series_id=series)
                    for e in action.occurrences]
    return out


def _succeeded(entry: IdMapEntry, group: Sequence[Action], results: Mapping[int, WriteResult]) -> IdMapEntry:
    for action in group:
        result = results.get(id(action))
        if result is None:      # report-only or ID-map-only action: nothing was written
            continue
        if isinstance(action, CreateInCrm):
            entry = replace(entry, pending=None, crm_id=result.target_id, crm_version=result.version)
        elif isinstance(action, CreateInMailbox):
            entry = replace(entry, pending=None, mailbox_item_id=result.target_id, mailbox_version=result.version)
        elif isinstance(action, UpdateCrm) and result.version:
            entry = replace(entry, crm_version=result.version)
        elif isinstance(action, UpdateMailbox) and result.version:
            entry = replace(entry, mailbox_version=result.version)
    return entry


def _failed(stored: IdMapEntry | None, planned_entry: IdMapEntry, group: Sequence[Action], failure: WriteResult,
            results: Mapping[int, WriteResult], max_attempts: int) -> IdMapEntry | None:
    """Keep the last agreed state and note the error; a failed create stays pending for reconciling.

    Rows a half-applied pair did write become agreed (else our own write would later look like a
    user's edit and lose to the policy); versions stay old so both sides are re-read next time.
    """
    attempts = failed_attempts(stored, failure.error_code, max_attempts)
    create = next((a for a in group if isinstance(a, (CreateInCrm, CreateInMailbox))), None)
    refusal = next((a.entry for a in group if isinstance(a, Refuse)), None)
    base = create.entry if create is not None else stored or (unsent(refusal) if refusal is not None else None)
    if base is None:
        return None
    if create is None:
        planned = planned_entry.field_hashes
        written = {k for a in group if isinstance(a, (UpdateCrm, UpdateMailbox)) and results[id(a)].ok
                   for k in a.row_keys}
        base = replace(base, field_hashes={**base.field_hashes, **{k: planned[k] for k in written if k in planned}})
        [base] = write_intents(group, [base]) or [base]  # a raised batch may still have written
    return replace(base, last_error=f"{failure.error_code}: {failure.error}", attempts=attempts)


def failed_attempts(stored: IdMapEntry | None, code: str | None, max_attempts: int) -> int:
    """Attempts after one more failure; a permanent error (``item_retried`` false) uses them all up,
    so the item is a dead letter until it changes or is replayed."""
    attempts = (stored.attempts if stored else 0) + 1
    return attempts if item_retried(code) else max(attempts, max_attempts)


def refusal_result(action: Refuse) -> WriteResult:
    """A write the planner refused to send, as the failed result it stands for."""
    return WriteResult(False, error=action.reason, error_code=action.code)


def unsent(entry: IdMapEntry) -> IdMapEntry:
    """A new item's entry with nothing agreed or linked yet: the next session plans it as new again."""
    return replace(entry, pending=None, crm_id=None, crm_version=None, mailbox_version=None, field_hashes={},
                   pending_writes={}, mailbox_hash=None, crm_hash=None)


def is_unsent_refusal(entry: IdMapEntry) -> bool:
    """An entry that only records why a new mailbox item was refused for good (nothing exists in
    Salesforce); a retryable failed create is not one: it keeps counting its attempts."""
    return (entry.last_error is not None and not item_retried(entry.last_error.split(":", 1)[0])
            and entry.crm_id is None and entry.pending is None and not entry.deleted
            and entry.mailbox_item_id is not None)


def forget_seen_refusals(id_map: IdMapStore, session: SyncSession, entries: Sequence[IdMapEntry],
                         changes: MailboxChanges) -> list[IdMapEntry]:
    """Drop the unsent refusals of items this session reads again (changed, replayed) or that were
    deleted: the planner decides them afresh, and a refusal that still holds is stored again."""
    seen = {i.item_id for i in changes.items} | set(changes.deleted_ids)
    stale = [e for e in entries if is_unsent_refusal(e) and split_occurrence_id(e.mailbox_item_id or "")[0] in seen]
    if stale:
        id_map.remove(session.mailbox_id, [e.sync_key for e in stale])
    return [e for e in entries if e not in stale]


def refused_series_entries(table: MappingTable, session: SyncSession, entries: Sequence[IdMapEntry],
                           refused: Sequence[RefusedSeries], max_attempts: int) -> list[IdMapEntry]:
    """Each refused series as a failed item: its own entry (kept linked) or a new unsent one, with the reason."""
    by_item = {e.mailbox_item_id: e for e in entries if e.mailbox_item_id}
    by_key = {e.sync_key: e for e in entries}
    out = []
    for r in refused:
        stored = by_item.get(r.item.item_id) or by_key.get(r.key)
        base = stored or IdMapEntry(session.sf_org_id, session.mailbox_id, r.key, table.kind, table.object_type,
                                    mailbox_item_id=r.item.item_id, uid=r.item.uid)
        out.append(replace(base, last_error=f"{r.error.code}: {series_refusal(r)}",
                           attempts=failed_attempts(stored, r.error.code, max_attempts)))
    return out


def series_refusal(refused: RefusedSeries) -> str:
    return f"{refused.item.subject or refused.item.item_id}: {refused.error}"


def held_streams(applied: Sequence[Applied]) -> set[str]:
    """Streams with a retryable failure: their cursor stays so the changes replay."""
    return {s for a in applied if not a.ok and is_retryable(a.result.error_code) for s in a.action.origins}


def record_outcome(outcome: OutcomeBuilder, kind: FolderKind, actions: Sequence[Action],
                   applied: Sequence[Applied]) -> None:
    """Count every action and list every failed write with whether a later session retries it."""
    failed = {id(a.action) for a in applied if not a.ok}
    for action in actions:
        outcome.count(kind, action, id(action) in failed)
    for item in applied:
        if not item.ok:
            code = item.result.error_code or "sync_error"
            outcome.errors.append(ItemError(kind, item.action.sync_key, type(item.action).__name__, code,
                                            item.result.error or code, item_retried(code)))


def refused_series_errors(kind: FolderKind, refused: Sequence[RefusedSeries]) -> list[ItemError]:
    """Series that could not be expanded, as the dashboard's per-item errors (not retried unchanged)."""
    return [ItemError(kind, r.key, "expand series", r.error.code, series_refusal(r), item_retried(r.error.code))
            for r in refused]
