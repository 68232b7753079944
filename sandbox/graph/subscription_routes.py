"""``/v1.0/subscriptions``: create (with the validation request), list, get, renew (PATCH), delete.

Microsoft Learn: "Create subscription" (201 with the subscription; 400 when validation of the
notification URL fails or the expiration is beyond the resource's maximum), "Update
subscription" (200), "Delete subscription" (204), "List subscriptions" (200, ``value``).
Delegated tokens (a signed-in user's): subscriptions on that user's own ``me/...`` or
``users/{id}/...`` resources only, with a read permission for the resource in ``scp`` (403
otherwise); such a caller lists, renews and deletes only the subscriptions its user created.
"""
from __future__ import annotations

import jwt
from flask import Flask, Response, request

from sandbox.graph.push import ACCESS_DENIED, Refused, may_manage
from sandbox.graph.store import GraphStore

# The read permission each subscribable resource needs (Microsoft Learn, "Create subscription": permissions).
_READ_SCOPE = {"events": "Calendars.Read", "contacts": "Contacts.Read", "messages": "Mail.Read", "tasks": "Tasks.Read"}


def register_subscriptions(app: Flask, store: GraphStore, graph: str) -> None:
    from sandbox.graph.app import graph_error, ok  # the fake's response helpers

    def missing(subscription_id: str) -> Response:
        return graph_error(404, "ResourceNotFound", f"The object '{subscription_id}' was not found.")

    def caller(target: str) -> str | None:
        """The signed-in user of a delegated token; None for the app's own token. Recorded with ``target``."""
        auth = request.headers.get("Authorization", "")
        user = store.identity.token_users.get(auth[7:]) if auth.startswith("Bearer ") else None
        store.push.callers.append((request.method, user, target))
        return user

    def denied(op: str) -> Response:
        return graph_error(403, "ExtensionError", ACCESS_DENIED.format(op=op))

    @app.post(graph + "/subscriptions")
    def create_subscription() -> Response:
        body = request.get_json(silent=True)
        user = caller(str(body.get("resource") or "") if isinstance(body, dict) else "")
        if not isinstance(body, dict):
            return graph_error(400, "InvalidRequest", "The request body must be a subscription object.")
        if user is not None and not _may_read(request.headers.get("Authorization", "")[7:], str(body.get("resource"))):
            return denied("Create")
        try:
            sub = store.push.create(body, lambda name: store.mailbox(name) is not None, user)
        except Refused as exc:
            return graph_error(exc.status, exc.code, str(exc))
        return ok({"@odata.context": f"{request.host_url}v1.0/$metadata#subscriptions/$entity", **sub.shown()}, 201)

    @app.get(graph + "/subscriptions")
    def list_subscriptions() -> Response:
        user = caller("")
        return ok({"value": [s.shown() for s in store.push.live() if may_manage(s, user)]})

    @app.route(graph + "/subscriptions/<subscription_id>", methods=["GET", "PATCH", "DELETE"])
    def one_subscription(subscription_id: str) -> Response:
        user, known = caller(subscription_id), store.push.get(subscription_id)
        if known is not None and not may_manage(known, user):
            return denied("Update" if request.method == "PATCH" else request.method.title())
        if request.method == "DELETE":
            return Response(status=204) if store.push.delete(subscription_id) else missing(subscription_id)
        if request.method == "PATCH":
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or "expirationDateTime" not in body:
                return graph_error(400, "InvalidRequest", "Only expirationDateTime can be updated.")
            try:
                sub = store.push.renew(subscription_id, body["expirationDateTime"])
            except Refused as exc:
                return graph_error(exc.status, exc.code, str(exc))
        else:
            sub = known
        return ok(sub.shown()) if sub is not None else missing(subscription_id)


def _may_read(token: str, resource: str) -> bool:
    """Whether the delegated token's ``scp`` holds a read (or read-write) permission for the resource."""
    scopes = str(jwt.decode(token, options={"verify_signature": False}).get("scp", "")).split()
    kind = resource.rstrip("/").rsplit("/", 1)[-1]
    needed = _READ_SCOPE.get(kind)
    return needed is None or any(s.startswith(needed) for s in scopes)
