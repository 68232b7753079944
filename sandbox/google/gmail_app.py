"""The fake's Gmail v1 routes, shaped by the ``gmail.v1.json`` discovery document google-api-python-client
ships (rootUrl + ``gmail/v1/users/{userId}/...``, ``batchPath`` ``batch``; the batch guide names
``/batch/gmail/v1``, served too):

* ``users.getProfile`` (the mailbox's current ``historyId``);
* ``users.labels.list`` / ``create`` (409 "Label name exists or conflicts");
* ``users.messages.list``: ``labelIds`` (all must match), ``q`` (only ``newer_than:Nd`` here),
  ``maxResults`` (default 100, at most 500), ``pageToken``;
* ``users.messages.get``: ``format`` minimal | metadata (+ ``metadataHeaders``) | full;
* ``users.history.list``: ``startHistoryId`` (required; 404 when too old), ``labelId``,
  ``historyTypes``, ``maxResults``, ``pageToken``; the answer carries the current ``historyId``;
* the batch endpoint (at most 100 parts: "You're limited to 100 calls in a single batch request").
Scopes are checked per method as the discovery document lists them.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask, Response, request

from sandbox.google.batch import add_batch_endpoint
from sandbox.google.gmail_store import LABEL_SCOPES, READ_SCOPES, GmailError
from sandbox.google.store import ApiError, GoogleStore, decode_token, encode_token

USERS = "/gmail/v1/users/<user_id>"
FORMATS = ("minimal", "metadata", "full", "raw")


def add_gmail_routes(app: Flask, store: GoogleStore, render: Callable[[ApiError], Response]) -> None:
    gmail = store.gmail

    def api(scopes: frozenset[str]) -> Callable[[Callable[..., Any]], Callable[..., Response]]:
        def wrap(handler: Callable[..., Any]) -> Callable[..., Response]:
            def wrapped(user_id: str, **kwargs: Any) -> Response:
                with store.lock:
                    refusal = store.quota_refusal()
                if refusal is not None:
                    return render(refusal)
                auth = request.headers.get("Authorization", "")
                user, granted = store.tokens.get(auth.removeprefix("Bearer ").strip(), ("", frozenset()))
                if not auth.startswith("Bearer ") or not user:
                    return render(ApiError(401, "authError", "Invalid Credentials"))
                if user_id not in ("me", user):
                    return render(ApiError(403, "forbidden", "Delegation denied for " + user))
                if not granted & scopes:
                    return render(ApiError(403, "insufficientPermissions",
                                           "Request had insufficient authentication scopes."))
                try:
                    return Response(json.dumps(handler(user, **kwargs)), 200,
                                    content_type="application/json; charset=UTF-8")
                except GmailError as exc:
                    return render(ApiError(exc.status, exc.reason, exc.message))
            wrapped.__name__ = "gmail_" + handler.__name__
            return wrapped
        return wrap

    @app.get(USERS + "/profile")
    @api(READ_SCOPES)
    def profile(user: str) -> dict[str, Any]:
        box = gmail.box(user)
        return {"emailAddress": user, "messagesTotal": len(box.messages), "threadsTotal": len(box.messages),
                "historyId": str(gmail.history_id)}

    @app.get(USERS + "/labels")
    @api(READ_SCOPES | LABEL_SCOPES)
    def list_labels(user: str) -> dict[str, Any]:
        return {"labels": list(gmail.box(user).labels.values())}

    @app.post(USERS + "/labels")
    @api(LABEL_SCOPES)
    def create_label(user: str) -> dict[str, Any]:
        body = request.get_json(silent=True)
        if not isinstance(body, dict):
            raise GmailError(400, "parseError", "Parse Error")
        return gmail.create_label(user, body)

    @app.get(USERS + "/messages")
    @api(READ_SCOPES)
    def list_messages(user: str) -> dict[str, Any]:
        wanted = set(request.args.getlist("labelIds"))
        since = _newer_than(request.args.get("q", ""))
        found = [m for m in sorted(gmail.box(user).messages.values(), key=lambda m: -int(m["internalDate"]))
                 if wanted <= set(m["labelIds"]) and not {"SPAM", "TRASH"} & set(m["labelIds"])
                 and (since is None or int(m["internalDate"]) >= since)]
        page, token = _page(found, user)
        body: dict[str, Any] = {"messages": [{"id": m["id"], "threadId": m["threadId"]} for m in page],
                                "resultSizeEstimate": len(page)}
        return {**body, **({"nextPageToken": token} if token else {})}

    @app.get(USERS + "/messages/<message_id>")
    @api(READ_SCOPES)
    def get_message(user: str, message_id: str) -> dict[str, Any]:
        shape = request.args.get("format", "full")
        if shape not in FORMATS:
            raise GmailError(400, "invalidArgument", f"Invalid value for: format: {shape}")
        message = gmail.message(user, message_id)
        gmail.gets.append((message_id, shape))
        if shape == "full":
            return message
        brief = {k: v for k, v in message.items() if k != "payload"}
        if shape == "minimal":
            return brief
        if shape == "raw":
            raise GmailError(400, "invalidArgument", "format=raw is not supported by this fake")
        names = {n.lower() for n in request.args.getlist("metadataHeaders")}
        headers = [h for h in message["payload"]["headers"] if not names or h["name"].lower() in names]
        return {**brief, "payload": {"partId": "", "mimeType": message["payload"]["mimeType"], "filename": "",
                                     "headers": headers, "body": {"size": 0}}}

    @app.get(USERS + "/history")
    @api(READ_SCOPES)
    def list_history(user: str) -> dict[str, Any]:
        start = request.args.get("startHistoryId", "")
        if not start.isdigit():
            raise GmailError(400, "invalidArgument", "Invalid startHistoryId")
        types = set(request.args.getlist("historyTypes")) or {"messageAdded", "labelAdded"}
        records = gmail.history_since(user, int(start), request.args.get("labelId"), types)
        page, token = _page(records, user)
        body: dict[str, Any] = {"history": page, "historyId": str(gmail.history_id)}
        return {**body, **({"nextPageToken": token} if token else {})}

    for path in ("/batch", "/batch/gmail/v1"):         # the discovery batchPath and the batch guide's
        add_batch_endpoint(app, store, render, path=path, max_parts=100)


def _page(rows: list[dict[str, Any]], user: str) -> tuple[list[dict[str, Any]], str | None]:
    """One page of ``rows`` (maxResults ≤ 500, default 100) and the token of the next."""
    try:
        size = min(int(request.args.get("maxResults") or 100), 500)
    except ValueError:
        raise GmailError(400, "invalidArgument", "Invalid value for: maxResults") from None
    offset = 0
    if request.args.get("pageToken"):
        state = decode_token(request.args["pageToken"])
        if state is None or state.get("u") != user:
            raise GmailError(400, "invalidArgument", "Invalid pageToken")
        offset = int(state.get("offset") or 0)
    page = rows[offset:offset + max(size, 1)]
    more = offset + len(page) < len(rows)
    return page, encode_token({"u": user, "offset": offset + len(page)}) if more else None


def _newer_than(query: str) -> int | None:
    """``newer_than:Nd`` as epoch milliseconds; any other search is refused rather than ignored."""
    query = query.strip()
    if not query:
        return None
    if query.startswith("newer_than:") and query.endswith("d") and query[11:-1].isdigit():
        return int((datetime.now(UTC) - timedelta(days=int(query[11:-1]))).timestamp() * 1000)
    raise GmailError(400, "invalidArgument", "this fake understands only q=newer_than:Nd")
