"""The items one sync session skipped, each with its reason (the dashboard counts them per reason)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.auth import current_user, login_required
from app.api.scoping import mailbox_for
from app.runtime import db_session
from app.services import skipped_items
from schemas.base import ErrorSchema
from schemas.skipped_items import SkippedItemSchema

blp = Blueprint("skipped_items", __name__, url_prefix="/mailboxes", description="Items a sync session skipped")


@blp.route("/<int:mailbox_id>/sessions/<int:session_id>/skipped-items")
class SkippedItems(MethodView):
    @login_required
    @blp.response(200, SkippedItemSchema(many=True))
    @blp.alt_response(404, schema=ErrorSchema, description="No such mailbox, or no such session of it")
    def get(self, mailbox_id: int, session_id: int):
        """Each item this session skipped (an automatic save of internal-only mail, a meeting outside the
        sync window, a card outside the contact scope…) in the order decided: mailbox item, subject, date
        and reason. Bounded: the session's last 200 (its counts cover all);
        echoes of Syncline's own writes are counted, not listed."""
        mailbox = mailbox_for(mailbox_id, current_user())
        items = skipped_items.of_session(db_session(), mailbox.id, session_id)
        if items is None:
            abort(404, message=f"No session {session_id} of mailbox {mailbox.id}.")
        return items
