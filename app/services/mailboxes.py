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


class MailboxConflict(Exception):
    """The request contradicts the mailbox's state (already registered, suspended…)."""


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
    mailbox = Mailbox(org_id=owner.org_id, user=owner, server_profile_id=profile.id, address=data["address"],
                      username=data.get("username") or data["address"])
    set_password(rt, mailbox, data.get("password"))
    session.add(mailbox)
    session.flush()
    audit.record(session, owner.org_id, "mailbox.registered", actor_id=actor.id, target_type="mailbox",
                 target_id=mailbox.id, details={"address": mailbox.address, "server_profile_id": profile.id})
    return mailbox


def set_password(rt: Runtime, mailbox: Mailbox, password: str | None) -> None:
    if password:
        mailbox.credentials_enc = rt.secrets.encrypt(json.dumps({"password": password}))


def update_password(rt: Runtime, session: Session, mailbox: Mailbox, password: str | None, actor: User) -> None:
    """A new password also resumes a mailbox that was waiting for re-authorisation."""
    if password:
        set_password(rt, mailbox, password)
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
