"""A faithful in-memory ``CrmPort`` (a Salesforce org), plus in-memory ``IdMapStore`` and
``CursorStore`` (the lead's SQL versions replace these in production).

Faithful where it matters to the core: SystemModstamp-like versions bump on every write,
changes since a cursor include deletes, upsert is by ``Syncline_Key__c``, over-long strings
are rejected like ``STRING_TOO_LONG`` when a describe is given, failures inject mid-batch.
"""
from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from app.sync.errors import CursorExpired, Duplicate, InvalidData, NotFound
from app.sync.event.relations import EventRelations, EventRelationSpec
from app.sync.idmap import IdMapEntry, InPlay
from app.sync.items import FolderKind
from app.sync.link_facts import PERSON_ACCOUNT, AccountMatch, LinkFacts, LinkQuery, OpportunityMatch
from app.sync.ports import (
    SYNC_KEY_FIELD,
    ActivityRelationSpec,
    CrmChanges,
    CrmRecord,
    PersonMatch,
    RecordTie,
    RecordWrite,
    SearchCriteria,
    WriteResult,
)
from app.sync.web_domains import website_matches
from tests.fakes.mailbox_memory import Faults, TickingClock
from tests.fakes.serialized import serialized

ID_PREFIX = {"Event": "00U", "Task": "00T", "Contact": "003", "EmailMessage": "02s", "Lead": "00Q",
             "Account": "001", "Opportunity": "006", "Case": "500", "TaskRelation": "0RT", "EmailMessageRelation": "0Rs"}
UNOWNED = frozenset({"EmailMessage", "TaskRelation", "EmailMessageRelation"})  # no OwnerId field in Salesforce
RELATION_PARENT = {"TaskRelation": "TaskId", "EmailMessageRelation": "EmailMessageId"}


@serialized
class InMemoryCrm:
    """One org. ``describes`` (object → describe dict) enables length validation."""

    def __init__(self, clock: Callable[[], datetime] | None = None,
                 describes: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.clock = clock or TickingClock()
        self.records: dict[str, dict[str, CrmRecord]] = {}
        self.log: dict[str, list[tuple[int, str]]] = {}
        self.expired_before: dict[str, int] = {}
        self.relations: dict[str, tuple[EventRelationSpec, ...]] = {}
        self.people: dict[str, str] = {}
        self.users: dict[str, str] = {}
        self.lengths = {o: {f["name"]: f["length"] for f in d.get("fields", []) if f.get("length")}
                        for o, d in (describes or {}).items()}
        self.faults = Faults()
        self.calls: list[str] = []
        self.looked_up: list[tuple[str, ...]] = []   # the addresses of each lookup_participants call
        self.duplicate_rules: dict[str, tuple[str, ...]] = {}   # object → fields a duplicate rule matches on
        self._seq = itertools.count(1)
        self._ids = itertools.count(1)

    # ---- a Salesforce user ----------------------------------------------------------------
    def create(self, object_type: str, owner_id: str, **fields: Any) -> CrmRecord:
        record_id = f"{ID_PREFIX.get(object_type, 'a00')}{next(self._ids):015d}"
        owner = {} if object_type in UNOWNED else {"OwnerId": owner_id}
        return self._store(object_type, record_id, {**owner, **fields})

    def edit(self, object_type: str, record_id: str, **fields: Any) -> CrmRecord:
        current = self.records[object_type][record_id]
        return self._store(object_type, record_id, {**current.fields, **fields})

    def delete(self, object_type: str, record_id: str) -> None:
        del self.records[object_type][record_id]
        self.relations.pop(record_id, None)
        self.log.setdefault(object_type, []).append((next(self._seq), record_id))

    def expire_cursors(self, object_type: str) -> None:
        self.expired_before[object_type] = next(self._seq)

    def all(self, object_type: str) -> list[CrmRecord]:
        return list(self.records.get(object_type, {}).values())

    # ---- CrmPort --------------------------------------------------------------------------
    def changes_since(self, object_type: str, cursor: str | None, owner_id: str | None) -> CrmChanges:
        self.calls.append("changes_since")
        self.faults.check("changes_since", 0)
        head, records = next(self._seq), self.records.get(object_type, {})
        mine = (lambda r: owner_id is None or r.fields.get("OwnerId") == owner_id)
        if cursor is None:
            return CrmChanges(object_type, tuple(r for r in records.values() if mine(r)), (), str(head), full=True)
        if int(cursor) < self.expired_before.get(object_type, 0):
            raise CursorExpired(f"{object_type} cursor {cursor} expired")
        touched = dict.fromkeys(i for seq, i in self.log.get(object_type, []) if seq > int(cursor))
        changed = tuple(records[i] for i in touched if i in records and mine(records[i]))
        return CrmChanges(object_type, changed, tuple(i for i in touched if i not in records), str(head))

    def get_records(self, object_type: str, record_ids: Sequence[str]) -> list[CrmRecord]:
        records = self.records.get(object_type, {})
        return [records[i] for i in record_ids if i in records]

    def upsert_by_sync_key(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        return self._batch("upsert_by_sync_key", writes, lambda w: self._upsert(object_type, w))

    def create_records(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        return self._batch("create_records", writes, lambda w: self._create(object_type, w))

    def update_records(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        return self._batch("update_records", writes, lambda w: self._update(object_type, w))

    def record_ties(self, record_ids: Sequence[str]) -> dict[str, list[RecordTie]]:
        """Tasks/Events naming the records (ours: with a sync key) and Contacts under them."""
        wanted, ties = set(record_ids), {}
        for object_type, names in (("Task", ("WhoId", "WhatId")), ("Event", ("WhoId", "WhatId")), ("Contact", ("AccountId",))):
            for r in self.all(object_type):
                for name in names:
                    if r.fields.get(name) in wanted:
                        ties.setdefault(r.fields[name], []).append(
                            RecordTie(object_type, r.record_id, name, object_type != "Contact" and bool(r.sync_key)))
        return ties

    def delete_records(self, object_type: str, record_ids: Sequence[str]) -> list[WriteResult]:
        return self._batch("delete_records", record_ids, lambda i: self._delete(object_type, i))

    def find_by_sync_keys(self, object_type: str, keys: Sequence[str]) -> dict[str, CrmRecord]:
        wanted = set(keys)
        return {r.sync_key: r for r in self.all(object_type) if r.sync_key in wanted}

    def find_by_field(self, object_type: str, field_name: str, values: Sequence[str]) -> list[CrmRecord]:
        wanted = {str(v).casefold() for v in values}
        return [r for r in self.all(object_type) if str(r.fields.get(field_name) or "").casefold() in wanted]

    def search(self, object_type: str, criteria: SearchCriteria) -> list[CrmRecord]:
        def matches(r: CrmRecord) -> bool:
            owner_ok = criteria.owner_id is None or r.fields.get("OwnerId") == criteria.owner_id
            return owner_ok and all(r.fields.get(k) == v for k, v in criteria.equals.items())
        return [r for r in self.all(object_type) if matches(r)][: criteria.limit]

    def resolve_people(self, emails: Sequence[str]) -> dict[str, str]:
        return {e: self.people[e] for e in emails if e in self.people}

    def resolve_users(self, emails: Sequence[str]) -> dict[str, str]:
        return {e: self.users[e] for e in emails if e in self.users}

    def replace_event_relations(self, changes: Sequence[EventRelations]) -> list[WriteResult]:
        return self._batch("replace_event_relations", changes, self._replace_relations)

    def lookup_participants(self, emails: Sequence[str]) -> dict[str, tuple[PersonMatch, ...]]:
        """Contacts and unconverted Leads stored here, ``people`` (type by id prefix) and ``users``."""
        self.calls.append("lookup_participants")
        self.looked_up.append(tuple(emails))
        wanted, found = {e.lower() for e in emails}, {}
        for object_type in ("Contact", "Lead"):
            for r in self.all(object_type):
                email = str(r.fields.get("Email") or "").lower()
                if email in wanted and not r.fields.get("IsConverted"):
                    found.setdefault(email, []).append(PersonMatch(r.record_id, object_type, r.fields.get("AccountId")))
        for email, record_id in self.people.items():
            if email in wanted:
                kind = "Lead" if record_id[:3] == "00Q" else "Contact"
                found.setdefault(email, []).append(PersonMatch(record_id, kind))
        for email, record_id in self.users.items():
            if email in wanted:
                found.setdefault(email, []).append(PersonMatch(record_id, "User"))
        return {email: tuple(matches) for email, matches in found.items()}

    def lookup_links(self, query: LinkQuery) -> LinkFacts:
        """The ladder's facts from stored records, as the Salesforce adapter returns them."""
        self.calls.append("lookup_links")
        wanted = set(query.emails)
        people = {e: list(m) for e, m in self.lookup_participants(sorted(wanted)).items()} if wanted else {}
        accounts: dict[str, list[AccountMatch]] = {}
        for r in self.all("Account"):
            email = str(r.fields.get("PersonEmail") or "").lower()
            if r.fields.get("IsPersonAccount") and email in wanted:
                people.setdefault(email, []).append(PersonMatch(str(r.fields.get("PersonContactId") or ""),
                                                                PERSON_ACCOUNT, r.record_id))
            for domain in query.domains:
                if website_matches(r.fields.get("Website"), domain):
                    accounts.setdefault(domain, []).append(AccountMatch(r.record_id, str(r.fields["Website"])))
        cases = {}
        for r in self.all("Case"):
            if r.fields.get("CaseNumber") in query.case_numbers or r.record_id[:15] in query.case_ids:
                cases[str(r.fields.get("CaseNumber"))] = cases[r.record_id[:15]] = r.record_id
        ids = {a.record_id for found in accounts.values() for a in found}
        ids |= {p.account_id for found in people.values() for p in found if p.account_id}
        opportunities: dict[str, list[OpportunityMatch]] = {}
        for r in self.all("Opportunity") if query.opportunities else []:
            if r.fields.get("AccountId") in ids and not r.fields.get("IsClosed"):
                opportunities.setdefault(r.fields["AccountId"], []).append(OpportunityMatch.from_row(r.record_id, r.fields))
        return LinkFacts({e: tuple(m) for e, m in people.items()}, {d: tuple(a) for d, a in accounts.items()},
                         {a: tuple(o) for a, o in opportunities.items()}, cases)

    def ensure_activity_relations(self, relation_object: str,
                                  relations: Sequence[ActivityRelationSpec]) -> list[WriteResult]:
        """Creates only the (parent, relation, role) rows not stored yet, like the Salesforce diff."""
        parent_field = RELATION_PARENT[relation_object]
        return self._batch("ensure_activity_relations", relations,
                           lambda spec: self._ensure_relation(relation_object, parent_field, spec))

    def relations_of(self, parent_id: str) -> list[dict[str, Any]]:
        """Test helper: every TaskRelation/EmailMessageRelation row of one record."""
        return [dict(r.fields) for o, f in RELATION_PARENT.items() for r in self.all(o) if r.fields[f] == parent_id]

    # ---- internals ------------------------------------------------------------------------
    def _ensure_relation(self, relation_object: str, parent_field: str, spec: ActivityRelationSpec) -> WriteResult:
        parents = "EmailMessage" if relation_object == "EmailMessageRelation" else "Task"
        if spec.parent_id not in self.records.get(parents, {}):
            return WriteResult(False, error="INVALID_CROSS_REFERENCE_KEY", error_code=InvalidData.code)
        for row in self.all(relation_object):
            same = row.fields[parent_field] == spec.parent_id and row.fields["RelationId"][:15] == spec.relation_id[:15]
            if same and row.fields.get("RelationType", "") == spec.role:
                return WriteResult(True, row.record_id, row.version)
        fields = {parent_field: spec.parent_id, "RelationId": spec.relation_id}
        fields.update({"RelationType": spec.role, "RelationAddress": spec.address} if parent_field == "EmailMessageId"
                      else {"IsWhat": False})
        stored = self.create(relation_object, "", **fields)
        return WriteResult(True, stored.record_id, stored.version)

    def _replace_relations(self, change: EventRelations) -> WriteResult:
        if change.event_id not in self.records.get("Event", {}):
            return WriteResult(False, error="INVALID_CROSS_REFERENCE_KEY", error_code=InvalidData.code)
        kept = self.relations.get(change.event_id, ()) if change.keep_unlisted else ()
        listed = {spec.relation_id for spec in change.relations}
        self.relations[change.event_id] = tuple(s for s in kept if s.relation_id not in listed) + change.relations
        return WriteResult(True, change.event_id)

    def _batch(self, op: str, inputs: Sequence[Any], apply: Callable[[Any], WriteResult]) -> list[WriteResult]:
        self.calls.append(op)
        results = []
        for done, subject in enumerate(inputs):
            self.faults.check(op, done)
            results.append(self.faults.rejected(op, subject) or apply(subject))
        self.faults.check(op, len(inputs))
        return results

    def _too_long(self, object_type: str, fields: Mapping[str, Any]) -> WriteResult | None:
        for name, value in fields.items():
            limit = self.lengths.get(object_type, {}).get(name)
            if isinstance(value, str) and limit is not None and len(value) > limit:
                return WriteResult(False, error=f"STRING_TOO_LONG: {name}", error_code=InvalidData.code)
        return None

    def _store(self, object_type: str, record_id: str, fields: Mapping[str, Any]) -> CrmRecord:
        seq = next(self._seq)
        record = CrmRecord(object_type, record_id, dict(fields), f"m{seq}", self.clock())
        self.records.setdefault(object_type, {})[record_id] = record
        self.log.setdefault(object_type, []).append((seq, record_id))
        return record

    def _upsert(self, object_type: str, write: RecordWrite) -> WriteResult:
        if object_type in UNOWNED and "OwnerId" in write.fields:
            return WriteResult(False, error=f"INVALID_FIELD: No such column 'OwnerId' on {object_type}",
                               error_code=InvalidData.code)
        problem = self._too_long(object_type, write.fields)
        if problem:
            return problem
        existing = self.find_by_sync_keys(object_type, [write.sync_key or ""]).get(write.sync_key or "")
        if existing is not None:
            stored = self.edit(object_type, existing.record_id, **write.fields)
        else:
            stored = self.create(object_type, write.fields.get("OwnerId", ""),
                                 **{**write.fields, SYNC_KEY_FIELD: write.sync_key})
        return WriteResult(True, stored.record_id, stored.version)

    def _create(self, object_type: str, write: RecordWrite) -> WriteResult:
        """A plain insert; a duplicate rule's block names the record it matched, as Salesforce does."""
        problem = self._too_long(object_type, write.fields)
        if problem:
            return problem
        rule = self.duplicate_rules.get(object_type)
        key = [str(write.fields.get(f) or "").lower() for f in rule or ()]
        for r in self.all(object_type) if rule and all(key) else []:
            if [str(r.fields.get(f) or "").lower() for f in rule or ()] == key:
                return WriteResult(False, error="DUPLICATES_DETECTED: Use one of these records?",
                                   error_code=Duplicate.code, duplicate_of=r.record_id)
        stored = self.create(object_type, "", **write.fields)
        return WriteResult(True, stored.record_id, stored.version)

    def _update(self, object_type: str, write: RecordWrite) -> WriteResult:
        if write.record_id not in self.records.get(object_type, {}):
            return WriteResult(False, error="ENTITY_IS_DELETED", error_code=NotFound.code)
        problem = self._too_long(object_type, write.fields)
        if problem:
            return problem
        stored = self.edit(object_type, write.record_id or "", **write.fields)
        return WriteResult(True, stored.record_id, stored.version)

    def _delete(self, object_type: str, record_id: str) -> WriteResult:
        if record_id not in self.records.get(object_type, {}):
            return WriteResult(False, error="ENTITY_IS_DELETED", error_code=NotFound.code)
        self.delete(object_type, record_id)
        return WriteResult(True, record_id)


@serialized
class InMemoryIdMapStore:
    """``IdMapStore`` on a dict; ``faults.arm('put', ...)`` simulates a crash before the write."""

    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], IdMapEntry] = {}
        self.faults = Faults()
        self.put_calls = 0
        self.in_play_calls = 0
        self.whole_map_reads = 0

    def entries(self, mailbox_id: str, kind: FolderKind) -> list[IdMapEntry]:
        self.whole_map_reads += 1
        return [e for (m, _), e in self.rows.items() if m == mailbox_id and e.kind is kind]

    def entries_in_play(self, mailbox_id: str, kind: FolderKind, wanted: InPlay) -> list[IdMapEntry]:
        self.in_play_calls += 1
        return [e for (m, _), e in self.rows.items() if m == mailbox_id and e.kind is kind and wanted.wants(e)]

    def settled_records(self, mailbox_id: str, kind: FolderKind, versions: Mapping[str, str]) -> set[str]:
        return {e.crm_id for (m, _), e in self.rows.items() if m == mailbox_id and e.kind is kind and e.crm_id
                and e.crm_version and versions.get(e.crm_id) == e.crm_version}

    def put(self, entries: Sequence[IdMapEntry]) -> None:
        """``faults.arm("put", after=put_calls + n)`` fails the n-th call from now (0 = the next one)."""
        self.faults.check("put", self.put_calls)
        self.put_calls += 1
        for entry in entries:
            self.rows[(entry.mailbox_id, entry.sync_key)] = replace(entry, field_hashes=dict(entry.field_hashes))

    def remove(self, mailbox_id: str, sync_keys: Sequence[str]) -> None:
        for key in sync_keys:
            self.rows.pop((mailbox_id, key), None)

    def linked_elsewhere(self, mailbox_id: str, crm_ids: Sequence[str]) -> set[str]:
        wanted = set(crm_ids)
        return {e.crm_id for (m, _), e in self.rows.items() if m != mailbox_id and e.is_linked and e.crm_id in wanted}


@serialized
class InMemoryCursorStore:
    """``CursorStore`` on a dict; ``faults.arm('save', ...)`` simulates a crash before saving."""

    def __init__(self) -> None:
        self.cursors: dict[tuple[str, str], str | None] = {}
        self.faults = Faults()

    def load(self, mailbox_id: str, stream: str) -> str | None:
        return self.cursors.get((mailbox_id, stream))

    def save(self, mailbox_id: str, stream: str, cursor: str | None) -> None:
        self.faults.check("save", 0)
        self.cursors[(mailbox_id, stream)] = cursor
