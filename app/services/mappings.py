"""Admin-edited mapping tables and personal overrides, validated against the org's describe."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import MappingTableRecord, User
from app.services import audit
from app.services.settings import org_settings
from app.sync.default_mappings import DEFAULT_MAPPINGS
from app.sync.mapping import CODECS, MappingTable
from app.sync.validation import MappingError, validate_mapping

DescribeFn = Callable[[str], Mapping | None]


class UnknownTable(LookupError):
    """No mapping table of that name."""


class InvalidTable(ValueError):
    """The table does not fit the org's Salesforce schema; `errors` name the rows."""

    def __init__(self, errors: list[MappingError]):
        super().__init__("; ".join(_describe_error(e) for e in errors[:5]))
        self.errors = errors


def _describe_error(e: MappingError) -> str:
    return f"row {e.row} ({e.mailbox_field} → {e.salesforce_field}): {e.message}"


def _record(session: Session, org_id: int, user_id: int | None, name: str) -> MappingTableRecord | None:
    owner = MappingTableRecord.user_id.is_(None) if user_id is None else MappingTableRecord.user_id == user_id
    return session.scalar(select(MappingTableRecord).where(
        MappingTableRecord.org_id == org_id, MappingTableRecord.name == name, owner))


def effective(session: Session, org_id: int, name: str, user_id: int | None = None) -> tuple[MappingTable, str]:
    """(table, scope): the user's override, else the org's table, else the default."""
    if name not in DEFAULT_MAPPINGS:
        raise UnknownTable(name)
    for owner, scope in ((user_id, "user"), (None, "org")):
        if scope == "user" and owner is None:
            continue
        row = _record(session, org_id, owner, name)
        if row is not None:
            return MappingTable.from_dict(row.table), scope
    return DEFAULT_MAPPINGS[name], "default"


def build_table(name: str, data: dict) -> MappingTable:
    base = DEFAULT_MAPPINGS[name]
    unknown = [r["transform"] for r in data["rows"] if r["transform"] not in CODECS]
    if unknown:
        raise InvalidTable([MappingError(i, r["mailbox_field"], r["salesforce_field"], "unknown_transform",
                                         f"no transform named '{r['transform']}'")
                            for i, r in enumerate(data["rows"]) if r["transform"] in unknown])
    return MappingTable.from_dict({"name": name, "kind": base.kind.value,
                                   "object_type": data.get("object_type") or base.object_type, "rows": data["rows"]})


def save(session: Session, actor: User, name: str, data: dict, describe: DescribeFn,
         for_user: User | None = None) -> MappingTable:
    """Validate against the describe of the table's object, then store org-wide or for one user."""
    if name not in DEFAULT_MAPPINGS:
        raise UnknownTable(name)
    table = build_table(name, data)
    meta = describe(table.object_type)
    if meta is None:
        raise InvalidTable([MappingError(-1, "", table.object_type, "unknown_object",
                                         f"{table.object_type} is not an object in this org")])
    errors = validate_mapping(table, meta)
    if errors:
        raise InvalidTable(errors)
    owner_id = for_user.id if for_user else None
    row = _record(session, actor.org_id, owner_id, name) or MappingTableRecord(
        org_id=actor.org_id, user_id=owner_id, name=name)
    row.table, row.updated_by = table.to_dict(), actor.id
    session.add(row)
    audit.record(session, actor.org_id, "mapping.saved", actor_id=actor.id, target_type="mapping_table",
                 target_id=name, details={"scope": "user" if for_user else "org", "rows": len(table.rows)})
    return table


def reset(session: Session, actor: User, name: str, for_user: User | None = None) -> None:
    if name not in DEFAULT_MAPPINGS:
        raise UnknownTable(name)
    row = _record(session, actor.org_id, for_user.id if for_user else None, name)
    if row is not None:
        session.delete(row)
        audit.record(session, actor.org_id, "mapping.reset", actor_id=actor.id, target_type="mapping_table",
                     target_id=name, details={"scope": "user" if for_user else "org"})


def overrides_allowed(user: User) -> bool:
    return bool(org_settings(user.org)["allow_user_overrides"])


def table_view(table: MappingTable, scope: str) -> dict:
    data = table.to_dict()
    return {**data, "customized": scope != "default", "scope": scope}
