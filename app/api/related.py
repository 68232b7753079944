"""Initial Search: the Salesforce records related to the open email or meeting."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint

from app.api.auth import current_user, login_required
from app.api.error_docs import salesforce_answers
from app.api.sidebar_errors import salesforce_errors
from app.runtime import db_session, runtime
from app.services import blocklists, gmail_refs, saves, sync_requests
from app.services.link_rules import ladder_rules
from app.services.related_records import find_related
from app.services.settings import org_settings
from app.services.sidebar_salesforce import sidebar_port
from schemas.sidebar import RelatedRecordsSchema, RelatedRequestSchema

blp = Blueprint("related", __name__, url_prefix="/related-records", description="Initial Search for the sidebar")


@blp.route("")
class RelatedRecords(MethodView):
    @login_required
    @blp.arguments(RelatedRequestSchema)
    @blp.response(200, RelatedRecordsSchema)
    @salesforce_answers(blp)
    def post(self, data: dict):
        """Contacts, Leads, Accounts, Opportunities, Cases and Users related to the item, each with why;
        unknown addresses as suggestions; whether it is already saved or its thread autosaved."""
        user, session, item = current_user(), db_session(), data["item"]
        blocked = blocklists.for_user(session, user)
        with salesforce_errors():
            ladder = ladder_rules(session, user.org_id, org_settings(user.org))
            found = find_related(sidebar_port(runtime(), user), item, user.email, blocked, ladder)
        known = gmail_refs.with_message_id_if_known(runtime(), user, item)     # Gmail sends only its own id
        return {**found, "saved": saves.saved_state(session, user, known),
                "thread_autosave": sync_requests.thread_autosave_on(session, user, item.get("thread_id"))}
