"""The dashboard's listing of recently linked items: which record each became and why its
Who/What are what they are (the resolution ladder's reasons, stored in the ID map)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import IdMapRow


def linked_items(session: Session, mailbox_id: int, limit: int = 50) -> list[dict]:
    """Newest first; only items the ladder linked (or explained not linking) carry reasons."""
    rows = session.scalars(select(IdMapRow).where(
        IdMapRow.mailbox_id == mailbox_id, IdMapRow.crm_id.is_not(None), IdMapRow.deleted.is_(False),
        IdMapRow.link_reasons.is_not(None)).order_by(IdMapRow.id.desc()).limit(limit * 4))
    items = [{"kind": r.kind, "object_type": r.object_type, "record_id": r.crm_id, "uid": r.uid,
              "link_reasons": list(r.link_reasons)} for r in rows if r.link_reasons]
    return items[:limit]
