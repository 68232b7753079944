"""Durable sync state: the ID map and change cursors (never Redis: a lost cursor loses data)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class IdMapRow(Base):
    """One mirrored pair (cf. Dynamics' ExchangeSyncIdMapping), keyed by mailbox + sync key."""

    __tablename__ = "id_map"
    __table_args__ = (
        UniqueConstraint("mailbox_id", "sync_key", name="mailbox_sync_key"),
        Index("ix_id_map_mailbox_kind", "mailbox_id", "kind"),
        Index("ix_id_map_org_crm", "org_id", "crm_id"),
        # The unfinished rows (held mid-write, failed) are a handful among a mailbox's thousands:
        # partial indexes let an idle session and the batched idle check find them without
        # walking every row of the mailbox.
        Index("ix_id_map_pending", "mailbox_id", "kind", sqlite_where=text("pending IS NOT NULL"),
              postgresql_where=text("pending IS NOT NULL")),
        Index("ix_id_map_failed", "mailbox_id", "kind", sqlite_where=text("last_error IS NOT NULL"),
              postgresql_where=text("last_error IS NOT NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    sync_key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    object_type: Mapped[str] = mapped_column(String(64))
    mailbox_item_id: Mapped[str | None] = mapped_column(String(1024))
    uid: Mapped[str | None] = mapped_column(String(1024))
    series_id: Mapped[str | None] = mapped_column(String(1024))
    crm_id: Mapped[str | None] = mapped_column(String(18))
    mailbox_version: Mapped[str | None] = mapped_column(String(512))
    crm_version: Mapped[str | None] = mapped_column(String(64))
    mailbox_hash: Mapped[str | None] = mapped_column(String(64))
    crm_hash: Mapped[str | None] = mapped_column(String(64))
    field_hashes: Mapped[dict] = mapped_column(JSON, default=dict)
    pending: Mapped[str | None] = mapped_column(String(32))
    pending_writes: Mapped[dict] = mapped_column(JSON, default=dict)
    link_reasons: Mapped[list | None] = mapped_column(JSON, default=list)   # the ladder's why, shown to users
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    unlinked: Mapped[bool] = mapped_column(Boolean, default=False)
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    synced_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class SyncCursor(Base):
    """Where each change stream of a mailbox (``mailbox:calendar``, ``crm:Event``…) resumes."""

    __tablename__ = "sync_cursors"
    __table_args__ = (UniqueConstraint("mailbox_id", "stream", name="mailbox_stream"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    stream: Mapped[str] = mapped_column(String(128))
    cursor: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
