"""CalDAV/CardDAV servers call this: Syncline is the Web Push "push resource" of its WebDAV-Push
registrations (no Syncline API token: a DAV server cannot send one; the unguessable token in the
path, kept only hashed, and the RFC 8291 encryption for the registration's keys are the checks).

RFC 8030 §5: a push message the push resource accepts is answered 201 (Created) with its Location;
Syncline consumes it at once (one debounced session for that mailbox), so nothing is kept there.
RFC 8030 §7.3 and the draft's "Removal of Invalid Subscriptions": an address we no longer know is
answered 404, and the server drops its registration. A body that is not an aes128gcm
push-message for the registration is 400 and starts nothing.
"""
from __future__ import annotations

import re
import uuid

from flask import Response, request
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.runtime import runtime
from app.services import dav_push_subscriptions
from app.services.dav_push_subscriptions import BadPush, UnknownSubscription
from schemas.base import ErrorSchema

MAX_MESSAGE_BYTES = 8192        # RFC 8030 §7.2: push services accept at least 4096 payload bytes
TOKEN = re.compile(r"[A-Za-z0-9_-]{20,128}")

blp = Blueprint("webdav_push", __name__, url_prefix="/push/webdav",
                description="WebDAV-Push messages from CalDAV/CardDAV servers (called by the servers)")


@blp.route("/<string:token>")
class WebDavPushMessages(MethodView):
    @blp.response(201, description="Accepted: a content update queues one session for the registration's "
                                   "mailbox (property updates and key rotation messages are acknowledged only)")
    @blp.alt_response(400, schema=ErrorSchema, description="Not an aes128gcm push-message for this registration")
    @blp.alt_response(404, schema=ErrorSchema, description="No registration of Syncline has that address: the "
                                                           "server should drop it")
    @blp.alt_response(413, schema=ErrorSchema, description="Larger than a push message can be")
    def post(self, token: str):
        """A WebDAV-Push message (RFC 8291 encrypted ``push-message``) for one registration."""
        if not TOKEN.fullmatch(token):
            abort(404, message="No WebDAV-Push registration has that address.")
        body = request.get_data(cache=False)
        if len(body) > MAX_MESSAGE_BYTES:
            abort(413, message=f"A push message has at most {MAX_MESSAGE_BYTES} bytes.")
        try:
            dav_push_subscriptions.receive(runtime(), token, body, request.headers.get("Content-Encoding", ""))
        except UnknownSubscription as exc:
            abort(404, message=f"{exc}: it was removed, or never made by Syncline.")
        except BadPush as exc:
            abort(400, message=f"Rejected: {exc}.")
        return Response(status=201, headers={"Location": f"{request.base_url}/messages/{uuid.uuid4()}"})
