"""Tenant-scoped lookups: another org's (or another user's) resource is simply not found."""
from __future__ import annotations

from flask_smorest import abort

from app.models import Mailbox, Org, User
from app.runtime import db_session


def own_org(org_id: int, caller: User) -> Org:
    """Admins see only their own org; any other id is a 404, whether it exists or not."""
    if org_id != caller.org_id:
        abort(404, message=f"No org {org_id} in your Syncline tenant.")
    return caller.org


def user_in_org(user_id: int, caller: User) -> User:
    user = db_session().get(User, user_id)
    if user is None or user.org_id != caller.org_id:
        abort(404, message=f"No user {user_id} in your org.")
    return user


def mailbox_for(mailbox_id: int, caller: User) -> Mailbox:
    """The caller's own mailbox, or any mailbox of the org for an admin; else 404."""
    mailbox = db_session().get(Mailbox, mailbox_id)
    if mailbox is None or mailbox.org_id != caller.org_id or (mailbox.user_id != caller.id and not caller.is_admin):
        abort(404, message=f"No mailbox {mailbox_id} of yours.")
    return mailbox
