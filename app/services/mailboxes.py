"""Registering mailboxes and server profiles; suspending and resuming sync by hand."""
from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mailbox, ServerProfile, User
from app.providers.host_guard import HostPolicy
from app.runtime import Runtime
from app.services import audit, mailbox_status
from app.services.mail_hosts import check_endpoints

DAV_ENDPOINTS = ("caldav_url", "carddav_url")


class MailboxConflict(Exception):
    """The request contradicts the mailbox's state (already registered, suspended…)."""


class InvalidRegistration(ValueError):
    """Mailbox fields the server profile cannot use; ``errors`` names each field (answered as 400)."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        self.errors = {"json": errors}
        super().__init__("Invalid request: " + "; ".join(f"{f}: {m[0]}" for f, m in errors.items()))


def check_fits_profile(profile: ServerProfile, data: dict) -> None:
    """Separate DAV credentials only where the profile has a CalDAV or CardDAV URL."""
    endpoints = profile.endpoints or {}
    if any(endpoints.get(k) for k in DAV_ENDPOINTS):
        return
    given = [f for f in ("dav_username", "dav_password") if data.get(f)]
    if given:
        raise InvalidRegistration({f: [f"server profile {profile.name!r} has no caldav_url or carddav_url, "
                                       "so there is no DAV login to set"] for f in given})


def create_profile(session: Session, actor: User, data: dict, hosts: HostPolicy) -> ServerProfile:
    """A new server profile; its hosts must pass the host guard (raises InvalidEndpoints)."""
    check_endpoints(data.get("endpoints") or {}, hosts)
    if session.scalar(select(ServerProfile).where(ServerProfile.org_id == actor.org_id,
                                                  ServerProfile.name == data["name"])):
        raise MailboxConflict(f"a server profile named {data['name']!r} already exists")
    profile = ServerProfile(org_id=actor.org_id, name=data["name"], kind=data["kind"],
                            endpoints=data.get("endpoints") or {})
    session.add(profile)
    session.flush()
    audit.record(session, actor.org_id, "server_profile.created", actor_id=actor.id,
                 target_type="server_profile", target_id=profile.id, details={"kind": profile.kind})
    return profile


def register(rt: Runtime, session: Session, owner: User, profile: ServerProfile, data: dict, actor: User) -> Mailbox:
    if owner.mailbox is not None:
        raise MailboxConflict(f"{owner.email} already has a mailbox (id {owner.mailbox.id}); update it instead")
    check_fits_profile(profile, data)
    mailbox = Mailbox(org_id=owner.org_id, user=owner, server_profile_id=profile.id, address=data["address"],
                      username=data.get("username") or data["address"], dav_username=data.get("dav_username"))
    set_credentials(rt, mailbox, password=data.get("password"), dav_password=data.get("dav_password"))
    session.add(mailbox)
    session.flush()
    audit.record(session, owner.org_id, "mailbox.registered", actor_id=actor.id, target_type="mailbox",
                 target_id=mailbox.id, details={"address": mailbox.address, "server_profile_id": profile.id})
    return mailbox


def stored_credentials(rt: Runtime, mailbox: Mailbox) -> dict:
    """``password`` (IMAP, and DAV unless ``dav_password``) and ``dav_password``, decrypted."""
    return json.loads(rt.secrets.decrypt(mailbox.credentials_enc)) if mailbox.credentials_enc else {}


def has_dav_password(rt: Runtime, mailbox: Mailbox) -> bool:
    return bool(mailbox.credentials_enc) and bool(stored_credentials(rt, mailbox).get("dav_password"))


def set_credentials(rt: Runtime, mailbox: Mailbox, **secrets: str | None) -> None:
    """Change the named secrets and keep the others; a None value forgets that secret."""
    stored = {**stored_credentials(rt, mailbox), **secrets}
    kept = {k: v for k, v in stored.items() if v}
    mailbox.credentials_enc = rt.secrets.encrypt(json.dumps(kept)) if kept else None


def update_login(rt: Runtime, session: Session, mailbox: Mailbox, data: dict, actor: User) -> None:
    """PATCH's credential fields; a new password (IMAP or DAV) also resumes a mailbox that was
    waiting for re-authorisation. ``dav_username``/``dav_password`` null: use IMAP's again."""
    check_fits_profile(mailbox.server_profile, data)
    if "dav_username" in data:
        mailbox.dav_username = data["dav_username"]
    changed = {k: data[k] for k in ("password", "dav_password") if k in data and (data[k] or k == "dav_password")}
    if changed:
        set_credentials(rt, mailbox, **changed)
    if any(changed.values()):
        mailbox_status.reauthorised(session, mailbox, actor)


def suspend_by_hand(session: Session, mailbox: Mailbox, reason: str, actor: User) -> None:
    if mailbox.status == "disabled":
        raise MailboxConflict("this mailbox is disabled; an admin must enable it first")
    mailbox_status.suspend(session, mailbox, reason, actor)


def resume(session: Session, mailbox: Mailbox, actor: User) -> None:
    """Back to active, failure count cleared, next session as soon as the scheduler ticks.

    Raises AdminSuspension when a non-admin tries to lift an admin's suspension."""
    if mailbox.status == "disabled":
        raise MailboxConflict("this mailbox is disabled; an admin must enable it first")
    mailbox_status.check_may_resume(mailbox, actor)
    mailbox_status.activate(session, mailbox, actor)
