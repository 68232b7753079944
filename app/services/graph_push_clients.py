"""Which Graph client manages a mailbox's push subscriptions: the app's, or the signed-in user's.

Application profiles: one client per profile (client credentials; msal's cache kept on the profile).
Delegated profiles: Graph ties a delegated subscription to the user who created it, so each
mailbox's subscriptions are created, renewed and deleted with that user's own token (its msal
cache; a rotated refresh token is stored at once). The app's credentials are never used for them.
A refused refresh marks the mailbox "needs re-authorisation", as a session does. One refresh at a
time per mailbox: the delegated client holds the mailbox's session lock while it works.
"""
from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager

from app.models import Mailbox, ServerProfile
from app.providers.graph.mailbox import GraphSettings, connect_graph
from app.providers.graph.permissions import DELEGATED
from app.providers.graph.subscriptions import GraphSubscriptions
from app.runtime import Runtime
from app.services import mailbox_status
from app.services.graph_accounts import CacheSaver, session_settings, signed_in
from app.services.graph_profiles import graph_settings, save_token_cache
from app.state import keys
from app.state.locks import Lease
from app.sync.errors import AuthFailure, NotFound, TemporaryFailure

log = logging.getLogger("syncline.push")

LOCK_SECONDS = 120          # a subscription pass for one mailbox is a handful of Graph calls
LOCK_WAIT_SECONDS = 20      # a sign-in or lifecycle answer waits this long for a running session to end


class MailboxBusy(TemporaryFailure):
    """A session of the mailbox holds its lock (and may be refreshing its token): try again later."""


def is_delegated(rt: Runtime, profile_id: int) -> bool:
    """Whether the profile's mailboxes each sign in (auth_mode 'delegated')."""
    with rt.db.session_scope() as s:
        profile = s.get(ServerProfile, profile_id)
        return profile is not None and profile.auth_mode == DELEGATED


def user_can_subscribe(rt: Runtime, mailbox_id: int) -> bool:
    """A delegated mailbox that has signed in and does not wait for a new sign-in."""
    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, mailbox_id)
        return mailbox is not None and mailbox.status != "needs_reauth" and signed_in(rt, mailbox)


@contextmanager
def profile_client(rt: Runtime, profile_id: int) -> Iterator[GraphSubscriptions]:
    """The profile's app-only client; msal's cache goes back to the profile afterwards."""
    with rt.db.session_scope() as s:
        profile = s.get(ServerProfile, profile_id)
        if profile is None:
            raise NotFound(f"server profile {profile_id} is gone")
        settings = graph_settings(rt, profile)
    with _client(settings, lambda cache: save_token_cache(rt, profile_id, cache)) as graph:
        yield graph


@contextmanager
def mailbox_client(rt: Runtime, mailbox_id: int, wait: float = 0) -> Iterator[GraphSubscriptions]:
    """The mailbox's own signed-in client, waiting up to ``wait`` seconds for a running session's lock
    (the maintenance pass does not wait: it has every mailbox to see). Raises MailboxBusy, NotFound,
    or AuthFailure (after marking an active mailbox "needs re-authorisation")."""
    lease = Lease(rt.redis.client, keys.mailbox_lock(mailbox_id), LOCK_SECONDS)
    if not _acquired(lease, wait):
        raise MailboxBusy(f"a session of mailbox {mailbox_id} is running; its subscriptions wait for the next pass")
    try:
        with rt.db.session_scope() as s:
            mailbox = s.get(Mailbox, mailbox_id)
            if mailbox is None:
                raise NotFound(f"mailbox {mailbox_id} is gone")
            settings, save = session_settings(rt, mailbox)
        with lease.kept_alive(), _client(settings, save) as graph:
            yield graph
    except AuthFailure as exc:
        _needs_reauth(rt, mailbox_id, exc)
        raise
    finally:
        lease.release()


@contextmanager
def client_for(rt: Runtime, profile_id: int, mailbox_id: int | None) -> Iterator[GraphSubscriptions]:
    """The client that may manage one subscription (a lifecycle answer): its user's when the profile is
    delegated, then waiting a little for a running session's lock."""
    if not is_delegated(rt, profile_id):
        with profile_client(rt, profile_id) as graph:
            yield graph
    elif mailbox_id is None:
        raise NotFound("the mailbox of this delegated subscription is gone, and with it the user's sign-in")
    else:
        with mailbox_client(rt, mailbox_id, LOCK_WAIT_SECONDS) as graph:
            yield graph


@contextmanager
def _client(settings: GraphSettings, save: CacheSaver) -> Iterator[GraphSubscriptions]:
    http, tokens = connect_graph(settings, None, save)
    try:
        yield GraphSubscriptions(http)
    finally:
        http.session.close()
        save(tokens.cache_state())


def _acquired(lease: Lease, wait: float) -> bool:
    deadline = time.monotonic() + wait
    while not lease.acquire():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.5)
    return True


def _needs_reauth(rt: Runtime, mailbox_id: int, exc: AuthFailure) -> None:
    """The user's sign-in was refused: the mailbox waits, visibly (a suspended one stays suspended)."""
    log.warning("graph push sign-in refused", extra={"ctx": {"mailbox_id": mailbox_id, "error": str(exc)}})
    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, mailbox_id)
        if mailbox is not None and mailbox.status == "active":
            mailbox_status.needs_reauth(s, mailbox, f"Microsoft refused the mailbox's sign-in ({exc})")
