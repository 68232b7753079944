"""Emails saved to Salesforce: once per org per Message-ID, with who saved them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class SavedEmail(Base):
    """The Salesforce record an email became; the unique key makes a second save a no-op."""

    __tablename__ = "saved_emails"
    __table_args__ = (UniqueConstraint("org_id", "message_id", name="org_message_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    message_id: Mapped[str] = mapped_column(String(998))
    sync_key: Mapped[str] = mapped_column(String(64))
    record_type: Mapped[str | None] = mapped_column(String(32))
    record_id: Mapped[str | None] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    manual: Mapped[bool] = mapped_column(Boolean, default=False)
    first_saved_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(1024))


class SavedEmailSaver(Base):
    """Each user who saved the same email (two users → one record, two relations)."""

    __tablename__ = "saved_email_savers"
    __table_args__ = (UniqueConstraint("saved_email_id", "user_id", name="saved_email_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    saved_email_id: Mapped[int] = mapped_column(ForeignKey("saved_emails.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    relation_done: Mapped[bool] = mapped_column(Boolean, default=False)
    saved_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
