"""Autoresolve's per-session list of created records and its one-click undo (mailbox owner or admin)."""
from __future__ import annotations

from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.auth import current_user, login_required
from app.api.error_docs import salesforce_answers
from app.api.scoping import mailbox_for
from app.api.sidebar_errors import salesforce_errors
from app.runtime import db_session, runtime
from app.services import autoresolve_log
from app.services.sidebar_salesforce import user_crm_port
from schemas.autoresolve import AutoresolvedArgsSchema, AutoresolvedRecordSchema, UndoRequestSchema, UndoResultSchema
from schemas.base import ErrorSchema

blp = Blueprint("autoresolve", __name__, url_prefix="/mailboxes",
                description="Leads, Contacts and Accounts autoresolve created, and undo")


@blp.route("/<int:mailbox_id>/autoresolved")
class Autoresolved(MethodView):
    @login_required
    @blp.arguments(AutoresolvedArgsSchema, location="query")
    @blp.response(200, AutoresolvedRecordSchema(many=True))
    def get(self, args: dict, mailbox_id: int):
        """What autoresolve created during this mailbox's sessions (one session with `session_id`)."""
        mailbox = mailbox_for(mailbox_id, current_user())
        rows = autoresolve_log.listing(db_session(), mailbox.org_id, mailbox.id, args.get("session_id"))
        return [{"session_id": r.session_id, "sobject": r.sobject, "record_id": r.record_id, "email": r.email,
                 "status": r.status, "reason": r.note, "created_at": r.created_at} for r in rows]


@blp.route("/<int:mailbox_id>/autoresolved/undo")
class UndoAutoresolved(MethodView):
    @login_required
    @blp.arguments(UndoRequestSchema)
    @blp.response(200, UndoResultSchema)
    @blp.alt_response(404, schema=ErrorSchema, description="No such mailbox, or the session created nothing to undo")
    @salesforce_answers(blp)
    def post(self, data: dict, mailbox_id: int):
        """Delete what one session (or a sidebar Save now: `record_ids`) created that nobody has touched since;
        the rest is kept, with the reason."""
        user, session = current_user(), db_session()
        mailbox = mailbox_for(mailbox_id, user)
        session_id, record_ids = data["session_id"], data["record_ids"]
        rows = autoresolve_log.listing(session, mailbox.org_id, mailbox.id, session_id, record_ids)
        if not any(r.status == "created" for r in rows):
            what = f"Session {session_id}" if session_id is not None else "Those records"
            abort(404, message=f"{what} of mailbox {mailbox.id} has nothing left to undo.")
        with salesforce_errors():
            outcome = autoresolve_log.undo_session(user_crm_port(runtime(), user), session, user, mailbox.id,
                                                   session_id, record_ids)
        session.commit()
        return {"undone": sum(o["status"] == "undone" for o in outcome),
                "kept": sum(o["status"] == "kept" for o in outcome), "records": outcome}
