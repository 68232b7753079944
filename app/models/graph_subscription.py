"""Graph change-notification subscriptions, one per mailbox and folder kind.

Kept in SQL (not Redis) because losing one means silently losing push for days. The row outlives
its mailbox (mailbox_id set NULL) so the subscription can still be deleted at Graph; the
clientState is kept only as a SHA-256 hash (it is a random secret, so a plain hash suffices).
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class GraphSubscription(Base):
    __tablename__ = "graph_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int | None] = mapped_column(ForeignKey("mailboxes.id", ondelete="SET NULL"), index=True)
    server_profile_id: Mapped[int] = mapped_column(ForeignKey("server_profiles.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    subscription_id: Mapped[str] = mapped_column(String(255), unique=True)
    resource: Mapped[str] = mapped_column(String(1024))
    client_state_hash: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    push_root: Mapped[str | None] = mapped_column(String(2048))   # SYNCLINE_PUBLIC_URL it notifies (None: not recorded)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
