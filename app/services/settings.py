"""Org and personal settings: defaults, merging, and who may change what."""
from __future__ import annotations

from sqlalchemy.orm import Session

from app.models import Org, User
from app.services import audit, auto_save

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
    "save_all_new_mail": "off",
    "save_all_new_meetings": "off",
    "auto_save_backfill_days": 0,
}

DEFAULT_USER_SETTINGS: dict = {"timezone": None, "sync_calendar": None, "sync_tasks": None, "sync_contacts": None,
                               "contacts_scope": None, "contacts_address_book": None, "save_all_new_mail": None,
                               "save_all_new_meetings": None, "auto_save_backfill_days": None}
OVERRIDABLE = ("sync_calendar", "sync_tasks", "sync_contacts", "contacts_scope", "contacts_address_book",
               "save_all_new_mail", "save_all_new_meetings")


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


def _auto_saves(org: dict, user: User) -> dict[str, str]:
    return {kind: auto_save.effective(org, user_settings(user), kind) for kind in auto_save.KINDS}


def update_org_settings(session: Session, org: Org, changes: dict, actor: User) -> dict:
    """The admin's changes; users whose auto-save they switch on get its window (the org's backfill days)."""
    before = org_settings(org)
    users = list(auto_save.users_of(session, org.id))
    was = {u.id: _auto_saves(before, u) for u in users}
    org.settings = {**(org.settings or {}), **changes}
    now = org_settings(org)
    for user in users:
        auto_save.stamp_activations(user, was[user.id], _auto_saves(now, user), now[auto_save.BACKFILL_SETTING])
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
    org = org_settings(user.org)
    was = _auto_saves(org, user)
    user.settings = {**(user.settings or {}), **changes}
    days = user_settings(user)[auto_save.BACKFILL_SETTING]
    auto_save.stamp_activations(user, was, _auto_saves(org, user),
                                days if days is not None else org[auto_save.BACKFILL_SETTING])
    audit.record(session, user.org_id, "user.settings.updated", actor_id=user.id,
                 target_type="user", target_id=user.id, details={"changed": sorted(changes)})
    return user_settings(user)
