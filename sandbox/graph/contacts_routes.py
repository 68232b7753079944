"""The fake's Graph v1.0 contact calls, as Microsoft Learn documents them:

- contact folders: ``GET/POST /users/{id}/contactFolders`` (children of the default Contacts folder,
  ``$filter=displayName eq '…'`` compared as Exchange does, case-insensitively; 409 for a taken
  name), ``GET /users/{id}/contactFolders/{id}`` (user-post-contactfolders);
- contacts: list/create in the default folder (``/users/{id}/contacts``) or a folder
  (``/contactFolders/{id}/contacts``), ``$filter`` on ``categories/any(…)`` or a
  ``singleValueExtendedProperties/any(…)``, ``$select``/``$expand``, ``$top`` pages with ``$skip``
  nextLinks (default 10); ``GET/PATCH/DELETE`` by id from any folder (contact-get/-update/-delete);
- ``…/contacts/delta`` per folder (contact-delta): ``Prefer: odata.maxpagesize``, ``@odata.nextLink``
  with ``$skiptoken`` then ``@odata.deltaLink`` with ``$deltatoken``, ``@removed`` for deleted
  contacts, 410 ``syncStateNotFound`` for a token the fake no longer knows.
"""
from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, abort, request

from sandbox.graph.app import _PROP_FILTER, _missing, _no_user, _page_size, _shown, graph_error, ok
from sandbox.graph.contacts_store import ContactBook, ContactDeltaState, ContactStore
from sandbox.graph.store import GraphStore

GRAPH = "/v1.0"
LIST_PAGE = 10
_CATEGORY_FILTER = re.compile(r"categories/any\(\w+:\s*\w+ eq '((?:[^']|'')*)'\)", re.IGNORECASE)
_NAME_FILTER = re.compile(r"displayName eq '((?:[^']|'')*)'", re.IGNORECASE)


def register_contacts(app: Flask, store: GraphStore) -> None:
    contacts = store.contacts
    users = GRAPH + "/users/<user>"

    @app.route(users + "/contactFolders", methods=["GET", "POST"])
    def contact_folders(user: str) -> Response:
        _folder(contacts, user, None)
        if request.method == "POST":
            body = request.get_json(silent=True)
            if not isinstance(body, dict) or not str(body.get("displayName") or "").strip():
                return graph_error(400, "ErrorInvalidRequest", "A contact folder needs a displayName.")
            name = str(body["displayName"])
            if any(f["displayName"].casefold() == name.casefold() for f in contacts.child_folders(user)):
                return graph_error(409, "ErrorFolderExists", "A folder with the specified name already exists.")
            return ok(contacts.create_folder(user, name, body.get("parentFolderId")), 201)
        found = contacts.child_folders(user)
        name = _NAME_FILTER.search(request.args.get("$filter", ""))
        if name:
            found = [f for f in found if f["displayName"].casefold() == name.group(1).replace("''", "'").casefold()]
        return ok({"value": [_shown(f) for f in found]})

    @app.get(users + "/contactFolders/<folder_id>")
    def contact_folder(user: str, folder_id: str) -> Response:
        book, folder_id = _folder(contacts, user, folder_id)
        return ok(_shown(book.folders[folder_id]))

    @app.route(users + "/contacts", methods=["GET", "POST"])
    @app.route(users + "/contactFolders/<folder_id>/contacts", methods=["GET", "POST"])
    def contact_listing(user: str, folder_id: str | None = None) -> Response:
        book, folder_id = _folder(contacts, user, folder_id)
        if request.method == "POST":
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return graph_error(400, "ErrorInvalidRequest", "The request body is not a JSON object.")
            return ok(_shown(contacts.create_contact(user, body, folder_id)), 201)
        found = [c for c in book.contacts.values() if c["parentFolderId"] == folder_id and _matches(c)]
        return _page(found)

    @app.get(users + "/contacts/delta")
    @app.get(users + "/contactFolders/<folder_id>/contacts/delta")
    def contact_delta(user: str, folder_id: str | None = None) -> Response:
        book, folder_id = _folder(contacts, user, folder_id)
        args = request.args
        if "$deltatoken" in args or "$skiptoken" in args:
            state = store.find(args.get("$deltatoken") or args.get("$skiptoken") or "")
            if not isinstance(state, ContactDeltaState) or state.folder_id != folder_id:
                return graph_error(410, "syncStateNotFound", "The sync state generation is not found. "
                                   "The delta token is expired and data must be synchronized again.")
            if "$deltatoken" in args:
                state = ContactDeltaState(state.user, folder_id, state.upto)
                state.pending = contacts.collect(state)
        else:
            state = ContactDeltaState(user, folder_id, 0)
            state.pending = contacts.collect(state)
        page = _page_size()
        chunk, rest = state.pending[:page], state.pending[page:]
        base = f"{request.host_url.rstrip('/')}{request.path}"
        body: dict[str, Any] = {"@odata.context": f"{request.host_url}v1.0/$metadata#Collection(contact)",
                                "value": [c if "@removed" in c else _shown(c) for c in chunk]}
        if rest:
            nxt = ContactDeltaState(state.user, folder_id, state.since, rest, state.upto)
            body["@odata.nextLink"] = base + "?" + urlencode({"$skiptoken": store.keep(nxt)})
        else:
            done = ContactDeltaState(state.user, folder_id, state.upto, [], state.upto)
            body["@odata.deltaLink"] = base + "?" + urlencode({"$deltatoken": store.keep(done)})
        return ok(body)

    @app.route(users + "/contacts/<contact_id>", methods=["GET", "PATCH", "DELETE"])
    @app.route(users + "/contactFolders/<folder_id>/contacts/<contact_id>", methods=["GET", "PATCH", "DELETE"])
    def one_contact(user: str, contact_id: str, folder_id: str | None = None) -> Response:
        book, _ = _folder(contacts, user, None)
        current = book.contacts.get(contact_id)
        if current is None or (folder_id is not None and current["parentFolderId"] != folder_id):
            return _missing()
        if request.method == "DELETE":
            contacts.delete_contact(user, contact_id)
            return Response(status=204)
        if request.method == "PATCH":
            body = request.get_json(silent=True)
            if not isinstance(body, dict):
                return graph_error(400, "ErrorInvalidRequest", "The request body is not a JSON object.")
            current = contacts.update_contact(user, contact_id, body)
        return ok(_shown(current))


def _folder(contacts: ContactStore, user: str, folder_id: str | None) -> tuple[ContactBook, str]:
    """The user's contacts and the folder asked for (the default one when None); 404s otherwise."""
    book = contacts.book(user)
    if book is None:
        abort(_no_user(user))
    folder_id = folder_id or book.default_id
    if folder_id not in book.folders:
        abort(_missing())
    return book, folder_id


def _matches(contact: dict[str, Any]) -> bool:
    """The ``$filter`` forms the fake understands (an unknown one filters nothing out)."""
    text = request.args.get("$filter", "")
    prop, category = _PROP_FILTER.search(text), _CATEGORY_FILTER.search(text)
    if prop and not any(p["id"].lower() == prop.group(1).lower() and p["value"] == prop.group(2)
                        for p in contact.get("singleValueExtendedProperties") or []):
        return False
    return not category or category.group(1).replace("''", "'") in (contact.get("categories") or [])


def _page(found: list[dict[str, Any]]) -> Response:
    """A list page: ``$top`` (default 10) from ``$skip``, with a nextLink while more remain."""
    try:
        top, skip = int(request.args.get("$top", LIST_PAGE)), int(request.args.get("$skip", 0))
    except ValueError:
        return graph_error(400, "BadRequest", "$top and $skip must be integers.")
    body: dict[str, Any] = {"value": [_shown(c) for c in found[skip:skip + top]]}
    if skip + top < len(found):
        args = {**request.args.to_dict(), "$skip": str(skip + top)}
        body["@odata.nextLink"] = f"{request.host_url.rstrip('/')}{request.path}?{urlencode(args)}"
    return ok(body)

