"""Microsoft Graph calls these (no bearer token: Graph cannot send one; clientState is the check).

Microsoft Learn, "Receive change notifications through webhooks": a subscription's creation or
renewal first sends ``?validationToken=…``, answered 200 with the token as text/plain within 10 s;
a notification batch is answered 202 at once (the session runs in a worker), else Graph retries.
"""
from __future__ import annotations

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from marshmallow import ValidationError

from app.api.json_limits import shape_problem
from app.runtime import runtime
from app.services import graph_notifications
from schemas.base import ErrorSchema
from schemas.graph_push import NotificationBatchSchema, ValidationArgsSchema

blp = Blueprint("graph_push", __name__, url_prefix="/graph",
                description="Microsoft Graph change and lifecycle notifications (called by Graph)")
_DOC_BODY = {"requestBody": {"required": False, "content": {"application/json": {"schema": NotificationBatchSchema}}}}


def _handshake(args: dict) -> Response | None:
    token = args.get("validationToken")
    if token is None:
        return None
    return Response(token, 200, content_type="text/plain; charset=utf-8", headers={"X-Content-Type-Options": "nosniff"})


def _receive() -> Response:
    raw = request.get_data(cache=True)
    problem = shape_problem(raw) if raw else "the body is empty"
    body = None if problem else request.get_json(silent=True)
    try:
        if body is None:
            raise ValidationError(f"the body is not JSON ({problem})" if problem else "the body is not JSON")
        batch = NotificationBatchSchema().load(body)
    except ValidationError as exc:
        abort(400, message="Send Graph's notification batch: a JSON object {\"value\": [{\"subscriptionId\": …, "
                           "\"clientState\": …}]}.", errors={"json": exc.messages})
    handled = graph_notifications.handle(runtime(), batch["value"])
    if handled.forged and not (handled.sessions or handled.refreshes or handled.ignored):
        abort(403, message="Rejected: the clientState does not match the subscription's.")
    return Response(status=202)


@blp.route("/notifications")
class Notifications(MethodView):
    @blp.arguments(ValidationArgsSchema, location="query")
    @blp.doc(**_DOC_BODY)
    @blp.response(202, description="Accepted: one delta session is queued per mailbox named")
    @blp.alt_response(200, description="The validation handshake: validationToken echoed as text/plain")
    @blp.alt_response(400, schema=ErrorSchema, description="Not a Graph notification batch")
    @blp.alt_response(403, schema=ErrorSchema, description="Every notification had a wrong clientState")
    def post(self, args: dict):
        """Change notifications for the mailboxes' subscriptions (and the validation handshake)."""
        return _handshake(args) or _receive()


@blp.route("/lifecycle")
class Lifecycle(MethodView):
    @blp.arguments(ValidationArgsSchema, location="query")
    @blp.doc(**_DOC_BODY)
    @blp.response(202, description="Accepted: renewal, re-creation or a delta session follows")
    @blp.alt_response(200, description="The validation handshake: validationToken echoed as text/plain")
    @blp.alt_response(400, schema=ErrorSchema, description="Not a Graph notification batch")
    @blp.alt_response(403, schema=ErrorSchema, description="Every notification had a wrong clientState")
    def post(self, args: dict):
        """Lifecycle notifications: reauthorizationRequired, subscriptionRemoved, missed."""
        return _handshake(args) or _receive()
