"""Microsoft Graph calls these (no bearer token: Graph cannot send one; clientState is the check).

Microsoft Learn, "Receive change notifications through webhooks": a subscription's creation or
renewal first sends ``?validationToken=…``, answered 200 with the token as text/plain within 10 s;
a notification batch is answered 202 at once (the session runs in a worker), else Graph retries.
"""
from __future__ import annotations

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.runtime import runtime
from app.services import graph_notifications
from schemas.base import ErrorSchema
from schemas.graph_push import NotificationBatchSchema, ValidationArgsSchema

blp = Blueprint("graph_push", __name__, url_prefix="/graph",
                description="Microsoft Graph change and lifecycle notifications (called by Graph)")


def _answer(batch: dict, token: str | None) -> Response:
    """The handshake (Graph's validation POST has an empty text/plain body), else a batch to act on."""
    if token is not None:
        return Response(token, 200, content_type="text/plain; charset=utf-8", headers={"X-Content-Type-Options": "nosniff"})
    if batch.get("value") is None:
        abort(400, message="Send Graph's notification batch: a JSON object {\"value\": [{\"subscriptionId\": …, "
                           "\"clientState\": …}]}, or a validationToken query parameter.",
              errors={"json": {"value": ["Missing data for required field."]}})
    handled = graph_notifications.handle(runtime(), batch["value"])
    if handled.forged and not (handled.sessions or handled.refreshes or handled.ignored):
        abort(403, message="Rejected: the clientState does not match the subscription's.")
    return Response(status=202)


def _graph_callback(accepted: str):
    """Both callbacks take the same input and answer alike; only what 202 means differs."""
    decorators = [blp.arguments(ValidationArgsSchema, location="query", as_kwargs=True),
                  blp.arguments(NotificationBatchSchema),
                  blp.response(202, description=accepted),
                  blp.alt_response(200, description="The validation handshake: validationToken echoed as text/plain"),
                  blp.alt_response(400, schema=ErrorSchema, description="Not a Graph notification batch"),
                  blp.alt_response(403, schema=ErrorSchema, description="Every notification had a wrong clientState")]

    def wrap(view):
        for decorate in reversed(decorators):
            view = decorate(view)
        return view

    return wrap


@blp.route("/notifications")
class Notifications(MethodView):
    @_graph_callback("Accepted: one delta session is queued per mailbox named")
    def post(self, batch: dict, validationToken: str | None = None):  # noqa: N803 (Graph's name)
        """Change notifications for the mailboxes' subscriptions (and the validation handshake)."""
        return _answer(batch, validationToken)


@blp.route("/lifecycle")
class Lifecycle(MethodView):
    @_graph_callback("Accepted: renewal, re-creation or a delta session follows")
    def post(self, batch: dict, validationToken: str | None = None):  # noqa: N803 (Graph's name)
        """Lifecycle notifications: reauthorizationRequired, subscriptionRemoved, missed."""
        return _answer(batch, validationToken)
