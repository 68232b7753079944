"""WebDAV-Push registrations Syncline holds on a mailbox's CalDAV/CardDAV collections.

Each row is one Web Push subscription whose push resource is Syncline's own endpoint
(``/api/v1/push/webdav/<token>``): the token is random and kept only as a SHA-256 hash (as Google's
channel tokens), the RFC 8291 receiver keys are sealed with the secret box. Rows go with their
mailbox: a push for a row that is gone is answered 404, and the DAV server drops the registration.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class DavPushSubscription(Base):
    __tablename__ = "dav_push_subscriptions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"), index=True)
    collection_url: Mapped[str] = mapped_column(String(2048))
    topic: Mapped[str] = mapped_column(String(1024))               # the server's push topic of the collection
    registration_url: Mapped[str] = mapped_column(String(2048), default="")   # "" until the server answered
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    keys_enc: Mapped[str] = mapped_column(Text)                    # sealed JSON {private, public, auth}
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
