"""Admin: org-wide settings, including the auto-sync switch."""
from __future__ import annotations

from datetime import UTC, datetime

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.auth import admin_required, current_user
from app.api.error_docs import salesforce_answers
from app.api.scoping import own_org
from app.api.sidebar_errors import salesforce_errors
from app.models import Org, ServerProfile, User
from app.providers.salesforce.connect import api_budget
from app.runtime import db_session, runtime
from app.services.google_profiles import NotAGoogleProfile, store_service_account
from app.services.graph_profiles import NotAGraphProfile, rotate_client_secret
from app.services.mail_hosts import mail_host_policy
from app.services.mailboxes import create_profile
from app.services.salesforce_fields import field_status, setup_fields
from app.services.session_connection import IntegrationUserRefused, integration_user_id, set_integration_user
from app.services.settings import org_settings, update_org_settings
from schemas.base import ErrorSchema
from schemas.mailboxes import ClientSecretSchema, ServerProfileSchema, ServiceAccountKeySchema
from schemas.salesforce_fields import FieldSetupSchema, FieldStatusSchema
from schemas.settings import IntegrationUserSchema, OrgSettingsSchema, SalesforceStatusSchema

blp = Blueprint("orgs", __name__, url_prefix="/orgs", description="Org administration (admins only)")


@blp.route("/<int:org_id>/settings")
class OrgSettings(MethodView):
    @admin_required
    @blp.response(200, OrgSettingsSchema)
    def get(self, org_id: int):
        """The org's effective settings (defaults filled in)."""
        return org_settings(own_org(org_id, current_user()))

    @admin_required
    @blp.arguments(OrgSettingsSchema)
    @blp.response(200, OrgSettingsSchema)
    def patch(self, changes: dict, org_id: int):
        """Change some settings; e.g. `{"auto_sync_enabled": false}` stops scheduled sync org-wide."""
        org, session = own_org(org_id, current_user()), db_session()
        settings = update_org_settings(session, org, changes, current_user())
        session.commit()
        return settings


@blp.route("/<int:org_id>/server-profiles")
class ServerProfiles(MethodView):
    @admin_required
    @blp.response(200, ServerProfileSchema(many=True))
    def get(self, org_id: int):
        """The org's mail server profiles (how to reach Graph / EWS / Gmail / IMAP+DAV)."""
        org = own_org(org_id, current_user())
        return list(db_session().scalars(select(ServerProfile).where(ServerProfile.org_id == org.id)
                                         .order_by(ServerProfile.id)))

    @admin_required
    @blp.arguments(ServerProfileSchema)
    @blp.response(201, ServerProfileSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="A profile with this name exists")
    def post(self, data: dict, org_id: int):
        """Add a server profile; users then register their mailbox against it."""
        own_org(org_id, current_user())
        session = db_session()
        profile = create_profile(session, current_user(), data, mail_host_policy(runtime().config), runtime().secrets)
        session.commit()
        return profile


@blp.route("/<int:org_id>/server-profiles/<int:profile_id>/client-secret")
class ServerProfileSecret(MethodView):
    @admin_required
    @blp.arguments(ClientSecretSchema)
    @blp.response(200, ServerProfileSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="The profile is not a graph profile")
    @blp.alt_response(404, schema=ErrorSchema, description="No such server profile in this org")
    def put(self, data: dict, org_id: int, profile_id: int):
        """Replace a graph profile's client secret (e.g. after it expired in Entra ID); its mailboxes
        waiting for re-authorisation resume."""
        session, profile = db_session(), _own_profile(org_id, profile_id)
        try:
            rotate_client_secret(runtime(), session, profile, data["client_secret"], current_user())
        except NotAGraphProfile as exc:
            abort(400, message=str(exc))
        session.commit()
        return profile


@blp.route("/<int:org_id>/server-profiles/<int:profile_id>/service-account-key")
class ServerProfileServiceAccount(MethodView):
    @admin_required
    @blp.arguments(ServiceAccountKeySchema)
    @blp.response(200, ServerProfileSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="The profile is not a gmail profile")
    @blp.alt_response(404, schema=ErrorSchema, description="No such server profile in this org")
    def put(self, data: dict, org_id: int, profile_id: int):
        """Store a gmail profile's service-account key (e.g. a new one after the old was deleted in Google
        Cloud); its mailboxes waiting for re-authorisation resume."""
        session, profile = db_session(), _own_profile(org_id, profile_id)
        try:
            store_service_account(runtime(), session, profile, data["service_account_key"], current_user())
        except NotAGoogleProfile as exc:
            abort(400, message=str(exc))
        session.commit()
        return profile


def _own_profile(org_id: int, profile_id: int) -> ServerProfile:
    """A server profile of the caller's org (404 otherwise, as for another org's)."""
    org = own_org(org_id, current_user())
    profile = db_session().get(ServerProfile, profile_id)
    if profile is None or profile.org_id != org.id:
        abort(404, message=f"server profile {profile_id} not found in this org")
        raise AssertionError("abort raises")
    return profile


@blp.route("/<int:org_id>/salesforce")
class SalesforceStatus(MethodView):
    @admin_required
    @blp.response(200, SalesforceStatusSchema)
    def get(self, org_id: int):
        """Is the org's default Salesforce connection usable, how much of the daily API allowance is used?"""
        return _salesforce_status(own_org(org_id, current_user()))


@blp.route("/<int:org_id>/salesforce/fields")
class SalesforceFields(MethodView):
    @admin_required
    @blp.response(200, FieldStatusSchema)
    @salesforce_answers(blp)
    def get(self, org_id: int):
        """Which of Syncline's custom fields exist in the org and are usable (read with your connection)."""
        org = own_org(org_id, current_user())
        with salesforce_errors():
            return field_status(runtime(), db_session(), org, current_user())

    @admin_required
    @blp.response(200, FieldSetupSchema)
    @salesforce_answers(blp)
    def post(self, org_id: int):
        """Create the missing fields (Tooling API, with your Salesforce connection), grant read/edit through the
        Syncline_Sync_Fields permission set, assign it to the org's Syncline users and resume mailboxes suspended
        for missing fields. Idempotent: a second call changes nothing (`changed: false`). Your Salesforce user
        needs "Customize Application"; without it Salesforce refuses and the answer is an error naming the call."""
        org, session = own_org(org_id, current_user()), db_session()
        with salesforce_errors():
            report = setup_fields(runtime(), session, org, current_user())
        session.commit()
        return report


@blp.route("/<int:org_id>/salesforce/integration-user")
class IntegrationUser(MethodView):
    @admin_required
    @blp.arguments(IntegrationUserSchema)
    @blp.response(200, SalesforceStatusSchema)
    def put(self, data: dict, org_id: int):
        """Name the user whose Salesforce connection background sync may borrow for users who have not
        signed in to Salesforce (`{"user_id": null}` turns it off). Audited, as is every session using it."""
        org, session = own_org(org_id, current_user()), db_session()
        try:
            set_integration_user(session, org, current_user(), data["user_id"])
        except IntegrationUserRefused as exc:
            abort(400, message=str(exc), errors={"user_id": [str(exc)]})
        session.commit()
        return _salesforce_status(org)


def _salesforce_status(org: Org) -> dict:
    rt = runtime()
    default = next((c for c in org.connections if c.is_org_default), None)
    budget = api_budget(rt, org.id)
    usage, paused = budget.usage(), budget.paused_until()
    chosen_id = integration_user_id(org)
    chosen = db_session().get(User, chosen_id) if chosen_id else None
    return {"connection": default.status if default else "none",
            "connection_reason": default.status_reason if default else None,
            "api_used": usage.used if usage else None, "api_max": usage.max if usage else None,
            "api_reserve": rt.config.salesforce_api_reserve,
            "paused_until": datetime.fromtimestamp(paused, UTC) if paused else None,
            "integration_user_id": chosen_id,
            "integration_connection": (chosen.connection.status if chosen and chosen.connection else "none")
            if chosen_id else None}
