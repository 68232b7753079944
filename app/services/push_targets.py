"""Which mailboxes the push watcher keeps an eye on, and with what: every active IMAP+DAV mailbox
whose credentials are stored, read afresh on each reconcile so additions, removals, suspensions
and new passwords are picked up without a restart.
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from app.models import Mailbox, ServerProfile
from app.providers.imap_dav import MailboxOptions
from app.runtime import Runtime
from app.security.secret_box import SecretDecryptError
from app.services.dav_discovery import load_discovery
from app.services.mail_hosts import mail_host_policy
from app.services.mailboxes import mailbox_logins
from app.services.ports_factory import mailbox_options
from app.services.settings import org_settings
from app.services.sync_policy import contact_scope


@dataclass(frozen=True)
class PushTarget:
    """Everything needed to watch one mailbox; ``fingerprint`` changes when any of it does."""

    mailbox_id: int
    endpoints: dict[str, Any]
    login: tuple[str, str]
    dav_login: tuple[str, str]
    options: MailboxOptions
    discovered: dict[str, Any] | None = None

    @property
    def fingerprint(self) -> str:
        parts = [self.endpoints, self.login, self.dav_login, self.options.salesforce_folder,
                 self.options.addressbook_name, self.options.scope_book_name]
        return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode()).hexdigest()[:16]

    @property
    def has_mail(self) -> bool:
        return bool(self.endpoints.get("imap_host"))

    @property
    def has_dav(self) -> bool:
        return bool(self.endpoints.get("caldav_url") or self.endpoints.get("carddav_url"))


def push_targets(rt: Runtime, holds: Callable[[int], bool] = lambda mailbox_id: True
                 ) -> tuple[dict[int, PushTarget], set[int]]:
    """Active standards-server mailboxes with stored credentials: a target (by mailbox id) for each
    one ``holds`` accepts, and the ids of all of them. Only held ones are built (a password
    decrypted and the discovery read per mailbox): a watcher pays for its own share only."""
    targets: dict[int, PushTarget] = {}
    active: set[int] = set()
    with rt.db.session_scope() as s:
        rows = s.scalars(select(Mailbox).join(ServerProfile, Mailbox.server_profile_id == ServerProfile.id)
                         .where(Mailbox.status == "active", ServerProfile.kind == "imap",
                                Mailbox.credentials_enc.is_not(None)).order_by(Mailbox.id))
        for mailbox in rows:
            active.add(mailbox.id)
            if not holds(mailbox.id):
                continue
            try:
                targets[mailbox.id] = _target(rt, mailbox)
            except SecretDecryptError:
                continue     # a password stored under a retired key: the session reports it
    return targets, active


def _target(rt: Runtime, mailbox: Mailbox) -> PushTarget:
    endpoints = dict(mailbox.server_profile.endpoints or {})
    login, dav_login = mailbox_logins(rt, mailbox)
    scope, book = contact_scope(mailbox.user)
    options = dataclasses.replace(mailbox_options(endpoints, org_settings(mailbox.user.org)),
                                  host_policy=mail_host_policy(rt.config),
                                  addressbook_name=book if scope == "address_book" else None,
                                  scope_book_name=book if scope == "salesforce" else None)
    return PushTarget(mailbox.id, endpoints, login, dav_login, options, load_discovery(rt, mailbox.id))
