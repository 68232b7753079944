"""The per-org Salesforce change loop's durable state: where each object's poll stands, and the
work it fanned out to mailboxes (SQL, not Redis: losing either would lose changes)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UtcDateTime, utcnow


class OrgFeedState(Base):
    """One synced object of one org: the last poll's start time (the window is anchored there,
    minus an overlap) and the (Id → SystemModstamp) already fanned out inside that overlap, so a
    re-read row is dropped, not routed again. `epoch` grows when the feed had to restart: mailbox
    cursors of an older epoch then read their owner's records in full."""

    __tablename__ = "org_feed_states"
    __table_args__ = (UniqueConstraint("org_id", "sobject", name="org_feed_object"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    sobject: Mapped[str] = mapped_column(String(64))
    polled_at: Mapped[datetime] = mapped_column(UtcDateTime)
    seen: Mapped[dict] = mapped_column(JSON, default=dict)
    epoch: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)


class MailboxChange(Base):
    """One Salesforce change routed to one mailbox; its session reads rows after its cursor's
    `id` and drops them once a later session starts from a cursor past them."""

    __tablename__ = "mailbox_changes"
    __table_args__ = (Index("ix_mailbox_changes_mailbox_object", "mailbox_id", "sobject", "id"),)

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    mailbox_id: Mapped[int] = mapped_column(ForeignKey("mailboxes.id", ondelete="CASCADE"))
    sobject: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(18))
    version: Mapped[str] = mapped_column(String(40))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    reason: Mapped[str] = mapped_column(String(16))      # owner | invitee | linked
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class OrgStreamState(Base):
    """Where an org's Change Data Capture subscription stands: the replayId of the last change
    event whose poll was queued (or that needed none). A restart resumes after it; an id
    Salesforce no longer retains means subscribing anew and polling at once."""

    __tablename__ = "org_stream_states"
    __table_args__ = (UniqueConstraint("org_id", "channel", name="org_stream_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(255))
    replay_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
