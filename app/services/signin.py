"""Sign-in with Salesforce: link the org and user, keep their tokens encrypted, issue an API token."""
from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from app.models import ApiToken, SalesforceConnection, User
from app.models.base import utcnow
from app.models.salesforce_tokens import take_org_default
from app.providers.salesforce import oauth
from app.providers.salesforce.guard import UntrustedInstanceUrl, check_instance_url
from app.providers.salesforce.http import salesforce_session
from app.runtime import Runtime
from app.services import audit, mailbox_status
from app.services.tokens import issue_token
from app.services.users import find_or_create_org, find_or_create_user
from app.state import keys

STATE_TTL_SECONDS = 600


def begin(rt: Runtime, redirect_uri: str, login_hint: str | None = None) -> str:
    """Start the web-server flow; the PKCE verifier waits in Redis, keyed by the state."""
    url, state, verifier = oauth.authorization_url(rt.config, redirect_uri, login_hint)
    rt.redis.client.set(keys.oauth_state(state), json.dumps({"verifier": verifier}), ex=STATE_TTL_SECONDS)
    return url


@dataclass(frozen=True)
class SignedIn:
    """A finished sign-in: the user, the API token (plaintext, shown once) and its row, and warnings."""

    user: User
    token: str
    row: ApiToken
    warnings: list[str]


def complete(rt: Runtime, session: Session, redirect_uri: str, code: str, state: str) -> SignedIn:
    """Finish the flow. Raises oauth.SignInFailed.

    The org is named after Salesforce's Organization.Name; a failed permission look-up signs the
    user in as a plain user (audited as user.admin_check_failed, and in `user.warnings`)."""
    pending = rt.redis.client.getdel(keys.oauth_state(state))
    if pending is None:
        raise oauth.SignInFailed("This sign-in link has expired or was already used; start again.")
    token = oauth.exchange_code(rt.config, redirect_uri, code, json.loads(pending)["verifier"])
    try:
        identity = oauth.fetch_identity(rt.config, token, salesforce_session(rt.config))
        instance_url = check_instance_url(token["instance_url"], rt.config.salesforce_allowed_hosts)
    except UntrustedInstanceUrl as exc:
        raise oauth.SignInFailed(f"Refused to trust the instance URL Salesforce returned: {exc}") from None
    except (KeyError, ValueError) as exc:
        raise oauth.SignInFailed(f"Salesforce's answer was not usable: {exc}") from None
    org = find_or_create_org(session, identity.org_id, identity.org_name or identity.org_id, instance_url)
    if identity.org_name and org.name == org.sf_org_id:     # named after its id by an earlier sign-in
        org.name = identity.org_name
    user = find_or_create_user(session, org, sf_user_id=identity.user_id, email=identity.email,
                               name=identity.name, sf_admin=identity.is_admin)
    if identity.admin_check_failed:
        audit.record(session, org.id, "user.admin_check_failed", actor_id=user.id, target_type="user",
                     target_id=user.id, details={"reason": identity.admin_check_failed[:500]})
    _store_connection(rt, session, user, instance_url, token)
    mailbox_status.reauthorised(session, user.mailbox, user)  # fresh tokens: a waiting mailbox resumes
    row, plaintext = issue_token(session, user, name="salesforce-sign-in", ttl_days=rt.config.api_token_ttl_days)
    audit.record(session, org.id, "user.signed_in", actor_id=user.id, target_type="user", target_id=user.id)
    return SignedIn(user, plaintext, row, [identity.admin_check_failed] if identity.admin_check_failed else [])


def _store_connection(rt: Runtime, session: Session, user: User, instance_url: str, token: dict) -> None:
    conn = user.connection
    if conn is None:
        conn = SalesforceConnection(org_id=user.org_id, user=user)
        session.add(conn)
    conn.instance_url = instance_url
    conn.access_token_enc = rt.secrets.encrypt(token["access_token"])
    if token.get("refresh_token"):
        conn.refresh_token_enc = rt.secrets.encrypt(token["refresh_token"])
    conn.scope, conn.status, conn.status_reason, conn.issued_at = token.get("scope"), "connected", None, utcnow()
    has_default = any(c.is_org_default and c.status == "connected" for c in user.org.connections if c is not conn)
    if user.is_admin and not has_default:     # the first admin, or one signing in while the default is broken
        session.flush()
        take_org_default(session, conn)
