"""The fake's People API v1 routes (people.v1 discovery document: rootUrl + ``v1/…``), on the same
loopback host and token endpoint as Calendar; a token needs the ``contacts`` scope.

* ``GET /v1/people/me/connections`` (people.connections.list): ``personFields`` required, ``pageSize``
  ≤ 1000, ``pageToken``, ``requestSyncToken`` → ``nextSyncToken`` on the last page, ``syncToken`` →
  changes only, deleted contacts as ``metadata.deleted``; an expired token is 400
  FAILED_PRECONDITION with ErrorInfo reason ``EXPIRED_SYNC_TOKEN``
  (https://developers.google.com/people/api/rest/v1/people.connections/list).
* ``GET /v1/people:batchGet`` (≤ 200 ``resourceNames``, one PersonResponse each),
  ``POST /v1/people:batchCreateContacts`` (≤ 200), ``:batchUpdateContacts`` (≤ 200, etag required,
  ``updateMask``), ``:batchDeleteContacts`` (≤ 500), ``DELETE /v1/people/{id}:deleteContact``.
* ``GET/POST /v1/contactGroups`` and ``POST /v1/contactGroups/{id}/members:modify``.
Errors carry Google's JSON error body (code, message, status, details).
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, request

from sandbox.google.contacts_store import CONTACTS_SCOPES, PERSON_FIELDS, ContactBooks, public
from sandbox.google.store import ApiError, GoogleStore, decode_token, encode_token

STATUS = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
          409: "ALREADY_EXISTS", 429: "RESOURCE_EXHAUSTED"}
MAX_PAGE, DEFAULT_PAGE = 1000, 100
MAX_BATCH, MAX_DELETE = 200, 500


def error_answer(error: ApiError) -> Response:
    status = "FAILED_PRECONDITION" if error.reason in ("failedPrecondition", "EXPIRED_SYNC_TOKEN") else \
        STATUS.get(error.status, "UNKNOWN")
    body: dict[str, Any] = {"code": error.status, "message": error.message, "status": status}
    if error.reason == "EXPIRED_SYNC_TOKEN":
        body["details"] = [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "EXPIRED_SYNC_TOKEN",
                            "domain": "people.googleapis.com"}]
    answer = Response(json.dumps({"error": body}), error.status, content_type="application/json; charset=UTF-8")
    if error.retry_after is not None:
        answer.headers["Retry-After"] = str(error.retry_after)
    return answer


def add_people_routes(app: Flask, store: GoogleStore) -> None:
    books: ContactBooks = store.contacts

    def api(handler: Callable[..., Any]) -> Callable[..., Response]:
        def wrapped(**kwargs: Any) -> Response:
            with store.lock:
                refusal = store.quota_refusal("Quota exceeded", request.method, request.path)
            if refusal is not None:
                return error_answer(refusal)
            auth = request.headers.get("Authorization", "")
            user, scopes = store.tokens.get(auth.removeprefix("Bearer ").strip(), ("", frozenset()))
            if not auth.startswith("Bearer ") or not user:
                return error_answer(ApiError(401, "authError", "Request had invalid authentication credentials."))
            if not scopes & CONTACTS_SCOPES:
                return error_answer(ApiError(403, "insufficientPermissions",
                                             "Request had insufficient authentication scopes."))
            try:
                answer = handler(user, **kwargs)
            except ApiError as exc:
                return error_answer(exc)
            return answer if isinstance(answer, Response) else Response(
                json.dumps(answer), 200, content_type="application/json; charset=UTF-8")
        wrapped.__name__ = "people_" + handler.__name__
        return wrapped

    @app.get("/v1/people/me/connections")
    @api
    def connections(user: str) -> dict[str, Any]:
        args = request.args
        fields = _person_fields(args.get("personFields"))
        size = int(args.get("pageSize") or DEFAULT_PAGE)
        if not 1 <= size <= MAX_PAGE:
            raise ApiError(400, "badRequest", "pageSize must be between 1 and 1000.")
        if args.get("pageToken"):
            state = decode_token(args["pageToken"])
            if state is None or state.get("u") != user:
                raise ApiError(400, "badRequest", "Page token is invalid.")
        else:
            state = {"u": user, "since": None, "snapshot": books.last_seq, "offset": 0,
                     "want": args.get("requestSyncToken", "false").lower() == "true"}
            if args.get("syncToken"):
                token = decode_token(args["syncToken"])
                if token is None or token.get("u") != user or token.get("e") != books.epoch:
                    raise ApiError(400, "EXPIRED_SYNC_TOKEN", "Sync token is expired. Clear local cache and retry "
                                   "call without the sync token.")
                state.update(since=token["s"], want=True)
        people = [p for p in books.listing(user, state["since"]) if p["_seq"] <= state["snapshot"]]
        offset = int(state["offset"])
        body: dict[str, Any] = {"connections": [public(p, fields) for p in people[offset:offset + size]],
                                "totalPeople": len(people), "totalItems": len(people)}
        if offset + size < len(people):
            body["nextPageToken"] = encode_token({**state, "offset": offset + size})
        elif state["want"]:
            body["nextSyncToken"] = encode_token({"u": user, "s": state["snapshot"], "e": books.epoch})
        return body

    @app.get("/v1/people:batchGet")
    @api
    def batch_get(user: str) -> dict[str, Any]:
        fields = _person_fields(request.args.get("personFields"))
        names = request.args.getlist("resourceNames")
        if not 1 <= len(names) <= MAX_BATCH:
            raise ApiError(400, "badRequest", "resourceNames must name between 1 and 200 people.")
        out = []
        for name in names:
            try:
                out.append({"requestedResourceName": name, "httpStatusCode": 200, "status": {},
                            "person": public(books.get(user, name), fields)})
            except ApiError as exc:
                out.append({"requestedResourceName": name, "httpStatusCode": exc.status,
                            "status": {"code": 5 if exc.status == 404 else 3,
                                                                    "message": exc.message}})
        return {"responses": out}

    @app.post("/v1/people:batchCreateContacts")
    @api
    def batch_create(user: str) -> dict[str, Any]:
        body = _json()
        contacts = body.get("contacts") or []
        fields = _person_fields(body.get("readMask"), "readMask")
        if not 1 <= len(contacts) <= MAX_BATCH:
            raise ApiError(400, "badRequest", "contacts must hold between 1 and 200 entries.")
        books.batch_calls.append("batchCreateContacts")
        made = [books.create(user, dict(c.get("contactPerson") or {})) for c in contacts]
        return {"createdPeople": [{"httpStatusCode": 200, "requestedResourceName": p["resourceName"],
                                   "person": public(p, fields)} for p in made]}

    @app.post("/v1/people:batchUpdateContacts")
    @api
    def batch_update(user: str) -> dict[str, Any]:
        body = _json()
        contacts = body.get("contacts") or {}
        fields = _person_fields(body.get("readMask"), "readMask")
        if not isinstance(contacts, dict) or not 1 <= len(contacts) <= MAX_BATCH:
            raise ApiError(400, "badRequest", "contacts must map between 1 and 200 resource names to people.")
        books.batch_calls.append("batchUpdateContacts")
        with books.lock:       # all or nothing, as one request
            for name, person in contacts.items():
                current = books.get(user, name)
                if dict(person).get("etag") != current["etag"]:
                    raise ApiError(400, "failedPrecondition", f"Request person.etag is different than the current "
                                   f"person.etag for {name}. Clear local cache and get the latest person.")
            done = {name: books.update(user, name, dict(person), str(body.get("updateMask") or ""))
                    for name, person in contacts.items()}
        return {"updateResult": {name: {"httpStatusCode": 200, "requestedResourceName": name,
                                        "person": public(p, fields)} for name, p in done.items()}}

    @app.post("/v1/people:batchDeleteContacts")
    @api
    def batch_delete(user: str) -> dict[str, Any]:
        names = _json().get("resourceNames") or []
        if not 1 <= len(names) <= MAX_DELETE:
            raise ApiError(400, "badRequest", "resourceNames must name between 1 and 500 contacts.")
        books.batch_calls.append("batchDeleteContacts")
        with books.lock:
            for name in names:
                books.get(user, name)          # any unknown one fails the whole request (404)
            for name in names:
                books.delete(user, name)
        return {}

    @app.delete("/v1/people/<person_id>:deleteContact")
    @api
    def delete_contact(user: str, person_id: str) -> dict[str, Any]:
        books.delete(user, "people/" + person_id)
        return {}

    @app.get("/v1/contactGroups")
    @api
    def list_groups(user: str) -> dict[str, Any]:
        groups = books.groups(user)
        return {"contactGroups": groups, "totalItems": len(groups)}

    @app.post("/v1/contactGroups")
    @api
    def create_group(user: str) -> dict[str, Any]:
        return books.create_group(user, str((_json().get("contactGroup") or {}).get("name") or ""))

    @app.post("/v1/contactGroups/<group_id>/members:modify")
    @api
    def modify_members(user: str, group_id: str) -> dict[str, Any]:
        body = _json()
        books.modify_members(user, "contactGroups/" + group_id, list(body.get("resourceNamesToAdd") or []),
                             list(body.get("resourceNamesToRemove") or []))
        return {}



def _person_fields(text: str | None, name: str = "personFields") -> frozenset[str]:
    """The mask the request names (required on every read and batch write)."""
    wanted = frozenset(f for f in (text or "").split(",") if f)
    if not wanted:
        raise ApiError(400, "badRequest", f"{name} is required. Please specify one or more valid paths.")
    return wanted & (PERSON_FIELDS | {"metadata"})


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "badRequest", "Invalid JSON payload received.")
    return body
