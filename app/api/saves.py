"""Saving from the sidebar: an email now (Read mode); drafts, meetings and threads via the sync."""
from __future__ import annotations

from collections.abc import Callable

from flask import request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.auth import current_user, login_required
from app.api.error_docs import salesforce_answers
from app.api.gmail_errors import gmail_errors
from app.api.sidebar_errors import salesforce_errors
from app.runtime import db_session, runtime
from app.services import gmail_refs, save_writes, saves, sidebar_autoresolve, sync_requests
from app.services.sidebar_salesforce import sidebar_port
from app.sync.identifiers import THREAD_ID_MAX, identifier_problem
from schemas.base import ErrorSchema
from schemas.saves import ComposeSaveSchema, EmptySchema, MeetingSaveSchema, QueuedSchema, SaveEmailSchema
from schemas.sidebar import SavedStateSchema

blp = Blueprint("saves", __name__, url_prefix="", description="Saving emails and meetings to Salesforce")
SAVE_BODY_LIMIT = 16 * 1024 * 1024      # 10 MB of attachments, base64-encoded, plus the email


@blp.before_request
def _room_for_attachments() -> None:
    """Only the Read-mode save takes attachments: its body may exceed the API-wide limit."""
    if request.endpoint == "saves.SavedEmails":
        request.max_content_length = SAVE_BODY_LIMIT


@blp.route("/saved-emails")
class SavedEmails(MethodView):
    @login_required
    @blp.arguments(SaveEmailSchema)
    @blp.response(201, SavedStateSchema)
    @blp.alt_response(200, schema=SavedStateSchema, description="Already saved (by anyone in the org)")
    @salesforce_answers(blp)
    def post(self, data: dict):
        """Save the email now as the org's Task or EmailMessage, linked to the chosen records; once per email.

        From Gmail (only `message_ref`), the message's Message-ID is read from the user's Google mailbox
        first, so this save and the sync's save of the same message are one record."""
        user, session = current_user(), db_session()
        with gmail_errors():        # Gmail's message ref → its Message-ID, the key the sync engine saves by
            data = {**data, "item": gmail_refs.with_message_id(runtime(), user, data["item"])}
        try:
            with salesforce_errors():
                view, created = saves.save_email_now(session, user, sidebar_port(runtime(), user), data,
                                                     sidebar_autoresolve.resolver(runtime(), session, user))
        except saves.AttachmentProblem as exc:
            abort(exc.status, message=str(exc), errors={"attachments": [str(exc)]})
        except saves.SaveInProgress as exc:
            abort(409, message=str(exc))
        except save_writes.InvalidLinks as exc:
            abort(400, message=str(exc), errors={"ids": exc.ids})
        return view, 201 if created else 200


@blp.route("/compose-saves")
class ComposeSaves(MethodView):
    @login_required
    @blp.arguments(ComposeSaveSchema)
    @blp.response(202, QueuedSchema)
    def post(self, data: dict):
        """Save this draft once it is sent (the sync finds it by its X-Syncline-Save marker)."""
        session = db_session()
        row = sync_requests.request_compose_save(session, current_user(), data)
        session.commit()
        return {"status": "queued", "id": row.id}


@blp.route("/compose-saves/<int:request_id>")
class ComposeSaveItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such compose save of yours")
    def delete(self, request_id: int):
        """Withdraw one of my compose saves (also one the sync could not act on)."""
        _withdraw(sync_requests.withdraw_compose_save, request_id, "compose save")


@blp.route("/meeting-saves")
class MeetingSaves(MethodView):
    @login_required
    @blp.arguments(MeetingSaveSchema)
    @blp.response(202, QueuedSchema)
    def post(self, data: dict):
        """Save this meeting via the sync, with these links."""
        session = db_session()
        try:
            row = sync_requests.request_meeting_save(session, current_user(), data)
        except sync_requests.NothingToFind as exc:
            abort(400, message=str(exc), errors={"ical_uid": [str(exc)]})
        session.commit()
        return {"status": "queued", "id": row.id}


@blp.route("/meeting-saves/<int:request_id>")
class MeetingSaveItem(MethodView):
    @login_required
    @blp.response(204)
    @blp.alt_response(404, schema=ErrorSchema, description="No such meeting save of yours")
    def delete(self, request_id: int):
        """Withdraw one of my meeting saves."""
        _withdraw(sync_requests.withdraw_meeting_save, request_id, "meeting save")


def _withdraw(withdraw: Callable[..., bool], request_id: int, what: str) -> None:
    session = db_session()
    if not withdraw(session, current_user(), request_id):
        abort(404, message=f"No {what} {request_id} of yours.")
    session.commit()


@blp.route("/thread-autosaves/<path:thread_id>")
class ThreadAutosaves(MethodView):
    @login_required
    @blp.arguments(EmptySchema)
    @blp.response(204)
    def put(self, _data: dict, thread_id: str):
        """Save all emails in this thread from now on (the sync does the saving)."""
        _set(thread_id, True)

    @login_required
    @blp.response(204)
    @blp.alt_response(400, schema=ErrorSchema, description="thread_id is not a printable identifier")
    def delete(self, thread_id: str):
        """Stop saving this thread's emails automatically."""
        _set(thread_id, False)


def _set(thread_id: str, on: bool) -> None:
    problem = identifier_problem(thread_id, THREAD_ID_MAX)
    if problem:
        abort(400, message=f"thread_id {problem}.", errors={"thread_id": [problem]})
    session = db_session()
    sync_requests.set_thread_autosave(session, current_user(), thread_id, on)
    session.commit()
