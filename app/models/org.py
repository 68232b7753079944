"""A Salesforce org (the tenant) and its OAuth connections."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Enum, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UtcDateTime, utcnow

CONNECTION_STATUSES = ("connected", "needs_reauth", "revoked")


class Org(Base):
    """One Salesforce org; every other row belongs to exactly one of these."""

    __tablename__ = "orgs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    sf_org_id: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    instance_url: Mapped[str | None] = mapped_column(String(255))
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    users = relationship("User", back_populates="org", cascade="all, delete-orphan")
    connections = relationship("SalesforceConnection", back_populates="org", cascade="all, delete-orphan")


class SalesforceConnection(Base):
    """OAuth tokens of one user for one org, encrypted at rest.

    `is_org_default` marks the connection used for org-wide work (one poll per org).
    """

    __tablename__ = "salesforce_connections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    instance_url: Mapped[str] = mapped_column(String(255))
    access_token_enc: Mapped[str] = mapped_column(Text)
    refresh_token_enc: Mapped[str | None] = mapped_column(Text)
    scope: Mapped[str | None] = mapped_column(String(512))
    status: Mapped[str] = mapped_column(
        Enum(*CONNECTION_STATUSES, name="connection_status", native_enum=False, create_constraint=True), default="connected"
    )
    status_reason: Mapped[str | None] = mapped_column(String(512))
    is_org_default: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    org = relationship("Org", back_populates="connections")
    user = relationship("User", back_populates="connection")
