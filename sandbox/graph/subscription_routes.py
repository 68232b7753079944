"""``/v1.0/subscriptions``: create (with the validation request), list, get, renew (PATCH), delete.

Microsoft Learn: "Create subscription" (201 with the subscription; 400 when validation of the
notification URL fails or the expiration is beyond the resource's maximum), "Update
subscription" (200), "Delete subscription" (204), "List subscriptions" (200, ``value``).
"""
from __future__ import annotations

from flask import Flask, Response, request

from sandbox.graph.push import Refused
from sandbox.graph.store import GraphStore


def register_subscriptions(app: Flask, store: GraphStore, graph: str) -> None:
    from sandbox.graph.app import graph_error, ok  # the fake's response helpers

    def missing(subscription_id: str) -> Response:
        return graph_error(404, "ResourceNotFound", f"The object '{subscription_id}' was not found.")

    @app.post(graph + "/subscriptions")
    def create_subscription() -> Response:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            return graph_error(400, "InvalidRequest", "The request body must be a subscription object.")
        try:
            sub = store.push.create(body, lambda user: store.mailbox(user) is not None)
        except Refused as exc:
            return graph_error(400, exc.code, str(exc))
        return ok({"@odata.context": f"{request.host_url}v1.0/$metadata#subscriptions/$entity", **sub.shown()}, 201)

    @app.get(graph + "/subscriptions")
    def list_subscriptions() -> Response:
        return ok({"value": [s.shown() for s in store.push.live()]})

    @app.route(graph + "/subscriptions/<subscription_id>", methods=["GET", "PATCH", "DELETE"])
    def one_subscription(subscription_id: str) -> Response:
        if request.method == "DELETE":
            return Response(status=204) if store.push.delete(subscription_id) else missing(subscription_id)
        if request.method == "PATCH":
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or "expirationDateTime" not in body:
                return graph_error(400, "InvalidRequest", "Only expirationDateTime can be updated.")
            try:
                sub = store.push.renew(subscription_id, body["expirationDateTime"])
            except Refused as exc:
                return graph_error(400, exc.code, str(exc))
        else:
            sub = store.push.get(subscription_id)
        return ok(sub.shown()) if sub is not None else missing(subscription_id)
