"""What a gmail (Google Workspace) server profile holds, as the Google adapter's settings: the org's
service-account key for domain-wide delegation, kept encrypted on the profile (one key serves every
mailbox of the profile, each session acting as its user)."""
from __future__ import annotations

import dataclasses
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mailbox, ServerProfile, User
from app.providers.google import API_ROOT, TOKEN_URI, GoogleSettings
from app.runtime import Runtime
from app.security.secret_box import SecretBox, SecretDecryptError
from app.services import audit, mailbox_status
from app.services.mail_hosts import mail_host_policy
from app.sync.errors import AuthFailure

KEY_SETTING = "service_account_enc"
DOMAIN_WIDE, USER_OAUTH = "domain_wide", "user_oauth"


class NotAGoogleProfile(ValueError):
    """Only a gmail server profile holds a service-account key."""


def google_settings(rt: Runtime, profile: ServerProfile) -> GoogleSettings:
    """The profile's (decrypted) service-account key, its endpoints and the operator's CA file.

    Raises AuthFailure when no key is stored or it cannot be decrypted: the mailbox then waits,
    visibly, for an admin to store the key (PUT .../service-account-key)."""
    endpoints, settings = dict(profile.endpoints or {}), dict(profile.settings or {})
    where = GoogleSettings(api_root=str(endpoints.get("google_api_url") or API_ROOT),
                           token_uri=str(endpoints.get("google_token_url") or TOKEN_URI),
                           people_root=endpoints.get("google_people_url") or None,
                           tasks_root=endpoints.get("google_tasks_url") or None,
                           ca_file=rt.config.google_ca_bundle or None, host_policy=mail_host_policy(rt.config))
    if profile.auth_mode == USER_OAUTH:       # each mailbox's own grant: google_accounts.session_settings
        return where
    if not settings.get(KEY_SETTING):
        raise AuthFailure(f"server profile {profile.name!r} has no Google service-account key; an admin must store one")
    try:
        key = json.loads(rt.secrets.decrypt(settings[KEY_SETTING]))
    except (SecretDecryptError, ValueError) as exc:
        raise AuthFailure(f"server profile {profile.name!r}: its service-account key can no longer be decrypted; "
                          "store it again") from exc
    return dataclasses.replace(where, service_account=key)


def sealed_service_account(key: dict | None, secrets: SecretBox | None) -> dict:
    """The profile settings holding a service-account key, encrypted (empty without one)."""
    if not key:
        return {}
    if secrets is None:
        raise ValueError("a service-account key needs the secret box to be stored encrypted")
    return {KEY_SETTING: secrets.encrypt(json.dumps(key))}


def store_service_account(rt: Runtime, session: Session, profile: ServerProfile, key: dict, actor: User) -> int:
    """Store a new service-account key (e.g. after the old one was deleted in Google Cloud) and resume
    the profile's mailboxes waiting for re-authorisation; returns how many resumed."""
    if profile.kind != "gmail":
        raise NotAGoogleProfile(f"server profile {profile.name!r} is a {profile.kind} profile: it has no "
                                "service-account key")
    profile.settings = {**(profile.settings or {}), **sealed_service_account(key, rt.secrets)}
    waiting = session.scalars(select(Mailbox).where(Mailbox.server_profile_id == profile.id,
                                                    Mailbox.status == "needs_reauth")).all()
    resumed = sum(mailbox_status.reauthorised(session, m, actor) for m in waiting)
    audit.record(session, profile.org_id, "server_profile.service_account_stored", actor_id=actor.id,
                 target_type="server_profile", target_id=profile.id,
                 details={"resumed": resumed, "client_email": str(key.get("client_email") or "")})
    return resumed
