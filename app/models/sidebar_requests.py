"""What the sidebar asks of the sync engine (compose/meeting saves, thread autosaves) and blocklists.

The sidebar records these requests; the sync engine acts on them on its next session, so
each row keeps exactly what the engine needs to find the item and link it.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class BlocklistEntry(Base):
    """An address or `@domain` never looked up or suggested; `user_id` None = the org admin's list."""

    __tablename__ = "blocklist_entries"
    __table_args__ = (UniqueConstraint("org_id", "user_id", "entry", name="blocklist_scope_entry"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    entry: Mapped[str] = mapped_column(String(320))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ComposeSave(Base):
    """Outlook Compose "save when sent": the engine finds the sent message by its X-Syncline-Save marker."""

    __tablename__ = "compose_saves"
    __table_args__ = (UniqueConstraint("user_id", "marker", name="compose_save_user_marker"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    marker: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str | None] = mapped_column(String(998))
    who_ids: Mapped[list] = mapped_column(JSON, default=list)
    what_id: Mapped[str | None] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class MeetingSave(Base):
    """A meeting to save via sync, by iCalUID or, when Office.js hides it, the provider's item id."""

    __tablename__ = "meeting_saves"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    ical_uid: Mapped[str | None] = mapped_column(String(1024))
    item_ref: Mapped[str | None] = mapped_column(String(1024))
    who_ids: Mapped[list] = mapped_column(JSON, default=list)
    what_id: Mapped[str | None] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class ThreadAutosave(Base):
    """"Save all emails in this thread" is on for this user's thread (Gmail thread id / conversationId)."""

    __tablename__ = "thread_autosaves"
    __table_args__ = (UniqueConstraint("user_id", "thread_id", name="thread_autosave_user_thread"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    thread_id: Mapped[str] = mapped_column(String(512))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
