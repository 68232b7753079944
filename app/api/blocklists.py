"""Blocklists: my own, and the org admin's; listed addresses, @domains and /patterns/ are never looked up."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.auth import admin_required, current_user, login_required
from app.api.scoping import own_org
from app.runtime import db_session
from app.services import blocklists as service
from schemas.records import BlocklistSchema

blp = Blueprint("blocklists", __name__, url_prefix="",
                description="Addresses, domains and regular expressions kept out of Salesforce look-ups, links and auto-saves")


@blp.route("/me/blocklist")
class MyBlocklist(MethodView):
    @login_required
    @blp.response(200, BlocklistSchema)
    def get(self):
        """My personal blocklist."""
        user = current_user()
        return {"entries": service.entries(db_session(), user.org_id, user.id)}

    @login_required
    @blp.arguments(BlocklistSchema)
    @blp.response(200, BlocklistSchema)
    def put(self, data: dict):
        """Replace my personal blocklist.

        Addresses and @domains (subdomains included) are stored lower-cased, `/regular expressions/` as
        written; matching is case-insensitive. A bad entry is 400 quoting it and saying what is wrong."""
        user, session = current_user(), db_session()
        entries = service.replace(session, user, user.id, data["entries"])
        session.commit()
        return {"entries": entries}


@blp.route("/orgs/<int:org_id>/blocklist")
class OrgBlocklist(MethodView):
    @admin_required
    @blp.response(200, BlocklistSchema)
    def get(self, org_id: int):
        """The org's blocklist, applied to every user."""
        own_org(org_id, current_user())
        return {"entries": service.entries(db_session(), org_id, None)}

    @admin_required
    @blp.arguments(BlocklistSchema)
    @blp.response(200, BlocklistSchema)
    def put(self, data: dict, org_id: int):
        """Replace the org's blocklist (same entries and checks as `PUT /me/blocklist`)."""
        own_org(org_id, current_user())
        session = db_session()
        entries = service.replace(session, current_user(), None, data["entries"])
        session.commit()
        return {"entries": entries}
