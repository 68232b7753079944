"""The Syncline side of the sandbox: Ann's org, user, Salesforce connection, mail server
profile, mailbox and API token, found or created in one transaction.

Secrets are stored the product's way: Salesforce tokens and the mailbox password encrypted
with ``runtime.secrets``, the API token as a hash (its plaintext stays in sandbox.json).
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiToken, Mailbox, Org, SalesforceConnection, ServerProfile, User
from app.models.base import utcnow
from app.runtime import Runtime
from app.security.api_tokens import hash_token
from app.security.secret_box import SecretDecryptError
from app.services.mailboxes import set_credentials
from app.services.tokens import issue_token
from app.services.users import find_or_create_org, find_or_create_user
from sandbox import seed_data as data
from sandbox.environment import SandboxEnvironment


@dataclass(frozen=True)
class SynclineRows:
    """Ids of the seeded rows and the sandbox's API token (plaintext: it is a throwaway)."""

    org_id: int
    user_id: int
    mailbox_id: int
    api_token: str


def seed_syncline(rt: Runtime, env: SandboxEnvironment, sf_org_id: str, sf_user_id: str) -> SynclineRows:
    """Find or create every row; endpoints and a stale connection follow the running servers."""
    with rt.db.session_scope() as session:
        org = find_or_create_org(session, sf_org_id, data.ORG_NAME, env.emulator.base_url)
        if "sync_interval_minutes" not in (org.settings or {}):  # an admin's later change is kept
            org.settings = {**(org.settings or {}), "sync_interval_minutes": data.SYNC_INTERVAL_MINUTES}
        name = f"{data.ADMIN['first_name']} {data.ADMIN['last_name']}"
        user = find_or_create_user(session, org, sf_user_id=sf_user_id, email=data.ADMIN["email"], name=name,
                                   sf_admin=True)
        _ensure_connection(rt, session, env, org, user)
        mailbox = _ensure_mailbox(rt, session, user, _ensure_profile(session, org, env.endpoints()),
                                  env.state.mailbox_password)
        token = _ensure_token(session, user, env.state.api_token)
        session.flush()
        rows = SynclineRows(org.id, user.id, mailbox.id, token)
    if env.state.api_token != token:
        env.state.api_token = token
        env.save_state()
    return rows


def _ensure_connection(rt: Runtime, session: Session, env: SandboxEnvironment, org: Org, user: User) -> None:
    """Tokens minted by the emulator; re-minted only when the emulator moved or the connection broke."""
    conn = user.connection
    if conn is not None and conn.instance_url == env.emulator.base_url and conn.status == "connected":
        return
    tokens = env.emulator.issue_tokens(org.sf_org_id, user.sf_user_id)
    if conn is None:
        conn = SalesforceConnection(org_id=org.id, user=user)
        session.add(conn)
    conn.instance_url = tokens["instance_url"]
    conn.access_token_enc = rt.secrets.encrypt(tokens["access_token"])
    conn.refresh_token_enc = rt.secrets.encrypt(tokens["refresh_token"])
    conn.scope, conn.status, conn.status_reason = tokens.get("scope"), "connected", None
    conn.issued_at, conn.is_org_default = utcnow(), True


def _ensure_profile(session: Session, org: Org, endpoints: dict) -> ServerProfile:
    """The org's loopback server profile; its endpoints always name the ports in use now."""
    profile = session.scalar(select(ServerProfile).where(ServerProfile.org_id == org.id,
                                                         ServerProfile.name == data.PROFILE_NAME))
    if profile is None:
        profile = ServerProfile(org_id=org.id, name=data.PROFILE_NAME, kind="imap")
        session.add(profile)
    if profile.endpoints != endpoints:
        profile.endpoints = dict(endpoints)
    # plaintext is acceptable only because every endpoint is on 127.0.0.1
    profile.settings = {**(profile.settings or {}), "allow_plaintext": True, "sandbox": True}
    session.flush()
    return profile


def _ensure_mailbox(rt: Runtime, session: Session, user: User, profile: ServerProfile, password: str) -> Mailbox:
    mailbox = user.mailbox
    if mailbox is None:
        mailbox = Mailbox(org_id=user.org_id, user=user, server_profile_id=profile.id, address=data.ADMIN["email"],
                          username=data.MAILBOX_USERNAME, next_sync_at=utcnow())
        session.add(mailbox)
    if _stored_password(rt, mailbox) != password:
        set_credentials(rt, mailbox, password=password)
    session.flush()
    return mailbox


def _stored_password(rt: Runtime, mailbox: Mailbox) -> str | None:
    """The saved password, or None when absent or sealed with a key this instance no longer has."""
    if not mailbox.credentials_enc:
        return None
    try:
        return json.loads(rt.secrets.decrypt(mailbox.credentials_enc)).get("password")
    except SecretDecryptError:
        return None


def _ensure_token(session: Session, user: User, known: str) -> str:
    """The saved token while it is still valid for Ann; a new one (named "sandbox") otherwise."""
    if known:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(known),
                                                    ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None)))
        if row is not None and row.is_usable(utcnow()):
            return known
    return issue_token(session, user, name="sandbox")[1]
