"""Personal and org-wide blocklists: addresses, @domains and /patterns/ never looked up, linked or created
(entry syntax and matching: app.sync.blocklist)."""
from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import BlocklistEntry, User
from app.services import audit
from app.sync.blocklist import AddressBlocklist, parse_blocklist

Blocklist = AddressBlocklist   # the entries that apply to one user (theirs plus the org admin's)


def entries(session: Session, org_id: int, user_id: int | None) -> list[str]:
    """One scope's entries (user_id None = the org's list), in the order they were added."""
    owner = BlocklistEntry.user_id.is_(None) if user_id is None else BlocklistEntry.user_id == user_id
    rows = session.scalars(select(BlocklistEntry.entry).where(BlocklistEntry.org_id == org_id, owner)
                           .order_by(BlocklistEntry.id))
    return list(rows)


def replace(session: Session, actor: User, user_id: int | None, new_entries: list[str]) -> list[str]:
    """Replace one scope's list with `new_entries` (already normalised); audited."""
    owner = BlocklistEntry.user_id.is_(None) if user_id is None else BlocklistEntry.user_id == user_id
    session.execute(delete(BlocklistEntry).where(BlocklistEntry.org_id == actor.org_id, owner))
    session.add_all(BlocklistEntry(org_id=actor.org_id, user_id=user_id, entry=e) for e in new_entries)
    audit.record(session, actor.org_id, "blocklist.updated", actor_id=actor.id,
                 target_type="user" if user_id else "org", target_id=user_id or actor.org_id,
                 details={"entries": len(new_entries)})
    session.flush()
    return new_entries


def for_user(session: Session, user: User) -> Blocklist:
    """Everything blocked for `user`: their own list and the admin's."""
    rows = session.scalars(select(BlocklistEntry.entry).where(
        BlocklistEntry.org_id == user.org_id,
        (BlocklistEntry.user_id.is_(None)) | (BlocklistEntry.user_id == user.id)))
    return parse_blocklist(rows)
