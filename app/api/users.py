"""Admin: the users of the caller's org (role, auto-sync switch, active flag)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.api.auth import admin_required, current_user
from app.api.scoping import user_in_org
from app.api.views import user_view
from app.models import User
from app.runtime import db_session
from app.services.users import RoleFromSalesforce, update_user
from schemas.base import ErrorSchema, PageArgsSchema
from schemas.users import UserPageSchema, UserPatchSchema, UserSchema

blp = Blueprint("users", __name__, url_prefix="/users", description="Users of your org (admins only)")


@blp.route("")
class Users(MethodView):
    @admin_required
    @blp.arguments(PageArgsSchema, location="query")
    @blp.response(200, UserPageSchema)
    def get(self, args: dict):
        """List the org's users, oldest first."""
        session, org_id = db_session(), current_user().org_id
        page, size = args["page"], args["page_size"]
        total = session.scalar(select(func.count()).select_from(User).where(User.org_id == org_id))
        rows = session.scalars(select(User).where(User.org_id == org_id).order_by(User.id)
                               .options(selectinload(User.connection)).offset((page - 1) * size).limit(size))
        return {"items": [user_view(u) for u in rows], "page": page, "page_size": size, "total": total}


@blp.route("/<int:user_id>")
class UserItem(MethodView):
    @admin_required
    @blp.response(200, UserSchema)
    def get(self, user_id: int):
        """One user of the org."""
        return user_view(user_in_org(user_id, current_user()))

    @admin_required
    @blp.arguments(UserPatchSchema)
    @blp.response(200, UserSchema)
    @blp.alt_response(409, schema=ErrorSchema, description="Demoting or disabling yourself, or a role Salesforce grants")
    def patch(self, changes: dict, user_id: int):
        """Grant/remove admin, switch auto-sync for this user, or disable the user."""
        caller, session = current_user(), db_session()
        user = user_in_org(user_id, caller)
        if user.id == caller.id and (changes.get("role") == "user" or changes.get("is_active") is False):
            abort(409, message="You cannot demote or disable yourself; ask another admin.")
        try:
            update_user(session, user, changes, caller)
        except RoleFromSalesforce:
            abort(409, message="This user is an admin through Salesforce permissions "
                               "(Manage Users or Customize Application); change it in Salesforce.")
        session.commit()
        return user_view(user)
