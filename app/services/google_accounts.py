"""Per-user Google OAuth on a gmail profile: the org's OAuth client (kept encrypted on the profile)
and each mailbox's refresh token (kept encrypted with the mailbox's other credentials, rewritten
at once when Google rotates it).

``auth_mode`` ``domain_wide`` (default): the service account acts as every user; ``user_oauth``:
each mailbox's owner signs in once (google_signin.py) and sessions act with that grant.
"""
from __future__ import annotations

import dataclasses

from sqlalchemy.orm import Session

from app.models import Mailbox, ServerProfile, User
from app.providers.google import GoogleSettings
from app.providers.google.user_oauth import AUTHORIZE_URL, OAuthClient, UserGrant
from app.runtime import Runtime
from app.security.secret_box import SecretDecryptError
from app.services import audit
from app.services.google_profiles import DOMAIN_WIDE, USER_OAUTH, NotAGoogleProfile, google_settings
from app.services.mailboxes import set_credentials, stored_credentials
from app.sync.errors import AuthFailure

CLIENT_SECRET, REFRESH_TOKEN = "oauth_client_secret_enc", "google_refresh_token"
AUTH_MODES = (DOMAIN_WIDE, USER_OAUTH)


def set_google_auth(rt: Runtime, session: Session, profile: ServerProfile, data: dict, actor: User) -> None:
    """Switch a gmail profile's ``auth_mode`` and store its OAuth client (the secret encrypted).

    Raises NotAGoogleProfile, or ValueError naming what ``user_oauth`` still lacks."""
    if profile.kind != "gmail":
        raise NotAGoogleProfile(f"server profile {profile.name!r} is a {profile.kind} profile, not gmail")
    settings = dict(profile.settings or {})
    settings["auth_mode"] = data.get("auth_mode") or profile.auth_mode
    if data.get("client_id"):
        settings["oauth_client_id"] = data["client_id"]
    if data.get("client_secret"):
        settings[CLIENT_SECRET] = rt.secrets.encrypt(data["client_secret"])
    if settings["auth_mode"] == USER_OAUTH and not (settings.get("oauth_client_id") and settings.get(CLIENT_SECRET)):
        raise ValueError("user_oauth needs the OAuth client's client_id and client_secret")
    profile.settings = settings
    audit.record(session, profile.org_id, "server_profile.google_auth_changed", actor_id=actor.id,
                 target_type="server_profile", target_id=profile.id,
                 details={"auth_mode": settings["auth_mode"], "client_id": str(settings.get("oauth_client_id") or "")})


def oauth_client(rt: Runtime, profile: ServerProfile) -> OAuthClient:
    """The profile's OAuth client; AuthFailure when its secret is missing or can no longer be decrypted."""
    settings = dict(profile.settings or {})
    try:
        secret = rt.secrets.decrypt(settings[CLIENT_SECRET])
    except (KeyError, SecretDecryptError) as exc:
        raise AuthFailure(f"server profile {profile.name!r} has no readable Google OAuth client secret; "
                          "an admin must store it again") from exc
    return OAuthClient(str(settings.get("oauth_client_id") or ""), secret,
                       str((profile.endpoints or {}).get("google_auth_url") or AUTHORIZE_URL))


def session_settings(rt: Runtime, mailbox: Mailbox) -> GoogleSettings:
    """The settings a session of this mailbox connects with: the profile's service account, or (user_oauth)
    the mailbox's own grant, whose rotated refresh token is stored before it is used."""
    profile = mailbox.server_profile
    settings = google_settings(rt, profile)
    if profile.auth_mode != USER_OAUTH:
        return settings
    token = refresh_token(rt, mailbox)
    if not token:
        raise AuthFailure(f"{mailbox.address} has not signed in with Google yet (the profile uses per-user sign-in)")
    mailbox_id = mailbox.id
    grant = UserGrant(oauth_client(rt, profile), token, lambda new: save_refresh_token(rt, mailbox_id, new))
    return dataclasses.replace(settings, user_grant=grant)


def refresh_token(rt: Runtime, mailbox: Mailbox) -> str | None:
    try:
        return stored_credentials(rt, mailbox).get(REFRESH_TOKEN) or None
    except SecretDecryptError:
        return None


def keep_refresh_token(rt: Runtime, mailbox: Mailbox, token: str) -> None:
    set_credentials(rt, mailbox, **{REFRESH_TOKEN: token})


def save_refresh_token(rt: Runtime, mailbox_id: int, token: str) -> None:
    """Google rotated the refresh token mid-session: commit it now, in its own transaction."""
    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, mailbox_id)
        if mailbox is not None:
            keep_refresh_token(rt, mailbox, token)
