"""A person using Syncline: belongs to one org, signs in with Salesforce."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UtcDateTime, utcnow


class User(Base):
    """`role` is admin when Salesforce says so (`sf_admin`) or an admin granted it."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("org_id", "sf_user_id", name="org_sf_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    sf_user_id: Mapped[str] = mapped_column(String(18))
    email: Mapped[str] = mapped_column(String(320), index=True)
    name: Mapped[str] = mapped_column(String(255), default="")
    sf_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    admin_granted: Mapped[bool] = mapped_column(Boolean, default=False)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    auto_sync_enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    org = relationship("Org", back_populates="users")
    connection = relationship("SalesforceConnection", back_populates="user", uselist=False)
    mailbox = relationship("Mailbox", back_populates="user", uselist=False)

    @property
    def role(self) -> str:
        return "admin" if (self.sf_admin or self.admin_granted) else "user"

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
