"""Insert, update, upsert and delete of single records, with Salesforce's checks.

Each operation either saves the record completely or raises `RecordFailed` (per-record
errors) / `ApiError` (whole-request errors); the store is untouched on failure.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import Any

from . import files, ids, person_accounts, recurring
from .access import check_security_record, visible_schema
from .derive import apply_defaults, derive
from .errors import ApiError, RecordError, RecordFailed, unsupported_type
from .faults import Faults
from .schema import ObjectDef, Schema
from .store import Org, Record
from .validate import (
    check_access,
    check_references,
    check_required,
    check_rules,
    check_unique,
    check_values,
    parse_input,
)
from .values import format_datetime

CASCADE: dict[str, list[tuple[str, str]]] = {
    "Account": [("Contact", "AccountId"), ("Opportunity", "AccountId")],
    "Event": [("EventRelation", "EventId"), ("Event", "RecurrenceActivityId")],
    "Task": [("TaskRelation", "TaskId")],
    "EmailMessage": [("EmailMessageRelation", "EmailMessageId")],
}


@dataclass
class Ctx:
    """Who is calling, in which org, at what time, with which API version."""

    org: Org
    user_id: str
    now: datetime
    faults: Faults
    version: str = "62.0"

    @property
    def stamp(self) -> str:
        return format_datetime(self.now)

    @cached_property
    def schema(self) -> Schema:
        """The org's schema as the calling user sees it (field-level security applied)."""
        return visible_schema(self.org, self.user_id)

    def sobject(self, name: str) -> ObjectDef:
        obj = self.schema.get(name)
        if obj is None:
            raise unsupported_type(name)
        return obj


def _fail(code: str, message: str, fields: list[str] | None = None) -> RecordFailed:
    return RecordFailed([RecordError(code, message, fields or [])])


def _check_all(ctx: Ctx, obj: ObjectDef, record: Record, touched: set[str],
               creating: bool) -> None:
    errors = check_values(obj, {n: record.get(n) for n in touched})
    errors = errors or derive(ctx.org, obj, record, touched, creating)
    errors = errors or check_required(obj, record)
    errors = errors or check_references(ctx.org, obj, record, touched)
    errors = errors or check_unique(ctx.org, obj, record)
    errors = errors or check_rules(ctx.org, obj, record, ctx.version)
    errors = errors or check_security_record(ctx.org, obj, record)
    if errors:
        raise RecordFailed(errors)


def _row_lock(ctx: Ctx, rid: str | None) -> None:
    if ctx.faults.take_row_lock():
        suffix = f" or 1 records: {rid}" if rid else ""
        raise _fail("UNABLE_TO_LOCK_ROW",
                    f"unable to obtain exclusive access to this record{suffix}")


def insert(ctx: Ctx, kind: str, raw: Any) -> str:
    """Create one record; returns its new 18-char id."""
    obj = ctx.sobject(kind)
    values = parse_input(obj, raw)
    if not obj.createable:
        raise _fail("INVALID_TYPE_FOR_OPERATION", f"entity type cannot be inserted: {kind}")
    if "Id" in values:
        raise _fail("INVALID_FIELD", "cannot specify Id in an insert call", ["Id"])
    errors = check_access(obj, values, creating=True)
    if errors:
        raise RecordFailed(errors)
    record: Record = dict(values)
    apply_defaults(obj, record)
    if obj.name == "ContentVersion":
        files.derive_version(record)
    if "OwnerId" in obj.fields and not record.get("OwnerId"):
        record["OwnerId"] = ctx.user_id
    _check_all(ctx, obj, record, set(values) | {"OwnerId"} & set(record), creating=True)
    starts = _series_starts(obj, record)
    _row_lock(ctx, None)
    rid = ctx.org.ids.new(obj.key_prefix)
    record.update(Id=rid, IsDeleted=False, CreatedDate=ctx.stamp, CreatedById=ctx.user_id,
                  LastModifiedDate=ctx.stamp, LastModifiedById=ctx.user_id,
                  SystemModstamp=ctx.stamp)
    every = ctx.org.schema.objects[obj.name].fields      # fields the caller cannot see keep their defaults
    stored = {n: record.get(n, f.default) for n, f in every.items()}
    if obj.name == "Account":
        person_accounts.sync_person_contact(ctx, stored)
    ctx.org.store.put(obj.name, stored)
    if starts is not None:
        _create_children(ctx, obj, record, starts)
    if obj.name == "ContentVersion":
        files.after_version_insert(ctx, rid, record)
    return rid


def live_record(ctx: Ctx, record_id: str, kind: str | None = None) -> tuple[str, Record]:
    """The (type, record) for an id in this org, or RecordFailed as Collections report it."""
    rid = ids.normalize(record_id) if isinstance(record_id, str) else None
    if rid is None:
        raise _fail("MALFORMED_ID", f"malformed id {record_id}")
    found = ctx.org.store.get(rid)
    if found is None or (kind and found[0].lower() != kind.lower()):
        raise _fail("INVALID_CROSS_REFERENCE_KEY", "invalid cross reference id")
    if found[1].get("IsDeleted"):
        raise _fail("ENTITY_IS_DELETED", "entity is deleted")
    return found


def update(ctx: Ctx, record_id: str, raw: Any, kind: str | None = None) -> str:
    """Update one record by id; returns the 18-char id."""
    if kind:
        ctx.sobject(kind)
    found_kind, current = live_record(ctx, record_id, kind)
    obj = ctx.sobject(found_kind)
    values = parse_input(obj, raw)
    values.pop("Id", None)
    errors = check_access(obj, values, creating=False)
    if errors:
        raise RecordFailed(errors)
    record = dict(current)
    record.update(values)
    _check_all(ctx, obj, record, set(values), creating=False)
    changed = {n for n in values if current.get(n) != record.get(n)}
    starts = _series_starts(obj, record) if changed & recurring.PATTERN_FIELDS else None
    _row_lock(ctx, current["Id"])
    record.update(LastModifiedDate=ctx.stamp, LastModifiedById=ctx.user_id,
                  SystemModstamp=ctx.stamp)
    if obj.name == "Account":
        person_accounts.sync_person_contact(ctx, record)
    ctx.org.store.put(obj.name, record)
    if starts is not None:          # a new pattern: the occurrences are made anew
        for child in _children_of(ctx, current["Id"]):
            _soft_delete(ctx, obj.name, child["Id"])
        _create_children(ctx, obj, record, starts)
    elif record.get("IsRecurrence") and obj.name == "Event":
        _override_children(ctx, obj, current["Id"], {n: record.get(n) for n in changed
                                                     if n in recurring.COPIED_FIELDS})
    return current["Id"]


def _series_starts(obj: ObjectDef, record: Record) -> list[datetime] | None:
    """Occurrence starts of a recurring Event's main record (None for anything else)."""
    if obj.name != "Event" or not record.get("IsRecurrence"):
        return None
    starts = recurring.occurrence_starts(record)
    recurring.first_occurrence_timing(record, starts)
    return starts


def _children_of(ctx: Ctx, master_id: str) -> list[Record]:
    return [r for r in ctx.org.store.all("Event") if r.get("RecurrenceActivityId") == master_id]


def _create_children(ctx: Ctx, obj: ObjectDef, master: Record, starts: list[datetime]) -> None:
    for child in recurring.children(master, starts):
        child.update(Id=ctx.org.ids.new(obj.key_prefix), IsDeleted=False, CreatedDate=ctx.stamp,
                     CreatedById=ctx.user_id, LastModifiedDate=ctx.stamp, LastModifiedById=ctx.user_id,
                     SystemModstamp=ctx.stamp)
        ctx.org.store.put(obj.name, {f: child.get(f) for f in obj.fields})


def _override_children(ctx: Ctx, obj: ObjectDef, master_id: str, values: Record) -> None:
    """A field changed on the series overrides it on every occurrence (Salesforce Help, Classic events)."""
    if not values:
        return
    for child in _children_of(ctx, master_id):
        ctx.org.store.put(obj.name, {**child, **values, "LastModifiedDate": ctx.stamp,
                                     "LastModifiedById": ctx.user_id, "SystemModstamp": ctx.stamp})


def find_by_external_id(ctx: Ctx, obj: ObjectDef, field: str, value: Any) -> tuple[str, list[str]]:
    """(canonical field name, matching live ids); 404 when the field is no External ID."""
    f = obj.field_ci(field)
    if f is None or not (f.external_id or f.name == "Id"):
        raise ApiError(404, "NOT_FOUND",
                       f"Provided external ID field does not exist or is not accessible: {field}")
    if f.name == "Id":
        rid = ids.normalize(str(value))
        hit = ctx.org.store.get(rid) if rid else None
        live = hit is not None and not hit[1].get("IsDeleted") and hit[0] == obj.name
        return f.name, [rid] if live and rid else []
    return f.name, ctx.org.store.ids_with(obj.name, f.name, value)


def upsert(ctx: Ctx, kind: str, field: str, value: Any, raw: Any) -> tuple[str, bool]:
    """Insert or update by External ID; returns (id, created). 300 on several matches."""
    obj = ctx.sobject(kind)
    name, matches = find_by_external_id(ctx, obj, field, value)
    if len(matches) > 1:
        urls = [f"/services/data/v{ctx.version}/sobjects/{obj.name}/{m}" for m in matches]
        raise MultipleChoices(urls)
    body = dict(raw) if isinstance(raw, dict) else raw
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if k.lower() != name.lower()}
    if matches:
        return update(ctx, matches[0], body, obj.name), False
    if name == "Id":
        raise _fail("NOT_FOUND", "Provided external ID field does not exist or is not "
                                 "accessible: Id")
    if isinstance(body, dict):
        body[name] = value
    return insert(ctx, obj.name, body), True


class MultipleChoices(ApiError):
    """300: the External ID matched several records (body is the list of their URLs)."""

    def __init__(self, urls: list[str]) -> None:
        super().__init__(300, "MULTIPLE_CHOICES", "more than one record found")
        self.urls = urls

    def body(self) -> list[Any]:  # type: ignore[override]
        return list(self.urls)


def delete(ctx: Ctx, record_id: str, kind: str | None = None) -> str:
    """Move a record (and its junction children) to the recycle bin; returns its id."""
    found_kind, current = live_record(ctx, record_id, kind)
    obj = ctx.sobject(found_kind)
    if not obj.deletable:
        raise _fail("INVALID_TYPE_FOR_OPERATION", f"entity type cannot be deleted: {obj.name}")
    _row_lock(ctx, current["Id"])
    _soft_delete(ctx, found_kind, current["Id"])
    return current["Id"]


def _soft_delete(ctx: Ctx, kind: str, rid: str) -> None:
    ctx.org.store.mark_deleted(kind, rid, ctx.now, ctx.stamp)
    for child_kind, fk in CASCADE.get(kind, []):
        for child in ctx.org.store.all(child_kind):
            if child.get(fk) == rid:
                _soft_delete(ctx, child_kind, child["Id"])
