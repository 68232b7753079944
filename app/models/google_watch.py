"""Google push watches, one per mailbox and kind: a Calendar ``events.watch`` channel or a Gmail
``users.watch`` on the org's Pub/Sub topic.

Kept in SQL like Graph's subscriptions (losing one silently loses push for a week). The row outlives
its mailbox (mailbox_id set NULL) so the channel can still be stopped at Google, acting as ``address``.
The channel token is a random secret kept only as a SHA-256 hash, as Graph's clientState is.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class GoogleWatch(Base):
    __tablename__ = "google_watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="SET NULL"), index=True)
    server_profile_id: Mapped[int] = mapped_column(ForeignKey("server_profiles.id", ondelete="CASCADE"))
    address: Mapped[str] = mapped_column(String(320))         # the user the watch acts as (stop needs it)
    kind: Mapped[str] = mapped_column(String(16))              # "calendar" | "gmail"
    channel_id: Mapped[str] = mapped_column(String(64), unique=True)    # ours (calendar) or "gmail-<uuid>"
    resource_id: Mapped[str] = mapped_column(String(1024))    # Google's resourceId, or the Pub/Sub topic (gmail)
    token_hash: Mapped[str] = mapped_column(String(64), default="")     # calendar: SHA-256 of the channel token
    label_ids: Mapped[str] = mapped_column(String(1024), default="")    # gmail: the labels watched, comma-separated
    history_id: Mapped[str | None] = mapped_column(String(32))          # gmail: historyId the watch answered
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    push_root: Mapped[str | None] = mapped_column(String(2048))   # calendar: SYNCLINE_PUBLIC_URL it notifies
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
