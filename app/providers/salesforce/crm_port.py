"""`SalesforceCrmPort`: the core's `CrmPort` over the Salesforce client layer, for one org + owner.

Guarantees: every write is batched (Collections, ≤ 5 per Composite call) and a create is an
upsert by `Syncline_Key__c`, so a replayed create never duplicates; per-record failures come
back as `WriteResult`s in input order; only `app.sync.errors` exceptions leave this class.
Not thread-safe: one port per sync session (it remembers what the session already read).
"""
from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from app.providers.salesforce.activity_relations import existing_statements, missing, relation_row
from app.providers.salesforce.changes import ChangeCursor, ChangeFeed, FeedRequest
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.crm_records import (
    equality_where,
    mapped_fields,
    matches,
    readable_fields,
    to_record,
)
from app.providers.salesforce.crm_translate import (
    SetupHint,
    partial_or_raise,
    raise_lost_fields,
    salesforce_edge,
    write_result,
)
from app.providers.salesforce.describe import ObjectDescribe
from app.providers.salesforce.errors import SalesforceError
from app.providers.salesforce.event_relations import existing_relation_statements, merged_writes
from app.providers.salesforce.link_lookup import lookup_links
from app.providers.salesforce.org_schema import describe_or_none
from app.providers.salesforce.queries import in_list, query_in_chunks
from app.providers.salesforce.record_ties import record_ties
from app.providers.salesforce.search import find_people_by_email
from app.providers.salesforce.stored_html import HTML_FIELDS, sanitised
from app.providers.salesforce.writes import RecordResult, RecordWriter
from app.sync.default_mappings import DEFAULT_MAPPINGS
from app.sync.email_saves import EMAIL_TABLE
from app.sync.errors import CursorExpired
from app.sync.event.relations import EventRelations
from app.sync.link_facts import LinkFacts, LinkQuery
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

_MAPPED = mapped_fields(DEFAULT_MAPPINGS.values())
DEFAULT_FIELDS = {**_MAPPED, EMAIL_TABLE.object_type: ("Subject", "MessageIdentifier"),
                  # a Person Account's Contact: the Who of its activities (left out where the org has none)
                  "Account": (*_MAPPED.get("Account", ()), "PersonContactId")}


class SalesforceCrmPort:
    """One org seen as `owner_id`; `fields` says which fields to read per object (mapped ones);
    `setup` names the user and the fix when Salesforce refuses one of Syncline's own fields."""

    def __init__(self, client: SalesforceClient, owner_id: str | None = None,
                 fields: Mapping[str, Sequence[str]] | None = None,
                 describer: Callable[[str], ObjectDescribe | None] | None = None,
                 setup: SetupHint | None = None) -> None:
        self.client, self.owner_id, self.setup = client, owner_id, setup
        self.writer = RecordWriter(client)
        self.feed = ChangeFeed(client)
        self.fields = {**DEFAULT_FIELDS, **(fields or {})}
        self._describer = describer or self._describe
        self._metas: dict[str, ObjectDescribe | None] = {}
        self._listings: dict[tuple[str, str | None], list[CrmRecord]] = {}
        self._rewritten: dict[str, set[str]] = {}   # per object: records this session upserted, updated, deleted
        self._fresh_events: set[str] = set()
        self._fresh_activities: set[str] = set()

    # ---- reads ----------------------------------------------------------------------------
    def changes_since(self, object_type: str, cursor: str | None, owner_id: str | None) -> CrmChanges:
        """Owner's records changed since `cursor` (overlapping SystemModstamp watermark) and deletes."""
        start = _parse_cursor(object_type, cursor)
        owners = [owner_id] if owner_id else None
        with salesforce_edge(object_type, self.setup):
            request = FeedRequest(object_type, self._select(object_type), start, owners)
            pages = list(self.feed.pages(request))
        changes = [c for page in pages for c in page.changes]
        records = tuple(to_record(object_type, c.record) for c in changes if not c.deleted)
        deleted = tuple(dict.fromkeys(c.id for c in changes if c.deleted))
        end = pages[-1].cursor if pages else start
        if start.watermark is None:
            self._listings[(object_type, owner_id)] = list(records)
        return CrmChanges(object_type, records, deleted, _dump_cursor(end), full=start.watermark is None)

    def get_records(self, object_type: str, record_ids: Sequence[str]) -> list[CrmRecord]:
        return self._select_where(object_type, "Id", record_ids)

    def find_by_sync_keys(self, object_type: str, keys: Sequence[str]) -> dict[str, CrmRecord]:
        """Org-wide (any owner): a shared meeting or another mailbox's saved email counts."""
        records = self._select_where(object_type, SYNC_KEY_FIELD, keys)
        return {r.sync_key: r for r in records if r.sync_key}

    def find_by_field(self, object_type: str, field_name: str, values: Sequence[str]) -> list[CrmRecord]:
        """Org-wide, chunked `IN` queries (SOQL compares text case-insensitively)."""
        return self._select_where(object_type, field_name, values)

    def search(self, object_type: str, criteria: SearchCriteria) -> list[CrmRecord]:
        """Equality search; answered from this session's full listing of the owner when there is one."""
        listing = self._listings.get((object_type, criteria.owner_id))
        if listing is not None and criteria.owner_id and all(
                name in r.fields for r in listing[:1] for name in criteria.equals):
            rewritten = self._rewritten.get(object_type, set())
            return [r for r in listing if r.record_id not in rewritten
                    and matches(r.fields, criteria.equals)][: criteria.limit]
        meta = self._meta(object_type)
        where = equality_where(criteria.equals, meta, criteria.owner_id)
        soql = (f"SELECT {', '.join(self._select(object_type))} FROM {object_type}"
                f"{' WHERE ' + where if where else ''} ORDER BY Id LIMIT {int(criteria.limit)}")
        with salesforce_edge(object_type, self.setup):
            return [to_record(object_type, row) for row in self.client.query(soql)]

    def resolve_people(self, emails: Sequence[str]) -> dict[str, str]:
        """Email → Contact id, else an unconverted Lead's id (lowest Id when several match)."""
        with salesforce_edge():
            found = find_people_by_email(self.client, emails, types=("Contact", "Lead"))
        out = {}
        for email, rows in found.items():
            for prefix in ("003", "00Q"):
                ids = sorted(r["Id"] for r in rows if str(r["Id"]).startswith(prefix))
                if ids:
                    out[email] = ids[0]
                    break
        return out

    def resolve_users(self, emails: Sequence[str]) -> dict[str, str]:
        """Email → active User id (only active users can own records)."""
        with salesforce_edge():
            found = find_people_by_email(self.client, emails, types=("User",))
        active = {email: sorted(r["Id"] for r in rows if r.get("IsActive", True)) for email, rows in found.items()}
        return {email: ids[0] for email, ids in active.items() if ids}

    def lookup_participants(self, emails: Sequence[str]) -> dict[str, tuple[PersonMatch, ...]]:
        """Contacts, unconverted Leads and active Users by email: one Composite per chunk of addresses."""
        with salesforce_edge():
            found = find_people_by_email(self.client, emails, types=("Contact", "Lead", "User"))
        out = {}
        for email, rows in found.items():
            matches = tuple(PersonMatch(str(r["Id"]), _type_of(r), r.get("AccountId")) for r in rows
                            if r.get("IsActive", True) is not False)
            if matches:
                out[email] = matches
        return out

    def lookup_links(self, query: LinkQuery) -> LinkFacts:
        """Batched ladder look-up; Person Accounts only where the org has them (else SOQL refuses the field)."""
        if not query:
            return LinkFacts()
        account = self._meta("Account")
        person = None if account is None or account.field("PersonEmail") is None \
            else account.field("PersonContactId") is not None
        with salesforce_edge():
            return lookup_links(self.client, query, person)

    # ---- writes ---------------------------------------------------------------------------
    def upsert_by_sync_key(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        records = [{**self._sanitised(object_type, w.fields), SYNC_KEY_FIELD: w.sync_key or w.fields.get(SYNC_KEY_FIELD)}
                   for w in writes]
        results = self._write(object_type, len(records), lambda: self.writer.upsert(object_type, records), keep=True)
        fresh = {r.target_id for r, created in results if r.ok and created and r.target_id}
        (self._fresh_events if object_type == "Event" else self._fresh_activities).update(fresh)
        return [r for r, _ in results]

    def create_records(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        """Fields the org's describe lacks (an org without Person Accounts, a field hidden from the user) are left out."""
        meta = self._meta(object_type)
        records = [{k: v for k, v in self._sanitised(object_type, w.fields).items()
                    if meta is None or meta.field(k) is not None}
                   for w in writes]
        return [r for r, _ in self._write(object_type, len(records), lambda: self.writer.create(object_type, records))]

    def update_records(self, object_type: str, writes: Sequence[RecordWrite]) -> list[WriteResult]:
        records = [{**self._sanitised(object_type, w.fields), "Id": w.record_id} for w in writes]
        return [r for r, _ in self._write(object_type, len(records), lambda: self.writer.update(object_type, records),
                                          [w.record_id for w in writes], keep=True)]

    def record_ties(self, record_ids: Sequence[str]) -> dict[str, list[RecordTie]]:
        with salesforce_edge():
            return record_ties(self.client, record_ids) if record_ids else {}

    def delete_records(self, object_type: str, record_ids: Sequence[str]) -> list[WriteResult]:
        ids = list(record_ids)
        return [r for r, _ in self._write(object_type, len(ids), lambda: self.writer.delete(ids), ids, keep=True)]

    def replace_event_relations(self, changes: Sequence[EventRelations]) -> list[WriteResult]:
        """One read of all the Events' rows (none for Events created this session), then one delete,
        one create and one update batch for all of them; an Event whose row failed skips its later steps."""
        stale = [c.event_id for c in changes if c.event_id not in self._fresh_events]
        with salesforce_edge():
            existing = list(query_in_chunks(self.client, existing_relation_statements(stale))) if stale else []
        writes = merged_writes(changes, existing)
        failed: dict[int, WriteResult] = {}
        deletes = [(owner, row) for owner, row in writes.deletes if owner not in failed]
        self._relation_step(deletes, lambda: self.writer.delete([r for _, r in deletes]), failed)
        creates = [(owner, row) for owner, row in writes.creates if owner not in failed]
        self._relation_step(creates, lambda: self.writer.create("EventRelation", [r for _, r in creates]), failed)
        updates = [(owner, row) for owner, row in writes.updates if owner not in failed]
        self._relation_step(updates, lambda: self.writer.update("EventRelation", [r for _, r in updates]), failed)
        return [replace(failed[n], target_id=c.event_id) if n in failed else WriteResult(True, c.event_id)
                for n, c in enumerate(changes)]

    def _relation_step(self, rows: Sequence[tuple[int, object]], send: Callable[[], list[RecordResult]],
                       failed: dict[int, WriteResult]) -> None:
        """Send one kind of relation write for all Events; note each Event's first failure."""
        for (owner, _), (result, _) in zip(rows, self._write("EventRelation", len(rows), send)):
            if not result.ok:
                failed.setdefault(owner, result)

    def ensure_activity_relations(self, relation_object: str,
                                  relations: Sequence[ActivityRelationSpec]) -> list[WriteResult]:
        """One read of the parents' rows (none for records created this session), then one create."""
        stale = [s.parent_id for s in relations if s.parent_id not in self._fresh_activities]
        with salesforce_edge():
            existing = list(query_in_chunks(self.client, existing_statements(relation_object, stale))) if stale else []
        todo = missing(relation_object, relations, existing)
        rows = [relation_row(relation_object, relations[i]) for i in todo]
        written = self._write(relation_object, len(rows), lambda: self.writer.create(relation_object, rows))
        results = [WriteResult(True, s.parent_id) for s in relations]
        for index, (result, _) in zip(todo, written):
            results[index] = result
        return results

    # ---- internals ------------------------------------------------------------------------
    def _write(self, object_type: str, count: int, send: Callable[[], list[RecordResult]],
               ids: Sequence[str | None] | None = None, keep: bool = False) -> list[tuple[WriteResult, bool]]:
        """(result, created) per record; a pause becomes per-record `temporary`, auth raises.

        A write drops the object's owner listing (``search`` then asks Salesforce), except a mirror
        write (``keep``: an upsert by sync key, an update or delete by id): the records it touched
        leave ``search``'s answers, and what it created carries a sync key, so is never searched
        for. An import in chunks thus searches the session's first listing, as one plan did."""
        if keep:
            self._rewritten.setdefault(object_type, set()).update(i for i in ids or () if i)
        else:
            self._listings = {k: v for k, v in self._listings.items() if k[0] != object_type}
        if not count:
            return []
        try:
            raw = send()
        except SalesforceError as exc:
            return [(r, False) for r in partial_or_raise(exc, count, object_type, self.setup)]
        raise_lost_fields(object_type, raw, self.setup)
        results = [(write_result(r, ids[r.index] if ids else None), r.created) for r in raw]
        if keep:
            self._rewritten[object_type].update(r.target_id for r, _ in results if r.target_id)
        return results

    def _select_where(self, object_type: str, field: str, values: Iterable[str]) -> list[CrmRecord]:
        select = f"SELECT {', '.join(self._select(object_type))} FROM {object_type}"
        with salesforce_edge(object_type, self.setup):
            rows = query_in_chunks(self.client, in_list(select, field, [v for v in values if v]))
            return [to_record(object_type, row) for row in rows]

    def _select(self, object_type: str) -> list[str]:
        return readable_fields(self._meta(object_type), self.fields.get(object_type, ()))

    def _sanitised(self, object_type: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        """Rich text cleaned, then cut to the org's field length (`stored_html`)."""
        if not HTML_FIELDS.get(object_type):
            return dict(fields)
        meta = self._meta(object_type)
        return sanitised(object_type, fields, lambda name: _length(meta, name))

    def _meta(self, object_type: str) -> ObjectDescribe | None:
        if object_type not in self._metas:
            self._metas[object_type] = self._describer(object_type)
        return self._metas[object_type]

    def _describe(self, object_type: str) -> ObjectDescribe | None:
        """Cached describe (Redis, 12 h); an object the org lacks reads as None."""
        with salesforce_edge():
            return describe_or_none(self.client, object_type)


def _length(meta: ObjectDescribe | None, name: str) -> int | None:
    info = meta.field(name) if meta is not None else None
    return info.length if info is not None and info.length > 0 else None


def _type_of(row: Mapping) -> str:
    """The sObject type of a look-up row (from `attributes`, else the Id prefix)."""
    kind = (row.get("attributes") or {}).get("type")
    return kind or {"003": "Contact", "00Q": "Lead", "005": "User"}.get(str(row["Id"])[:3], "Contact")


def _dump_cursor(cursor: ChangeCursor) -> str | None:
    """None until the feed has seen a record: the next poll is then a full listing again."""
    if cursor.watermark is None:
        return None
    return json.dumps({"sobject": cursor.sobject, "watermark": cursor.watermark}, separators=(",", ":"))


def _parse_cursor(object_type: str, cursor: str | None) -> ChangeCursor:
    """A stored cursor; a garbled one or one for another object means a full resync."""
    if cursor is None:
        return ChangeCursor(object_type)
    try:
        data = json.loads(cursor)
        if data["sobject"] != object_type or not isinstance(data["watermark"], str):
            raise ValueError("cursor of another object")
        return ChangeCursor(object_type, data["watermark"])
    except (ValueError, KeyError, TypeError):
        raise CursorExpired(f"unreadable {object_type} cursor; full resync") from None


__all__ = ["SalesforceCrmPort", "mapped_fields"]
