"""Creating, linking and administering users of an org."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Org, User
from app.services import audit


class RoleFromSalesforce(Exception):
    """The user is an admin through Salesforce permissions; Syncline cannot demote them."""


def find_or_create_org(session: Session, sf_org_id: str, name: str, instance_url: str | None) -> Org:
    org = session.scalar(select(Org).where(Org.sf_org_id == sf_org_id))
    if org is None:
        org = Org(sf_org_id=sf_org_id, name=name or sf_org_id, instance_url=instance_url, settings={})
        session.add(org)
        session.flush()
        audit.record(session, org.id, "org.created", target_type="org", target_id=org.id,
                     details={"sf_org_id": sf_org_id})
    elif instance_url:
        org.instance_url = instance_url
    return org


def find_or_create_user(session: Session, org: Org, *, sf_user_id: str, email: str, name: str = "",
                        sf_admin: bool = False) -> User:
    user = session.scalar(select(User).where(User.org_id == org.id, User.sf_user_id == sf_user_id))
    if user is None:
        user = User(org_id=org.id, sf_user_id=sf_user_id, email=email, name=name, sf_admin=sf_admin,
                    settings={})
        session.add(user)
        session.flush()
        audit.record(session, org.id, "user.created", target_type="user", target_id=user.id,
                     details={"email": email, "role": user.role})
        return user
    user.email, user.name = email or user.email, name or user.name
    if user.sf_admin != sf_admin:
        user.sf_admin = sf_admin
        audit.record(session, org.id, "user.role.salesforce", target_type="user", target_id=user.id,
                     details={"sf_admin": sf_admin})
    return user


def update_user(session: Session, user: User, changes: dict, actor: User) -> User:
    """Admin changes: role (as an explicit grant), auto-sync switch, active flag."""
    if "role" in changes:
        wants_admin = changes["role"] == "admin"
        if not wants_admin and user.sf_admin:
            raise RoleFromSalesforce()
        user.admin_granted = wants_admin
    for name in ("auto_sync_enabled", "is_active"):
        if name in changes:
            setattr(user, name, changes[name])
    audit.record(session, user.org_id, "user.updated", actor_id=actor.id, target_type="user",
                 target_id=user.id, details=dict(changes))
    return user


def role_source(user: User) -> str:
    if user.sf_admin:
        return "salesforce"
    return "grant" if user.admin_granted else "none"
