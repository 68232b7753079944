"""What push watches for one Office 365 mailbox: the kinds its sessions sync, and where they live.

Read from the same settings a session reads (`graph_ports`): the sync policy per kind (a kind set
to "off" is not watched, and loses its subscription at the next maintenance pass), the contact
scope, and the org's Salesforce mail folder. Mail saving has no off switch, so mail is always watched.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.models import User
from app.providers.graph import ContactScope
from app.services.settings import org_settings
from app.services.sync_policy import contact_scope, policy_for
from app.sync.items import FolderKind
from app.sync.policy import SyncOption


@dataclass(frozen=True)
class PushPlan:
    kinds: frozenset[FolderKind]
    contacts: ContactScope
    mail_folder: str


def push_plan(user: User) -> PushPlan:
    options = policy_for(user).options
    kinds = {kind for kind, option in options.items() if option is not SyncOption.OFF} | {FolderKind.MAIL}
    scope, book = contact_scope(user)
    return PushPlan(frozenset(kinds), ContactScope(book, with_default=scope != "address_book"),
                    org_settings(user.org)["salesforce_folder"])
