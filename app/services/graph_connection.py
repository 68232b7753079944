"""An admin's checks of a graph server profile: its certificate, its auth mode, and "test connection".

Test connection acquires a fresh token the way sessions do and names each Graph permission the
org's enabled folder kinds need that the token does not carry (``roles`` for the app registration,
``scp`` for a delegated sign-in), or says in one sentence why no token came (with Entra ID's AADSTS code).
"""
from __future__ import annotations

import dataclasses
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mailbox, Org, ServerProfile, User
from app.providers.graph import GraphSettings
from app.providers.graph.connect import checked_session, token_source
from app.providers.graph.permissions import DELEGATED, granted, missing
from app.runtime import Runtime
from app.services import audit
from app.services.graph_accounts import CacheSaver, session_settings, signed_in
from app.services.graph_profiles import (
    NotAGraphProfile,
    graph_settings,
    new_credential,
    save_token_cache,
    sealed_certificate,
)
from app.services.settings import org_settings
from app.state import keys
from app.state.locks import Lease
from app.sync.errors import SyncError
from app.sync.items import FolderKind

REFRESH_LOCK_SECONDS = 60
SYNC_SETTING = {FolderKind.CALENDAR: "sync_calendar", FolderKind.TASKS: "sync_tasks",
                FolderKind.CONTACTS: "sync_contacts"}


def store_certificate(rt: Runtime, session: Session, profile: ServerProfile, private_key: str, certificate: str,
                      actor: User) -> int:
    """Keep the key encrypted and the certificate with its SHA-256 thumbprint; sessions then sign
    client assertions with it instead of sending the secret. Raises BadCertificate, NotAGraphProfile."""
    _graph_only(profile)
    return new_credential(session, profile, sealed_certificate(private_key, certificate, rt.secrets), actor,
                          "server_profile.certificate_stored")


def set_auth_mode(session: Session, profile: ServerProfile, mode: str, actor: User) -> None:
    """Back to application permissions resumes mailboxes waiting for a sign-in (the app reaches them now);
    to delegated, each mailbox waits for its owner's sign-in at its next session."""
    _graph_only(profile)
    if mode == DELEGATED:
        profile.settings = {**(profile.settings or {}), "auth_mode": mode}
        audit.record(session, profile.org_id, "server_profile.auth_mode_changed", actor_id=actor.id,
                     target_type="server_profile", target_id=profile.id, details={"auth_mode": mode})
    else:
        new_credential(session, profile, {"auth_mode": mode}, actor, "server_profile.auth_mode_changed")


def enabled_kinds(settings: dict[str, Any]) -> list[str]:
    """Folder kinds the org syncs (mail: emails are always saved)."""
    return [FolderKind.MAIL.value] + [k.value for k, name in SYNC_SETTING.items() if settings.get(name) != "off"]


def check_connection(rt: Runtime, session: Session, profile: ServerProfile, caller: User) -> dict[str, Any]:
    """{ok, auth_mode, checked_as, granted, missing: [{permission, needed_for}], error}.

    A delegated check refreshes a signed-in mailbox's token, so it holds that mailbox's session lock
    meanwhile (one refresh at a time: a session and the check never rotate the same refresh token)."""
    _graph_only(profile)
    report: dict[str, Any] = {"auth_mode": profile.auth_mode, "checked_as": "the app registration",
                              "granted": [], "missing": [], "error": None}
    try:
        settings = graph_settings(rt, profile)
    except SyncError as exc:            # a stored secret or key that no longer decrypts
        return {**report, "ok": False, "error": f"no token: {exc}"}
    if settings.auth_mode != DELEGATED:
        profile_id = profile.id
        return _checked(session, profile, settings, lambda cache: save_token_cache(rt, profile_id, cache), report)
    mailbox = _signed_in_mailbox(rt, session, profile, caller)
    if mailbox is None:
        return {**report, "ok": False, "checked_as": None, "error": "no mailbox of this profile has signed in "
                "with Microsoft yet: sign in (GET /api/v1/mailboxes/{id}/graph-sign-in) and test again"}
    report["checked_as"] = mailbox.address
    lease = Lease(rt.redis.client, keys.mailbox_lock(mailbox.id), REFRESH_LOCK_SECONDS)
    if not lease.acquire():
        return {**report, "ok": False, "error": f"a sync session of {mailbox.address} is running; test again "
                                                 "when it has finished"}
    try:
        return _checked(session, profile, *session_settings(rt, mailbox), report)
    except SyncError as exc:            # its sign-in no longer decrypts
        return {**report, "ok": False, "error": f"no token: {exc}"}
    finally:
        lease.release()


def _checked(session: Session, profile: ServerProfile, settings: GraphSettings, save: CacheSaver,
             report: dict[str, Any]) -> dict[str, Any]:
    """A fresh token's permissions against what the org's enabled folder kinds need."""
    try:
        tokens = token_source(settings, checked_session(settings), save)
        token = tokens.access_token(True)
    except SyncError as exc:
        return {**report, "ok": False, "error": f"no token: {exc}"}
    save(tokens.cache_state())
    have = granted(token, settings.auth_mode)
    org = session.get(Org, profile.org_id)
    lacking = missing(have, enabled_kinds(org_settings(org) if org else {}), settings.auth_mode)
    return {**report, "ok": not lacking, "granted": sorted(have),
            "missing": [dataclasses.asdict(m) for m in lacking]}


def _signed_in_mailbox(rt: Runtime, session: Session, profile: ServerProfile, caller: User) -> Mailbox | None:
    """The caller's own mailbox on this profile if signed in, else the first signed-in one."""
    boxes = session.scalars(select(Mailbox).where(Mailbox.server_profile_id == profile.id).order_by(Mailbox.id)).all()
    ready = [m for m in boxes if signed_in(rt, m)]
    return next((m for m in ready if m.user_id == caller.id), ready[0] if ready else None)


def _graph_only(profile: ServerProfile) -> None:
    if profile.kind != "graph":
        raise NotAGraphProfile(f"server profile {profile.name!r} is a {profile.kind} profile, not Office 365 (graph)")
