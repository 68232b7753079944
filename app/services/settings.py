"""Org and personal settings: defaults, merging, and who may change what."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Org, User
from app.services import audit

DEFAULT_ORG_SETTINGS: dict = {
    "auto_sync_enabled": True,
    "sync_interval_minutes": 30,
    "save_emails_as": "EmailMessage",
    "salesforce_category": "Salesforce",
    "salesforce_folder": "Salesforce",
    "conflict_policy": "last_writer_wins",
    "cancelled_meeting_policy": "delete",
    "suspend_after_failures": 10,
    "allow_user_overrides": True,
    "calendar_days_back": 14,
    "calendar_days_ahead": 60,
    "sync_calendar": "two_way",
    "sync_tasks": "two_way",
    "sync_contacts": "two_way",
    "calendar_sync_as": "Event",
    "contacts_scope": "salesforce",
    "contacts_address_book": None,
    "link_opportunity_rule": "open_newest",
    "link_opportunity_stages": [],
    "link_org_domains": [],
    "autoresolve": "off",
    "autoresolve_account_rule": "by_domain",
    "autoresolve_account_id": None,
}

DEFAULT_USER_SETTINGS: dict = {"timezone": None, "sync_calendar": None, "sync_tasks": None, "sync_contacts": None,
                               "contacts_scope": None, "contacts_address_book": None}
OVERRIDABLE = ("sync_calendar", "sync_tasks", "sync_contacts", "contacts_scope", "contacts_address_book")


class SettingsLocked(Exception):
    """The admin does not allow personal overrides of these settings."""

    def __init__(self, names: list[str]):
        super().__init__(", ".join(names))
        self.names = names


def org_settings(org: Org) -> dict:
    return {**DEFAULT_ORG_SETTINGS, **(org.settings or {})}


def user_settings(user: User) -> dict:
    return {**DEFAULT_USER_SETTINGS, **(user.settings or {})}


def auto_sync_effective(user: User) -> bool:
    return bool(org_settings(user.org)["auto_sync_enabled"] and user.auto_sync_enabled and user.is_active)


def update_org_settings(session: Session, org: Org, changes: dict, actor: User) -> dict:
    before = org_settings(org)
    org.settings = {**(org.settings or {}), **changes}
    changed = {k: v for k, v in changes.items() if before.get(k) != v}
    if changed:
        audit.record(session, org.id, "org.settings.updated", actor_id=actor.id,
                     target_type="org", target_id=org.id, details={"changed": changed})
    return org_settings(org)


def update_user_settings(session: Session, user: User, changes: dict) -> dict:
    """Personal settings; sync directions only where the org allows overrides."""
    locked = [k for k in OVERRIDABLE if k in changes and changes[k] is not None]
    if locked and not org_settings(user.org)["allow_user_overrides"]:
        raise SettingsLocked(locked)
    user.settings = {**(user.settings or {}), **changes}
    audit.record(session, user.org_id, "user.settings.updated", actor_id=user.id,
                 target_type="user", target_id=user.id, details={"changed": sorted(changes)})
    return user_settings(user)
