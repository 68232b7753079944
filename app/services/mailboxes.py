"""Registering mailboxes and server profiles; suspending and resuming sync by hand."""
from __future__ import annotations

import json

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import Mailbox, ServerProfile, SyncCursor, User
from app.providers.graph.certificates import BadCertificate
from app.providers.host_guard import HostPolicy
from app.runtime import Runtime
from app.security.secret_box import SecretBox, SecretDecryptError
from app.services import audit, mailbox_status
from app.services.google_profiles import sealed_service_account
from app.services.graph_profiles import sealed_certificate
from app.services.mail_hosts import check_endpoints
from app.sync.idmap import mailbox_stream
from app.sync.items import FolderKind
from app.sync.window_reach import reach_stream

DAV_ENDPOINTS = ("caldav_url", "carddav_url")
# Which mailbox change streams read from which endpoints: a cursor is only valid on its server.
STREAMS_OF = {"imap_host": (FolderKind.MAIL,), "imap_port": (FolderKind.MAIL,),
              "caldav_url": (FolderKind.CALENDAR, FolderKind.TASKS), "carddav_url": (FolderKind.CONTACTS,)}


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


def with_dav_urls(endpoints: dict) -> dict:
    """``dav_url`` (one URL serving CalDAV and CardDAV) stored as the caldav_url/carddav_url not given."""
    shared = endpoints.get("dav_url")
    rest = {k: v for k, v in endpoints.items() if k != "dav_url"}
    return {"caldav_url": shared, "carddav_url": shared, **rest} if shared else rest


def create_profile(session: Session, actor: User, data: dict, hosts: HostPolicy,
                   secrets: SecretBox | None = None) -> ServerProfile:
    """A new server profile; its hosts must pass the host guard (raises InvalidEndpoints).

    A graph profile's client secret is kept encrypted in its settings (``secrets`` encrypts it)."""
    check_endpoints(data.get("endpoints") or {}, hosts)
    endpoints = with_dav_urls(data.get("endpoints") or {})
    if session.scalar(select(ServerProfile).where(ServerProfile.org_id == actor.org_id,
                                                  ServerProfile.name == data["name"])):
        raise MailboxConflict(f"a server profile named {data['name']!r} already exists")
    profile = ServerProfile(org_id=actor.org_id, name=data["name"], kind=data["kind"], endpoints=endpoints,
                            settings=sealed_client_secret(data.get("client_secret"), secrets)
                            | graph_auth_settings(data, secrets)
                            | sealed_service_account(data.get("service_account_key"), secrets))
    session.add(profile)
    session.flush()
    audit.record(session, actor.org_id, "server_profile.created", actor_id=actor.id,
                 target_type="server_profile", target_id=profile.id, details={"kind": profile.kind})
    return profile


def sealed_client_secret(secret: str | None, secrets: SecretBox | None) -> dict:
    """The profile settings holding an app registration's secret, encrypted (empty without one)."""
    if not secret:
        return {}
    if secrets is None:
        raise ValueError("a client secret needs the secret box to be stored encrypted")
    return {"client_secret_enc": secrets.encrypt(secret)}


def graph_auth_settings(data: dict, secrets: SecretBox | None) -> dict:
    """A graph profile's auth mode and certificate credential, if given (raises InvalidRegistration)."""
    extra = {"auth_mode": data["auth_mode"]} if data.get("auth_mode") else {}
    if not data.get("private_key"):
        return extra
    if secrets is None:
        raise ValueError("a certificate key needs the secret box to be stored encrypted")
    try:
        return extra | sealed_certificate(data["private_key"], data["certificate"], secrets)
    except BadCertificate as exc:
        raise InvalidRegistration({"certificate": [str(exc)]}) from exc


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


def move_to_profile(session: Session, mailbox: Mailbox, profile: ServerProfile, actor: User) -> None:
    """Another server profile for this mailbox (e.g. one that adds CalDAV to an IMAP-only account).

    The cursors of streams whose server changed are dropped: the next session lists those folders
    in full and the ID map keeps that listing from duplicating anything."""
    before = mailbox.server_profile.endpoints or {}
    after = profile.endpoints or {}
    kinds = {k for key, kinds in STREAMS_OF.items() if before.get(key) != after.get(key) for k in kinds}
    streams = [s for k in kinds for s in (mailbox_stream(k), reach_stream(mailbox_stream(k)))]
    if streams:
        session.execute(delete(SyncCursor).where(SyncCursor.mailbox_id == mailbox.id, SyncCursor.stream.in_(streams)))
    old_id, mailbox.server_profile = mailbox.server_profile_id, profile
    audit.record(session, mailbox.org_id, "mailbox.server_profile_changed", actor_id=actor.id, target_type="mailbox",
                 target_id=mailbox.id, details={"from": old_id, "to": profile.id})


def stored_credentials(rt: Runtime, mailbox: Mailbox) -> dict:
    """``password`` (IMAP, and DAV unless ``dav_password``) and ``dav_password``, decrypted."""
    return json.loads(rt.secrets.decrypt(mailbox.credentials_enc)) if mailbox.credentials_enc else {}


def mailbox_logins(rt: Runtime, mailbox: Mailbox) -> tuple[tuple[str, str], tuple[str, str]]:
    """((IMAP user, password), (DAV user, password)) from the encrypted store; DAV falls back to IMAP's."""
    secrets = stored_credentials(rt, mailbox)
    login, password = mailbox.username or mailbox.address, str(secrets.get("password") or "")
    return (login, password), (mailbox.dav_username or login, str(secrets.get("dav_password") or password))


def has_dav_password(rt: Runtime, mailbox: Mailbox) -> bool:
    return bool(_readable_credentials(rt, mailbox).get("dav_password"))


def _readable_credentials(rt: Runtime, mailbox: Mailbox) -> dict:
    """What can still be decrypted: secrets stored under a key no longer configured count as unset,
    so a view still answers and new passwords can replace them."""
    try:
        return stored_credentials(rt, mailbox)
    except SecretDecryptError:
        return {}


def set_credentials(rt: Runtime, mailbox: Mailbox, **secrets: str | None) -> None:
    """Change the named secrets and keep the others; a None value forgets that secret."""
    stored = {**_readable_credentials(rt, mailbox), **secrets}
    kept = {k: v for k, v in stored.items() if v}
    mailbox.credentials_enc = rt.secrets.encrypt(json.dumps(kept)) if kept else None


def update_login(rt: Runtime, session: Session, mailbox: Mailbox, data: dict, actor: User) -> None:
    """PATCH's credential fields; a new password (IMAP or DAV) also resumes a mailbox that was
    waiting for re-authorisation. ``dav_username``/``dav_password`` null: use IMAP's again.
    Checked against the mailbox's (possibly just changed) server profile."""
    check_fits_profile(mailbox.server_profile, {"dav_username": data.get("dav_username", mailbox.dav_username),
                                                "dav_password": data.get("dav_password")})
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
