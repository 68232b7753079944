"""The Graph settings a mailbox's session uses, and where its msal token cache is kept.

Application mode: the profile's app registration and its shared cache (on the profile).
Delegated mode: the mailbox's own signed-in account; its cache (refresh token included) is kept
encrypted with the mailbox's other credentials and rewritten whenever msal rotates it.
"""
from __future__ import annotations

import dataclasses
from collections.abc import Callable

from app.models import Mailbox
from app.providers.graph import GraphSettings
from app.providers.graph.permissions import DELEGATED
from app.runtime import Runtime
from app.security.secret_box import SecretDecryptError
from app.services.graph_profiles import graph_settings, save_token_cache
from app.services.mailboxes import set_credentials, stored_credentials
from app.sync.errors import AuthFailure

CACHE, ACCOUNT = "graph_token_cache", "graph_account_id"
CacheSaver = Callable[[str | None], None]


def session_settings(rt: Runtime, mailbox: Mailbox) -> tuple[GraphSettings, CacheSaver]:
    """The settings for this mailbox's session and the function that keeps its refreshed cache."""
    settings = graph_settings(rt, mailbox.server_profile)
    if settings.auth_mode != DELEGATED:
        profile_id = mailbox.server_profile_id
        return settings, lambda cache: save_token_cache(rt, profile_id, cache)
    try:
        secrets = stored_credentials(rt, mailbox)
    except SecretDecryptError as exc:
        raise AuthFailure("the mailbox's Microsoft sign-in can no longer be decrypted; sign in again") from exc
    mailbox_id = mailbox.id
    return (dataclasses.replace(settings, token_cache=secrets.get(CACHE), account_id=str(secrets.get(ACCOUNT) or "")),
            lambda cache: save_mailbox_cache(rt, mailbox_id, cache))


def signed_in(rt: Runtime, mailbox: Mailbox) -> bool:
    try:
        return bool(stored_credentials(rt, mailbox).get(ACCOUNT))
    except SecretDecryptError:
        return False


def keep_sign_in(rt: Runtime, mailbox: Mailbox, cache: str, account_id: str) -> None:
    set_credentials(rt, mailbox, **{CACHE: cache, ACCOUNT: account_id})


def save_mailbox_cache(rt: Runtime, mailbox_id: int, cache: str | None) -> None:
    if not cache:
        return
    with rt.db.session_scope() as s:
        mailbox = s.get(Mailbox, mailbox_id)
        if mailbox is not None:
            set_credentials(rt, mailbox, **{CACHE: cache})
