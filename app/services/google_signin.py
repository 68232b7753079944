"""Per-user Google sign-in of one mailbox: start (authorize URL) and finish (callback).

The PKCE verifier waits in Redis keyed by the random ``state`` for ten minutes and is used once;
the browser never carries it. Only the mailbox's own Google account may sign in for it. The
refresh token is stored encrypted on the mailbox and a mailbox waiting for re-authorisation resumes.
"""
from __future__ import annotations

import secrets

from sqlalchemy.orm import Session

from app.models import Mailbox
from app.providers.google.contacts import CONTACTS_SCOPE
from app.providers.google.gmail import GMAIL_SCOPES
from app.providers.google.mailbox import CALENDAR_SCOPE
from app.providers.google.tasks import TASKS_SCOPE
from app.providers.google.user_oauth import SignInRefused, authorize_url, pkce_pair, redeem_code
from app.providers.guarded_transport import guarded_session
from app.providers.vendor_edge import check_https_endpoint
from app.runtime import Runtime
from app.services import audit, mailbox_status
from app.services.google_accounts import keep_refresh_token, oauth_client, refresh_token
from app.services.google_profiles import USER_OAUTH, google_settings
from app.services.sign_in_state import keep_pending, take_pending
from app.state import keys

SCOPES = (CALENDAR_SCOPE, TASKS_SCOPE, CONTACTS_SCOPE, *GMAIL_SCOPES)   # what the synced kinds need, asked at sign-in
REQUIRED = (CALENDAR_SCOPE,)                # without the others their kinds show as not available


class NotUserOAuth(ValueError):
    """The mailbox's profile is not a gmail profile in user_oauth mode: nobody signs in for it."""


def begin(rt: Runtime, mailbox: Mailbox, redirect_uri: str) -> str:
    """The authorize URL to send the mailbox's owner to. Raises NotUserOAuth, AuthFailure (no client),
    InvalidData (an endpoint the host guard refuses)."""
    profile = mailbox.server_profile
    if profile.kind != "gmail" or profile.auth_mode != USER_OAUTH:
        raise NotUserOAuth(f"server profile {profile.name!r} does not use per-user Google sign-in "
                           "(auth_mode must be 'user_oauth' on a gmail profile)")
    settings, client = google_settings(rt, profile), oauth_client(rt, profile)
    check_https_endpoint(client.authorize_url, settings.host_policy, "Google")
    verifier, challenge = pkce_pair()
    state = secrets.token_urlsafe(32)
    first_time = mailbox.status == "needs_reauth" or not refresh_token(rt, mailbox)
    keep_pending(rt, keys.google_sign_in(state), {"verifier": verifier, "mailbox_id": mailbox.id,
                                                  "redirect_uri": redirect_uri})
    return authorize_url(client, redirect_uri, SCOPES, state, challenge, mailbox.username or mailbox.address,
                         first_time)


def complete(rt: Runtime, session: Session, answer: dict[str, str]) -> Mailbox:
    """Redeem Google's answer (``code``/``state`` or ``error``) for the mailbox that started it.

    Raises SignInRefused with a sentence: unknown or reused state, Google's refusal, another account."""
    pending, mailbox = take_pending(rt, session, keys.google_sign_in(answer.get("state", "")), SignInRefused)
    if "error" in answer or not answer.get("code"):
        raise SignInRefused(f"Google refused the sign-in: {answer.get('error') or 'no code returned'}")
    settings = google_settings(rt, mailbox.server_profile)
    check_https_endpoint(settings.token_uri, settings.host_policy, "Google")
    http = guarded_session(settings.host_policy, settings.ca_file or True)
    try:
        done = redeem_code(http, settings.token_uri, oauth_client(rt, mailbox.server_profile), answer["code"],
                           pending["verifier"], pending["redirect_uri"], settings.timeout)
    finally:
        http.close()
    expected = {mailbox.address.lower(), (mailbox.username or mailbox.address).lower()}
    if done.email.lower() not in expected:
        raise SignInRefused(f"signed in as {done.email}, but this mailbox is {mailbox.address}: "
                            "sign in with the mailbox's own Google account")
    missing = [s for s in REQUIRED if s not in done.scopes]
    if missing:
        raise SignInRefused(f"the sign-in did not grant {', '.join(missing)}; sign in again and allow it")
    token = done.refresh_token or refresh_token(rt, mailbox)
    if not token:
        raise SignInRefused("Google returned no refresh token (offline access); start the sign-in again")
    keep_refresh_token(rt, mailbox, token)
    audit.record(session, mailbox.org_id, "mailbox.google_signed_in", actor_id=mailbox.user_id,
                 target_type="mailbox", target_id=mailbox.id, details={"account": done.email})
    mailbox_status.reauthorised(session, mailbox, mailbox.user)
    return mailbox
