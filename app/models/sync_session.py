"""One sync session of one mailbox, as the dashboard shows it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow

SESSION_STATUSES = ("running", "succeeded", "partial", "failed")
TRIGGERS = ("scheduled", "forced", "push", "retry")


class SyncSessionRecord(Base):
    """`counts` per object kind; `errors` per item with a reason (capped); `conflicts` overridden."""

    __tablename__ = "sync_sessions"
    __table_args__ = (Index("ix_sync_sessions_mailbox", "mailbox_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(Enum(*TRIGGERS, name="sync_trigger", native_enum=False,
                                              create_constraint=True))
    status: Mapped[str] = mapped_column(Enum(*SESSION_STATUSES, name="sync_session_status", native_enum=False,
                                             create_constraint=True), default="running")
    job_id: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    errors: Mapped[list] = mapped_column(JSON, default=list)
    conflicts: Mapped[list] = mapped_column(JSON, default=list)
    failure: Mapped[str | None] = mapped_column(Text)
