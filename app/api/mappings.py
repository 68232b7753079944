"""Mapping tables: org tables for admins, personal overrides where the admin allows them."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.auth import admin_required, current_user, login_required
from app.api.error_docs import salesforce_answers
from app.api.scoping import own_org
from app.api.sidebar_errors import salesforce_errors
from app.runtime import db_session, runtime
from app.services import mappings as service
from app.services.describes import describer_for
from app.sync.default_mappings import DEFAULT_MAPPINGS
from schemas.mappings import MappingTablePutSchema, MappingTableSchema

blp = Blueprint("mappings", __name__, url_prefix="", description="Field-mapping tables")


def _table(name: str, user_id: int | None = None) -> dict:
    try:
        table, scope = service.effective(db_session(), current_user().org_id, name, user_id)
    except service.UnknownTable:
        abort(404, message=f"No mapping table {name!r}; tables are {', '.join(DEFAULT_MAPPINGS)}.")
    return service.table_view(table, scope)


def _save(name: str, data: dict, for_user=None) -> dict:
    session = db_session()
    try:
        with salesforce_errors():       # describing the org may need a sign-in or meet a paused org
            table = service.save(session, current_user(), name, data, describer_for(runtime(), current_user()),
                                 for_user)
    except service.UnknownTable:
        abort(404, message=f"No mapping table {name!r}; tables are {', '.join(DEFAULT_MAPPINGS)}.")
    except service.InvalidTable as exc:
        abort(400, message=f"The mapping does not fit your Salesforce org: {exc}",
              errors={"rows": {str(e.row): [e.message] for e in exc.errors}})
    session.commit()
    return service.table_view(table, "user" if for_user else "org")


@blp.route("/orgs/<int:org_id>/mappings")
class OrgMappings(MethodView):
    @admin_required
    @blp.response(200, MappingTableSchema(many=True))
    def get(self, org_id: int):
        """Every mapping table as the org uses it (customised or default)."""
        own_org(org_id, current_user())
        return [_table(name) for name in DEFAULT_MAPPINGS]


@blp.route("/orgs/<int:org_id>/mappings/<string:name>")
class OrgMapping(MethodView):
    @admin_required
    @blp.response(200, MappingTableSchema)
    def get(self, org_id: int, name: str):
        """One org table."""
        own_org(org_id, current_user())
        return _table(name)

    @admin_required
    @blp.arguments(MappingTablePutSchema)
    @blp.response(200, MappingTableSchema)
    @salesforce_answers(blp)
    def put(self, data: dict, org_id: int, name: str):
        """Replace the org's table; every row is checked against the org's describe (400 names the row)."""
        own_org(org_id, current_user())
        return _save(name, data)

    @admin_required
    @blp.response(204)
    def delete(self, org_id: int, name: str):
        """Go back to Syncline's default table."""
        own_org(org_id, current_user())
        _reset(name)


@blp.route("/me/mappings/<string:name>")
class MyMapping(MethodView):
    @login_required
    @blp.response(200, MappingTableSchema)
    def get(self, name: str):
        """The table as it applies to me (my override, the org's table, or the default)."""
        user = current_user()
        return _table(name, user.id if service.overrides_allowed(user) else None)

    @login_required
    @blp.arguments(MappingTablePutSchema)
    @blp.response(200, MappingTableSchema)
    @salesforce_answers(blp)
    def put(self, data: dict, name: str):
        """My personal override (only where the admin allows personal overrides)."""
        if not service.overrides_allowed(current_user()):
            abort(403, message="Your admin has locked the mapping tables.")
        return _save(name, data, for_user=current_user())

    @login_required
    @blp.response(204)
    def delete(self, name: str):
        """Drop my override."""
        _reset(name, for_user=current_user())


def _reset(name: str, for_user=None) -> None:
    session = db_session()
    try:
        service.reset(session, current_user(), name, for_user)
    except service.UnknownTable:
        abort(404, message=f"No mapping table {name!r}.")
    session.commit()
