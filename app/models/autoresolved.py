"""What autoresolve created in Salesforce, per session: the undo list. The stamps taken right after
the create tell later whether anyone has touched the record since (then undo keeps it)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow

AUTORESOLVE_STATUSES = ("created", "undone", "kept")


class AutoresolvedRecord(Base):
    """One Lead, Contact, Account or Person Account autoresolve created for `email` (the address it
    resolved; an Account's is the address it was created for)."""

    __tablename__ = "autoresolved_records"
    __table_args__ = (Index("ix_autoresolved_mailbox_session", "mailbox_id", "session_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    session_id: Mapped[int | None] = mapped_column(ForeignKey("sync_sessions.id", ondelete="SET NULL"))
    sobject: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(18))
    email: Mapped[str] = mapped_column(String(320))
    system_modstamp: Mapped[str] = mapped_column(String(40), default="")
    last_modified: Mapped[str] = mapped_column(String(40), default="")
    status: Mapped[str] = mapped_column(String(16), default="created")
    note: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
