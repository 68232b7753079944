"""Google calls these: Calendar channel notifications (the channel token is the check) and Gmail's
Pub/Sub pushes (the OIDC bearer token is the check). No Syncline API token: Google cannot send one.

A genuine push is answered at once (2xx: Google and Pub/Sub stop retrying) and the session runs in
a worker; a forged one is 403 and starts nothing; an unreadable one is 400.
"""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.runtime import runtime
from app.services import google_notifications
from app.services.google_notifications import BadPush, Forged, UnknownChannel
from app.sync.errors import TemporaryFailure
from schemas.base import ErrorSchema
from schemas.google_push import CalendarHeadersSchema, PubSubPushSchema

blp = Blueprint("google_push", __name__, url_prefix="/google",
                description="Google Calendar channel notifications and Gmail Pub/Sub pushes (called by Google)")


@blp.route("/calendar-notifications")
class CalendarNotifications(MethodView):
    @blp.arguments(CalendarHeadersSchema, location="headers")
    @blp.response(200, description="Acknowledged: a change queues one session for the channel's mailbox; "
                                   "the channel's first (sync) message is ignored")
    @blp.alt_response(403, schema=ErrorSchema, description="The channel token or resource id is not the channel's")
    @blp.alt_response(404, schema=ErrorSchema, description="No channel of Syncline has that id")
    def post(self, headers: dict):
        """A Calendar events.watch channel's notification."""
        try:
            google_notifications.calendar_push(runtime(), {
                "X-Goog-Channel-ID": headers["channel_id"], "X-Goog-Channel-Token": headers["channel_token"],
                "X-Goog-Resource-ID": headers["resource_id"], "X-Goog-Resource-State": headers["resource_state"]})
        except Forged as exc:
            abort(403, message=f"Rejected: {exc}.")
        except UnknownChannel as exc:
            abort(404, message=f"{exc}: it was stopped, or never made by Syncline.")
        return Response(status=200)


@blp.route("/gmail-notifications")
class GmailNotifications(MethodView):
    @blp.arguments(PubSubPushSchema)
    @blp.response(204, description="Acknowledged: one session is queued for the mailbox named")
    @blp.alt_response(400, schema=ErrorSchema, description="message.data is not a Gmail notification")
    @blp.alt_response(403, schema=ErrorSchema, description="The bearer token is missing, not Google's, for another "
                                                           "audience or from another service account")
    @blp.alt_response(503, schema=ErrorSchema, description="Google's signing keys could not be fetched; Pub/Sub "
                                                           "retries")
    def post(self, envelope: dict):
        """A Gmail users.watch notification, pushed by the org's Pub/Sub subscription with an OIDC token."""
        try:
            google_notifications.gmail_push(runtime(), request.headers.get("Authorization", ""), envelope)
        except BadPush as exc:
            abort(400, message=str(exc), errors={"json": {"message": {"data": [str(exc)]}}})
        except Forged as exc:
            abort(403, message=f"Rejected: {exc}")
        except TemporaryFailure as exc:
            abort(503, message=str(exc))
        return Response(status=204)
