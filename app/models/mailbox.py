"""Mail server profiles (org level) and the one mailbox each user syncs."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Enum, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, UtcDateTime, utcnow

PROVIDER_KINDS = ("graph", "ews", "gmail", "imap")
MAILBOX_STATUSES = ("active", "suspended", "disabled", "needs_reauth")
# Who put the mailbox in its status: an admin's suspension can only be lifted by an admin.
STATUS_SOURCES = ("system", "user", "admin")


class ServerProfile(Base):
    """How to reach one kind of mail server (cf. Dynamics' EmailServerProfile)."""

    __tablename__ = "server_profiles"
    __table_args__ = (UniqueConstraint("org_id", "name", name="org_profile_name"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(Enum(*PROVIDER_KINDS, name="provider_kind", native_enum=False, create_constraint=True))
    endpoints: Mapped[dict] = mapped_column(JSON, default=dict)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    @property
    def auth_mode(self) -> str | None:
        """graph: "application" (the app registration) or "delegated" (each mailbox signs in);
        gmail: "domain_wide" (the service account) or "user_oauth" (each mailbox signs in)."""
        default = {"graph": "application", "gmail": "domain_wide"}.get(self.kind)
        return str((self.settings or {}).get("auth_mode") or default) if default else None

    @property
    def certificate_thumbprint(self) -> str | None:
        return (self.settings or {}).get("certificate_thumbprint")


class Mailbox(Base):
    """A user's mailbox as the sync engine sees it; credentials are encrypted at rest."""

    __tablename__ = "mailboxes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("orgs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    server_profile_id: Mapped[int] = mapped_column(ForeignKey("server_profiles.id", ondelete="RESTRICT"))
    address: Mapped[str] = mapped_column(String(320))
    username: Mapped[str] = mapped_column(String(320), default="")
    # CalDAV/CardDAV login where it differs from IMAP's (None: the same); its password is in credentials_enc
    dav_username: Mapped[str | None] = mapped_column(String(320))
    credentials_enc: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(
        Enum(*MAILBOX_STATUSES, name="mailbox_status", native_enum=False, create_constraint=True), default="active"
    )
    status_reason: Mapped[str | None] = mapped_column(String(1024))
    status_set_by: Mapped[str | None] = mapped_column(
        Enum(*STATUS_SOURCES, name="mailbox_status_source", native_enum=False, create_constraint=True))
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    # of those, the sessions a service told to wait (429, quota, paused org): never toward suspension
    throttled_failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    next_sync_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    user = relationship("User", back_populates="mailbox")
    server_profile = relationship("ServerProfile")
