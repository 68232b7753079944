"""Delegated sign-in of one Office 365 mailbox: start (authorize URL) and finish (callback).

The msal flow (state, nonce, PKCE verifier) waits in Redis keyed by its state for ten minutes and
is used once; the browser never carries it. Only the mailbox's own account may sign in for it.
A finished sign-in resumes the mailbox if it was waiting for re-authorisation, and (once committed)
`subscribe_at_once` queues the job that subscribes it to Graph change notifications with the new token.
"""
from __future__ import annotations

import logging

from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy.orm import Session

from app.models import Mailbox
from app.providers.graph.connect import checked_session, registration
from app.providers.graph.delegated import SignInRefused, begin_sign_in, finish_sign_in
from app.providers.graph.permissions import DELEGATED
from app.runtime import Runtime
from app.services import audit, mailbox_status
from app.services.graph_accounts import keep_sign_in
from app.services.graph_profiles import graph_settings
from app.services.graph_subscriptions import push_reachable
from app.services.sign_in_state import keep_pending, take_pending
from app.state import keys, queues

log = logging.getLogger("syncline.push")
SUBSCRIBE_JOB = "workers.jobs.subscribe_signed_in_mailbox"


class NotDelegated(ValueError):
    """The mailbox's server profile is not a graph profile in delegated mode: nobody signs in for it."""


def begin(rt: Runtime, mailbox: Mailbox, redirect_uri: str) -> str:
    """The authorize URL to send the mailbox's owner to. Raises NotDelegated, InvalidData (endpoints)."""
    profile = mailbox.server_profile
    settings = graph_settings(rt, profile)
    if profile.kind != "graph" or settings.auth_mode != DELEGATED:
        raise NotDelegated(f"server profile {profile.name!r} does not use delegated sign-in "
                           "(auth_mode must be 'delegated' on a graph profile)")
    reg = registration(settings, checked_session(settings))
    flow = begin_sign_in(reg, redirect_uri, login_hint=mailbox.username or mailbox.address)
    keep_pending(rt, keys.graph_sign_in(str(flow["state"])), {"flow": flow, "mailbox_id": mailbox.id})
    return str(flow["auth_uri"])


def complete(rt: Runtime, session: Session, answer: dict[str, str]) -> Mailbox:
    """Redeem the authorize answer (``code``/``state`` or ``error``) for the mailbox that started it.

    Raises SignInRefused with a sentence: unknown or reused state, Entra ID's refusal, another account."""
    pending, mailbox = take_pending(rt, session, keys.graph_sign_in(answer.get("state", "")), SignInRefused)
    if "error" in answer:
        detail = (answer.get("error_description") or "").splitlines()[:1]
        raise SignInRefused(": ".join(["Microsoft refused the sign-in", answer["error"], *detail]))
    settings = graph_settings(rt, mailbox.server_profile)
    done = finish_sign_in(registration(settings, checked_session(settings)), pending["flow"], answer)
    expected = {mailbox.address.lower(), (mailbox.username or mailbox.address).lower()}
    if done.username.lower() not in expected:
        raise SignInRefused(f"signed in as {done.username}, but this mailbox is {mailbox.address}: "
                            "sign in with the mailbox's own Microsoft account")
    keep_sign_in(rt, mailbox, done.cache, done.account_id)
    audit.record(session, mailbox.org_id, "mailbox.graph_signed_in", actor_id=mailbox.user_id, target_type="mailbox",
                 target_id=mailbox.id, details={"account": done.username})
    mailbox_status.reauthorised(session, mailbox, mailbox.user)
    return mailbox


def subscribe_at_once(rt: Runtime, mailbox_id: int) -> None:
    """After a committed sign-in (first or re-authorisation): push goes live now, not at the next
    maintenance pass. A Redis hiccup costs only that wait (the sign-in itself stands)."""
    if not push_reachable(rt):
        return
    try:
        Queue(queues.DEFAULT, connection=rt.redis.client).enqueue(SUBSCRIBE_JOB, mailbox_id, result_ttl=600,
                                                                  failure_ttl=86400)
    except RedisError as exc:
        log.warning("graph push after sign-in not queued", extra={"ctx": {"mailbox_id": mailbox_id, "error": str(exc)}})
