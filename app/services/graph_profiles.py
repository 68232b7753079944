"""What a graph server profile holds, as the Graph adapter's settings, and the msal token cache
kept encrypted on the profile between sessions (one app registration serves every mailbox of it)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mailbox, ServerProfile, User
from app.providers.graph import AUTHORITY_URL, GRAPH_URL, GraphSettings
from app.providers.graph.certificates import CertificateCredential, checked_certificate
from app.providers.graph.permissions import APPLICATION
from app.runtime import Runtime
from app.security.secret_box import SecretBox, SecretDecryptError
from app.services import audit, mailbox_status
from app.services.mail_hosts import mail_host_policy
from app.sync.errors import AuthFailure

TOKEN_CACHE = "token_cache_enc"
PRIVATE_KEY, CERTIFICATE, THUMBPRINT = "private_key_enc", "certificate_pem", "certificate_thumbprint"


def graph_settings(rt: Runtime, profile: ServerProfile) -> GraphSettings:
    """The profile's tenant, client id, (decrypted) secret or certificate, auth mode, its endpoints and
    the operator's CA file.

    Raises AuthFailure when the stored secret cannot be decrypted (the mailbox then waits, visibly,
    for an admin to store the secret again)."""
    endpoints, settings = dict(profile.endpoints or {}), dict(profile.settings or {})
    try:
        secret = rt.secrets.decrypt(settings["client_secret_enc"]) if settings.get("client_secret_enc") else ""
        cache = rt.secrets.decrypt(settings[TOKEN_CACHE]) if settings.get(TOKEN_CACHE) else None
        certificate = CertificateCredential(rt.secrets.decrypt(settings[PRIVATE_KEY]), settings[CERTIFICATE]) \
            if settings.get(PRIVATE_KEY) and settings.get(CERTIFICATE) else None
    except SecretDecryptError as exc:
        raise AuthFailure(f"server profile {profile.name!r}: its client secret or certificate key can no longer "
                          "be decrypted; store it again") from exc
    return GraphSettings(tenant_id=str(endpoints.get("tenant_id") or ""), client_id=str(endpoints.get("client_id") or ""),
                         client_secret=secret, authority_url=str(endpoints.get("authority_url") or AUTHORITY_URL),
                         graph_url=str(endpoints.get("graph_url") or GRAPH_URL),
                         ca_file=rt.config.graph_ca_bundle or None, token_cache=cache,
                         host_policy=mail_host_policy(rt.config), certificate=certificate,
                         auth_mode=str(settings.get("auth_mode") or APPLICATION))


def sealed_certificate(private_key: str, certificate: str, secrets: SecretBox) -> dict:
    """Profile settings for a certificate credential: the key encrypted, the certificate and its
    SHA-256 thumbprint in the clear (both public). Raises BadCertificate naming what is wrong."""
    credential, thumbprint = checked_certificate(private_key, certificate)
    return {PRIVATE_KEY: secrets.encrypt(credential.private_key), CERTIFICATE: credential.certificate,
            THUMBPRINT: thumbprint}


class NotAGraphProfile(ValueError):
    """Only a graph server profile holds an app registration's secret."""


def rotate_client_secret(rt: Runtime, session: Session, profile: ServerProfile, secret: str, actor: User) -> int:
    """Store the app registration's new secret (encrypted); see ``new_credential``."""
    if profile.kind != "graph":
        raise NotAGraphProfile(f"server profile {profile.name!r} is a {profile.kind} profile: it has no client secret")
    return new_credential(session, profile, {"client_secret_enc": rt.secrets.encrypt(secret)}, actor,
                          "server_profile.secret_rotated")


def new_credential(session: Session, profile: ServerProfile, values: dict, actor: User, action: str) -> int:
    """Store a new app credential in the profile's settings, forget tokens got with the old one, and
    resume the profile's mailboxes that were waiting for it; returns how many resumed."""
    profile.settings = {k: v for k, v in (profile.settings or {}).items() if k != TOKEN_CACHE} | values
    waiting = session.scalars(select(Mailbox).where(Mailbox.server_profile_id == profile.id,
                                                    Mailbox.status == "needs_reauth")).all()
    resumed = sum(mailbox_status.reauthorised(session, m, actor) for m in waiting)
    audit.record(session, profile.org_id, action, actor_id=actor.id,
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
