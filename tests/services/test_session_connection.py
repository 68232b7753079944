"""A session never silently borrows an admin's Salesforce connection: the owner's own, else the
org's integration user (named by an admin, audited on use), else AuthFailure "sign in"."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from app.models import AuditEvent, Org, SalesforceConnection, User
from app.services.ports_factory import owner_context, salesforce_client
from app.services.session_connection import IntegrationUserRefused, set_integration_user
from app.sync.errors import AuthFailure
from tests.factories import Factory


@pytest.fixture
def org_with_admin(sf_app, salesforce_emulator):
    """An org whose admin signed in (the org's default connection) and a user who never did."""
    factory = Factory(sf_app)
    admin, sf_org, sf_admin = factory.salesforce_user(salesforce_emulator)
    with sf_app.extensions["syncline"].db.session_scope() as s:
        member = factory.user(s.get(Org, admin.org_id))
    return sf_app.extensions["syncline"], factory, admin, member, factory.mailbox(member)


def _actions(rt, action: str) -> list[AuditEvent]:
    with rt.db.session_scope() as s:
        rows = list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))
        s.expunge_all()
        return rows


def _name_integration_user(rt, admin: User, user_id: int | None) -> None:
    with rt.db.session_scope() as s:
        set_integration_user(s, s.get(Org, admin.org_id), s.get(User, admin.id), user_id)


def test_a_user_without_a_salesforce_connection_must_sign_in(org_with_admin):
    rt, _, _, member, mailbox = org_with_admin
    with pytest.raises(AuthFailure, match=f"{member.email} must sign in to Salesforce"):
        owner_context(rt, mailbox, member)


def test_a_user_whose_connection_needs_reauth_must_sign_in_again_not_borrow_the_default(org_with_admin):
    rt, factory, admin, _, _ = org_with_admin
    with rt.db.session_scope() as s:
        s.get(SalesforceConnection, admin.connection.id).status = "needs_reauth"
    with rt.db.session_scope() as s:
        other_admin = factory.user(s.get(Org, admin.org_id), admin=True)
    with pytest.raises(AuthFailure, match="needs re-authorisation"):
        owner_context(rt, factory.mailbox(admin), admin)
    with pytest.raises(AuthFailure, match="sign in to Salesforce"):
        owner_context(rt, factory.mailbox(other_admin), other_admin)


def test_with_an_integration_user_the_session_uses_its_connection_and_is_audited(org_with_admin):
    rt, _, admin, member, mailbox = org_with_admin
    _name_integration_user(rt, admin, admin.id)
    changed = _actions(rt, "org.salesforce_integration_user.changed")
    assert [(e.actor_user_id, e.details) for e in changed] == [(admin.id, {"before": None, "after": admin.id})]

    ctx = owner_context(rt, mailbox, member)
    assert ctx.connection_id == admin.connection.id
    assert ctx.session.owner_id == member.sf_user_id              # records stay the member's
    client = salesforce_client(rt, ctx)
    assert client.query_page("SELECT Id FROM User")["totalSize"] >= 1
    used = _actions(rt, "salesforce.integration_user.used")
    assert [(e.target_id, e.details) for e in used] == [(str(mailbox.id), {
        "owner_id": member.id, "integration_user_id": admin.id, "connection_id": admin.connection.id})]

    _name_integration_user(rt, admin, None)                       # turned off again: sign in
    with pytest.raises(AuthFailure, match="no integration user"):
        owner_context(rt, mailbox, member)
    assert len(_actions(rt, "org.salesforce_integration_user.changed")) == 2


def test_the_owners_own_connection_wins_over_the_integration_user(org_with_admin):
    rt, factory, admin, _, _ = org_with_admin
    _name_integration_user(rt, admin, admin.id)
    ctx = owner_context(rt, factory.mailbox(admin), admin)
    assert ctx.connection_id == admin.connection.id and _actions(rt, "salesforce.integration_user.used") == []


def test_an_integration_user_must_be_in_the_org_active_and_connected(org_with_admin, salesforce_emulator):
    rt, factory, admin, member, _ = org_with_admin
    outsider, _, _ = factory.salesforce_user(salesforce_emulator, org_name="Other")
    for user_id, reason in ((member.id, "must sign in to Salesforce first"), (outsider.id, "not a user of this org"),
                            (999_999, "not a user of this org")):
        with pytest.raises(IntegrationUserRefused, match=reason):
            _name_integration_user(rt, admin, user_id)
    with rt.db.session_scope() as s:
        s.get(User, admin.id).is_active = False
    with pytest.raises(IntegrationUserRefused, match="disabled"):
        _name_integration_user(rt, admin, admin.id)
    assert _actions(rt, "org.salesforce_integration_user.changed") == []


def test_a_disconnected_integration_user_is_not_used(org_with_admin):
    rt, _, admin, member, mailbox = org_with_admin
    _name_integration_user(rt, admin, admin.id)
    with rt.db.session_scope() as s:
        s.get(SalesforceConnection, admin.connection.id).status = "revoked"
    with pytest.raises(AuthFailure, match="integration user has no usable Salesforce connection"):
        owner_context(rt, mailbox, member)
