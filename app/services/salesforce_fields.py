"""Setting up a real org: Syncline's custom fields, created and granted with an admin's connection.

`setup_fields` creates what is missing (Tooling API), grants read/edit through Syncline's
permission set and assigns it to the org's Syncline users, then resumes the mailboxes that were
suspended because of it. `field_status` reports what is there. Both are idempotent reads first;
run twice, the second run changes nothing. The CLI and the admin endpoint both call these.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Mailbox, Org, User
from app.providers.salesforce import field_setup
from app.providers.salesforce.client import SalesforceClient
from app.providers.salesforce.connect import connect, connect_org
from app.providers.salesforce.crm_translate import salesforce_edge
from app.providers.salesforce.describe import forget_describe
from app.runtime import Runtime
from app.services import audit, mailbox_status
from app.sync.salesforce_fields import PRODUCT_FIELDS, SETUP_INCOMPLETE, ProductField


def admin_client(rt: Runtime, org: Org, actor: User | None) -> SalesforceClient:
    """The acting admin's own connection when connected, else the org's default (an admin's)."""
    with salesforce_edge():
        if actor is not None and actor.connection is not None and actor.connection.status == "connected":
            return connect(rt, actor.connection.id, essential=True)
        return connect_org(rt, org.id, essential=True)


def _offered(client: SalesforceClient) -> list[ProductField]:
    """Syncline's fields on the objects this org offers (an org without EmailMessage skips its fields)."""
    objects = {f.object_type for f in PRODUCT_FIELDS}
    present = {o for o in objects if field_setup.fresh_describe(client, o) is not None}
    return [f for f in PRODUCT_FIELDS if f.object_type in present]


def field_status(rt: Runtime, session: Session, org: Org, actor: User | None) -> dict[str, Any]:
    """Each field: defined in the org, usable by the admin's connection; and users lacking the permission set."""
    client = admin_client(rt, org, actor)
    with salesforce_edge():
        defined = field_setup.defined_fields(client, PRODUCT_FIELDS)
        describes = {o: field_setup.fresh_describe(client, o) for o in sorted({f.object_type for f in PRODUCT_FIELDS})}
        assigned = _assigned(client)
    rows = []
    for f in PRODUCT_FIELDS:
        meta = describes[f.object_type]
        info = meta.field(f.name) if meta is not None else None
        rows.append({"object": f.object_type, "field": f.name, "type": f.kind, "why": f.why,
                     "defined": f"{f.defined_on}.{f.name}".lower() in defined, "visible": info is not None,
                     "writable": bool(info and info.createable and info.updateable),
                     "object_available": meta is not None})
    ready = all(r["defined"] and r["writable"] for r in rows if r["object_available"])
    missing_access = [u.email for u in _sync_users(session, org) if u.sf_user_id[:15] not in assigned]
    return {"ready": ready, "fields": rows, "permission_set": field_setup.PERMISSION_SET,
            "users_without_permission_set": missing_access}


def _assigned(client: SalesforceClient) -> set[str]:
    found = field_setup.find_permission_set(client)
    return field_setup.assigned_users(client, found) if found else set()


def setup_fields(rt: Runtime, session: Session, org: Org, actor: User | None) -> dict[str, Any]:
    """Create missing fields, grant them, assign the permission set, resume mailboxes waiting for it."""
    client = admin_client(rt, org, actor)
    users = _sync_users(session, org)
    with salesforce_edge():
        fields = _offered(client)
        defined = field_setup.defined_fields(client, fields)
        created: list[str] = []
        for f in fields:
            full = f"{f.defined_on}.{f.name}"
            if full.lower() not in defined and full not in created and field_setup.create_field(client, f):
                created.append(full)
        ps = field_setup.permission_set(client)
        granted = field_setup.grant_fields(client, ps, fields)
        added = set(field_setup.assign(client, ps, [u.sf_user_id for u in users]))
        for object_type in {f.object_type for f in fields}:
            forget_describe(client, object_type)
    resumed = _resume_waiting(session, org, actor)
    report = {"created": created, "granted": granted, "assigned": [u.email for u in users if u.sf_user_id in added],
              "resumed_mailboxes": resumed}
    report["changed"] = any(report.values())
    audit.record(session, org.id, "org.salesforce_fields.setup", actor_id=actor.id if actor else None,
                 target_type="org", target_id=org.id, details=dict(report))
    return report


def _sync_users(session: Session, org: Org) -> list[User]:
    """Active Syncline users who signed in to Salesforce (sessions run as them or borrow their connection)."""
    users = session.scalars(select(User).where(User.org_id == org.id, User.is_active.is_(True)).order_by(User.id))
    return [u for u in users if u.connection is not None and u.sf_user_id]


def _resume_waiting(session: Session, org: Org, actor: User | None) -> list[int]:
    """Mailboxes the system suspended because Salesforce setup was incomplete run again."""
    waiting = session.scalars(select(Mailbox).where(Mailbox.org_id == org.id, Mailbox.status == "suspended",
                                                    Mailbox.status_set_by == "system"))
    resumed = []
    for mailbox in waiting:
        if (mailbox.status_reason or "").startswith(SETUP_INCOMPLETE):
            mailbox_status.activate(session, mailbox, actor, action="mailbox.resumed_after_salesforce_setup")
            resumed.append(mailbox.id)
    return resumed
