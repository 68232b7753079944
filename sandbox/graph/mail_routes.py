"""The fake's mail surface, as Microsoft Learn documents it for Graph v1.0:

* ``GET/POST /users/{id}/mailFolders`` ("List mailFolders", "Create mailFolder": 201, 409
  ``ErrorFolderExists``);
* ``GET /users/{id}/mailFolders/{id|well-known name}/messages/delta`` ("message: delta"):
  ``$select``, ``Prefer: odata.maxpagesize``, ``@odata.nextLink`` → ``@odata.deltaLink``,
  ``@removed``, 410 ``syncStateNotFound`` for a forgotten token, and ``$filter`` only as
  ``receivedDateTime ge|gt {value}`` (anything else is refused, as delta does);
* ``GET /users/{id}/messages`` ("List messages") with ``$filter=categories/any(c:c eq '…')``,
  optionally ``and lastModifiedDateTime ge {value}``, ``$select``, ``$top`` and ``$skip`` paging;
* ``GET /users/{id}/messages/{id}`` (``internetMessageHeaders`` only when ``$select``-ed);
* every message's ``body`` in the format ``Prefer: outlook.body-content-type`` asks for (HTML by
  default, see body_format.py);
* ``GET/POST /users/{id}/outlook/masterCategories`` ("List/Create Outlook category").
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, request

from sandbox.graph.body_format import asked_body_type, body_as
from sandbox.graph.mail_store import MailStore, Message, MessageDelta, UserMail, instant
from sandbox.graph.store import GraphStore

GRAPH = "/v1.0"
DEFAULT_PAGE = 10
MESSAGE_PROPERTIES = frozenset((
    "id", "createdDateTime", "lastModifiedDateTime", "changeKey", "categories", "receivedDateTime", "sentDateTime",
    "hasAttachments", "internetMessageId", "subject", "bodyPreview", "importance", "parentFolderId",
    "conversationId", "conversationIndex", "isDeliveryReceiptRequested", "isReadReceiptRequested", "isRead",
    "isDraft", "webLink", "inferenceClassification", "body", "uniqueBody", "sender", "from", "toRecipients",
    "ccRecipients", "bccRecipients", "replyTo", "flag", "internetMessageHeaders"))
_DELTA_FILTER = re.compile(r"^\s*receivedDateTime\s+(ge|gt)\s+(\S+)\s*$", re.IGNORECASE)
_CATEGORY_FILTER = re.compile(r"^\s*categories/any\((\w+):\s*\1\s+eq\s+'((?:[^']|'')*)'\)"
                              r"(?:\s+and\s+lastModifiedDateTime\s+(ge|gt)\s+(\S+))?\s*$", re.IGNORECASE)


def register_mail_routes(app: Flask, store: GraphStore) -> None:
    """Add the mail routes to the fake's Flask app (auth and throttling come from its ``before_request``)."""
    from sandbox.graph.app import _asked_page, graph_error, ok  # app.py registers us: import at call time

    mail: MailStore = store.mail

    def no_user(user: str) -> Response:
        return graph_error(404, "ErrorInvalidUser", f"The requested user '{user}' is invalid.")

    def missing() -> Response:
        return graph_error(404, "ErrorItemNotFound", "The specified object was not found in the store.")

    def bad_select() -> Response | None:
        unknown = [p for p in _select() if p not in MESSAGE_PROPERTIES]
        if unknown:
            return graph_error(400, "RequestBroker--ParseUri",
                               f"Could not find a property named '{unknown[0]}' on type 'microsoft.graph.message'.")
        return None

    def readable(user: str) -> UserMail | Response:
        """The user's mail, or the error for an unknown user or a ``$select`` naming no message property."""
        box = mail.user(user)
        if box is None:
            return no_user(user)
        return bad_select() or box

    @app.route(GRAPH + "/users/<user>/mailFolders", methods=["GET", "POST"])
    def folders(user: str) -> Response:
        box = mail.user(user)
        if box is None:
            return no_user(user)
        root = box.well_known["msgfolderroot"]
        if request.method == "POST":
            body = request.get_json(silent=True)
            name = body.get("displayName") if isinstance(body, dict) else None
            if not isinstance(name, str) or not name.strip():
                return graph_error(400, "ErrorInvalidRequest", "The folder needs a displayName.")
            created = mail.create_folder(user, name)
            if created is None:
                return graph_error(409, "ErrorFolderExists", "A folder with the specified name already exists.")
            return ok(created, 201)
        children = [f for f in box.folders.values() if f["parentFolderId"] == root]
        return ok({"@odata.context": f"{request.host_url}v1.0/$metadata#users('{user}')/mailFolders",
                   "value": [_project(f, _select()) for f in children]})

    @app.get(GRAPH + "/users/<user>/mailFolders/<folder>/messages/delta")
    def message_delta(user: str, folder: str) -> Response:
        if mail.user(user) is None:
            return no_user(user)
        folder_id = mail.folder_id(user, folder)
        if folder_id is None:
            return missing()
        args = request.args
        if "$deltatoken" in args or "$skiptoken" in args:
            state = mail.find(args.get("$deltatoken") or args.get("$skiptoken") or "")
            if state is None or state.folder_id != folder_id:
                return graph_error(410, "syncStateNotFound", "The sync state generation is not found. "
                                   "The delta token is expired and data must be synchronized again.")
            if "$deltatoken" in args:
                state = MessageDelta(state.user, state.folder_id, state.upto, state.select, state.received_from)
                state.pending = mail.collect(state)
        else:
            if "$search" in args or "$orderby" in args:
                return graph_error(400, "ErrorInvalidUrlQuery", "$search and $orderby are not supported by delta.")
            refused = bad_select()
            if refused is not None:
                return refused
            received = ""
            if "$filter" in args:
                match = _DELTA_FILTER.match(args["$filter"])
                if match is None:
                    return graph_error(400, "ErrorInvalidUrlQueryFilter", "The only supported filter on message "
                                       "delta is receivedDateTime ge|gt {value}.")
                received = match.group(2)
            state = MessageDelta(user, folder_id, 0, args.get("$select", ""), received)
            state.pending = mail.collect(state)
        page = max(1, _asked_page() or DEFAULT_PAGE)
        chunk, rest = state.pending[:page], state.pending[page:]
        base = f"{request.host_url.rstrip('/')}{request.path}"
        fields = [s for s in state.select.split(",") if s]
        body: dict[str, Any] = {"@odata.context": f"{request.host_url}v1.0/$metadata#Collection(message)",
                                "value": [m if "@removed" in m else _project(m, fields) for m in chunk]}
        if rest:
            nxt = MessageDelta(state.user, state.folder_id, state.since, state.select, state.received_from, rest,
                               state.upto)
            body["@odata.nextLink"] = base + "?" + urlencode({"$skiptoken": mail.keep(nxt)})
        else:
            done = MessageDelta(state.user, state.folder_id, state.upto, state.select, state.received_from, [],
                                state.upto)
            body["@odata.deltaLink"] = base + "?" + urlencode({"$deltatoken": mail.keep(done)})
        return ok(body, headers={"Preference-Applied": f"odata.maxpagesize={page}"} if _asked_page() else None)

    @app.get(GRAPH + "/users/<user>/messages")
    def list_messages(user: str) -> Response:
        box = readable(user)
        if isinstance(box, Response):
            return box
        found = list(box.messages.values())
        if "$filter" in request.args:
            match = _CATEGORY_FILTER.match(request.args["$filter"])
            if match is None:
                return graph_error(400, "ErrorInvalidUrlQueryFilter",
                                   "The query filter contains one or more invalid nodes.")
            wanted = match.group(2).replace("''", "'")
            found = [m for m in found if wanted in m["categories"] and _after(m, match.group(3), match.group(4))]
        found.sort(key=lambda m: m["receivedDateTime"], reverse=True)
        try:
            top, skip = int(request.args.get("$top", DEFAULT_PAGE)), int(request.args.get("$skip", 0))
        except ValueError:
            return graph_error(400, "BadRequest", "$top and $skip must be integers.")
        top = max(1, min(top, 1000))
        body: dict[str, Any] = {"value": [_project(m, _select()) for m in found[skip:skip + top]]}
        if skip + top < len(found):
            query = {k: v for k, v in request.args.items() if k != "$skip"} | {"$skip": str(skip + top)}
            body["@odata.nextLink"] = f"{request.host_url.rstrip('/')}{request.path}?" + urlencode(query)
        return ok(body)

    @app.get(GRAPH + "/users/<user>/messages/<message_id>")
    def one_message(user: str, message_id: str) -> Response:
        box = readable(user)
        if isinstance(box, Response):
            return box
        message = box.messages.get(message_id)
        if message is None:
            return missing()
        if not _select() or "body" in _select():
            mail.body_reads.append(message_id)
        return ok(_project(message, _select()))

    @app.route(GRAPH + "/users/<user>/outlook/masterCategories", methods=["GET", "POST"])
    def master_categories(user: str) -> Response:
        box = mail.user(user)
        if box is None:
            return no_user(user)
        if request.method == "GET":
            return ok({"value": list(box.categories)})
        body = request.get_json(silent=True)
        name = body.get("displayName") if isinstance(body, dict) else None
        if not isinstance(name, str) or not name.strip():
            return graph_error(400, "ErrorInvalidRequest", "The category needs a displayName.")
        created = mail.add_category(user, name, str(body.get("color") or "preset0"))
        if created is None:
            return graph_error(409, "ErrorDuplicateCategory", f"A category named '{name}' already exists.")
        return ok(created, 201)


def _select() -> list[str]:
    return [s.strip() for s in request.args.get("$select", "").split(",") if s.strip()]


def _project(item: Message, fields: list[str]) -> Message:
    """``$select``-ed properties plus ``id``/``@odata.etag``; without ``$select``, the default set
    (``internetMessageHeaders`` is returned only when selected)."""
    if not fields:
        out = {k: v for k, v in item.items() if k != "internetMessageHeaders"}
    else:
        keep = set(fields) | {"id", "@odata.etag", "@odata.type"}
        out = {k: v for k, v in item.items() if k in keep}
    if "body" in out:
        out["body"] = body_as(out["body"], asked_body_type(request.headers.get("Prefer", "")))
    return out


def _after(message: Message, operator: str | None, value: str | None) -> bool:
    if not operator or not value:
        return True
    modified, bound = instant(message["lastModifiedDateTime"]), instant(value)
    return modified >= bound if operator.lower() == "ge" else modified > bound

