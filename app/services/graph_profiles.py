"""What a graph server profile holds, as the Graph adapter's settings, and the msal token cache
kept encrypted on the profile between sessions (one app registration serves every mailbox of it)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mailbox, ServerProfile, User
from app.providers.graph import AUTHORITY_URL, GRAPH_URL, GraphSettings
from app.runtime import Runtime
from app.security.secret_box import SecretDecryptError
from app.services import audit, mailbox_status
from app.services.mail_hosts import mail_host_policy
from app.sync.errors import AuthFailure

TOKEN_CACHE = "token_cache_enc"


def graph_settings(rt: Runtime, profile: ServerProfile) -> GraphSettings:
    """The profile's tenant, client id and (decrypted) secret, its endpoints and the operator's CA file.

    Raises AuthFailure when the stored secret cannot be decrypted (the mailbox then waits, visibly,
    for an admin to store the secret again)."""
    endpoints, settings = dict(profile.endpoints or {}), dict(profile.settings or {})
    try:
        secret = rt.secrets.decrypt(settings["client_secret_enc"]) if settings.get("client_secret_enc") else ""
        cache = rt.secrets.decrypt(settings[TOKEN_CACHE]) if settings.get(TOKEN_CACHE) else None
    except SecretDecryptError as exc:
        raise AuthFailure(f"server profile {profile.name!r}: its client secret can no longer be decrypted; "
                          "store it again") from exc
    return GraphSettings(tenant_id=str(endpoints.get("tenant_id") or ""), client_id=str(endpoints.get("client_id") or ""),
                         client_secret=secret, authority_url=str(endpoints.get("authority_url") or AUTHORITY_URL),
                         graph_url=str(endpoints.get("graph_url") or GRAPH_URL),
                         ca_file=rt.config.graph_ca_bundle or None, token_cache=cache,
                         host_policy=mail_host_policy(rt.config))


class NotAGraphProfile(ValueError):
    """Only a graph server profile holds an app registration's secret."""


def rotate_client_secret(rt: Runtime, session: Session, profile: ServerProfile, secret: str, actor: User) -> int:
    """Store the app registration's new secret (encrypted), forget tokens got with the old one, and
    resume the profile's mailboxes that were waiting for it; returns how many resumed."""
    if profile.kind != "graph":
        raise NotAGraphProfile(f"server profile {profile.name!r} is a {profile.kind} profile: it has no client secret")
    profile.settings = {k: v for k, v in (profile.settings or {}).items() if k != TOKEN_CACHE} | {
        "client_secret_enc": rt.secrets.encrypt(secret)}
    waiting = session.scalars(select(Mailbox).where(Mailbox.server_profile_id == profile.id,
                                                    Mailbox.status == "needs_reauth")).all()
    resumed = sum(mailbox_status.reauthorised(session, m, actor) for m in waiting)
    audit.record(session, profile.org_id, "server_profile.secret_rotated", actor_id=actor.id,
                 target_type="server_profile", target_id=profile.id, details={"resumed": resumed})
    return resumed


def save_token_cache(rt: Runtime, profile_id: int, cache: str | None) -> None:
    """Keep msal's cache (encrypted) so the next session reuses a still-valid access token."""
    if not cache:
        return
    with rt.db.session_scope() as s:
        profile = s.get(ServerProfile, profile_id)
        if profile is not None:
            profile.settings = {**(profile.settings or {}), TOKEN_CACHE: rt.secrets.encrypt(cache)}
