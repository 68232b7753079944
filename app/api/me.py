"""The caller's own profile and personal settings."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.auth import current_user, login_required
from app.api.views import me_view
from app.runtime import db_session
from app.services.settings import SettingsLocked, update_user_settings
from schemas.users import MePatchSchema, MeSchema

blp = Blueprint("me", __name__, url_prefix="/me", description="The signed-in user")


@blp.route("")
class Me(MethodView):
    @login_required
    @blp.response(200, MeSchema)
    def get(self):
        """Who am I, my org, whether auto-sync runs for me, my settings."""
        return me_view(current_user())

    @login_required
    @blp.arguments(MePatchSchema)
    @blp.response(200, MeSchema)
    def patch(self, changes):
        """Change my display name or personal settings."""
        user, session = current_user(), db_session()
        if "name" in changes:
            user.name = changes["name"]
        if "settings" in changes:
            try:
                update_user_settings(session, user, changes["settings"])
            except SettingsLocked as exc:
                abort(403, message=f"Your admin has locked these settings: {exc}.")
        session.commit()
        return me_view(user)
