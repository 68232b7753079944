"""The fake's HTTP surface, shaped by the discovery document google-api-python-client ships
(``calendar.v3.json``: rootUrl + ``calendar/v3/``) and Google's OAuth 2.0 service-account flow.

* ``POST /token``: the JWT-bearer grant (RFC 7523) a service account sends; the assertion's RS256
  signature is checked against the registered key, ``sub`` is the delegated user, ``scope`` must be
  granted to the client id (domain-wide delegation) - else ``invalid_grant`` / ``unauthorized_client``.
* ``events.list`` (singleEvents=false): ``pageToken``/``nextPageToken``, ``nextSyncToken`` on the last page,
  ``syncToken`` (always with deleted entries; 410 ``fullSyncRequired`` once expired), ``showDeleted``,
  ``timeMin``/``timeMax``, ``privateExtendedProperty``, ``iCalUID``, ``maxResults`` ≤ 2500.
* ``events.get/insert/patch/update/delete/instances`` with ``If-Match`` (412 ``conditionNotMet``) and
  ``sendUpdates`` (only ``all``/``externalOnly`` mail guests: the store's outbox).
* Errors in Google's JSON error format; quota: 403/429 ``rateLimitExceeded``.
* ``POST /batch/calendar/v3`` (batch.py): multipart/mixed, at most 50 parts.
* Gmail v1 (gmail_app.py, gmail_store.py); Tasks v1 (tasks_app.py, tasks_store.py).
"""
from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from flask import Flask, Response, request

from sandbox.google.batch import BATCH_PART, add_batch_endpoint
from sandbox.google.gmail_app import add_gmail_routes
from sandbox.google.partial_response import BadMask, apply_mask, parse_mask
from sandbox.google.people import add_people_routes
from sandbox.google.store import ApiError, GoogleStore, decode_token, encode_token
from sandbox.google.tasks_app import add_tasks_routes
from sandbox.google.user_oauth import USER_GRANTS, add_user_oauth_endpoints, user_token

API = "/calendar/v3/calendars/<calendar_id>/events"
JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
# "Using OAuth 2.0 for Server to Server Applications": the assertion's aud "is always" this URL,
# whichever host the token request is sent to.
AUDIENCE = "https://oauth2.googleapis.com/token"
MAX_PAGE, DEFAULT_PAGE = 2500, 250
SYNC_TOKEN_EXCLUSIVE = ("iCalUID", "orderBy", "privateExtendedProperty", "q", "sharedExtendedProperty", "timeMin",
                        "timeMax", "updatedMin")
STATUS_NAMES = {400: "INVALID_ARGUMENT", 401: "UNAUTHENTICATED", 403: "PERMISSION_DENIED", 404: "NOT_FOUND",
                409: "ALREADY_EXISTS", 410: "GONE", 412: "FAILED_PRECONDITION", 429: "RESOURCE_EXHAUSTED"}


def api_error(error: ApiError) -> Response:
    body = {"error": {"errors": [{"domain": error.domain, "reason": error.reason, "message": error.message}],
                      "code": error.status, "message": error.message, "status": STATUS_NAMES.get(error.status, "UNKNOWN")}}
    return with_retry_after(Response(json.dumps(body), error.status, content_type="application/json; charset=UTF-8"),
                            error)


def with_retry_after(answer: Response, error: ApiError) -> Response:
    if error.retry_after is not None:
        answer.headers["Retry-After"] = str(error.retry_after)
    return answer


def ok(body: Any, status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json; charset=UTF-8")


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    return Response(json.dumps({"error": error, "error_description": description}), status,
                    content_type="application/json")


def create_app(store: GoogleStore) -> Flask:
    app = Flask("google-fake")
    add_user_oauth_endpoints(app, store)

    @app.after_request
    def partial_response(answer: Response) -> Response:
        """``fields=``: only the fields asked for, on every API's successful JSON answer."""
        mask = request.args.get("fields")
        if not mask or answer.status_code != 200 or not answer.is_json:
            return answer
        try:
            kept = apply_mask(answer.get_json(), parse_mask(mask))
        except BadMask as exc:
            return api_error(ApiError(400, "invalidParameter", str(exc)))
        answer.set_data(json.dumps(kept))
        return answer

    @app.before_request
    def injected_latency() -> None:
        """The bench's network delay, once per HTTP call: a batch's parts ride on their batch's."""
        if store.latency and not request.environ.get(BATCH_PART):
            time.sleep(store.latency)

    @app.post("/token")
    def token() -> Response:
        with store.lock:
            store.token_requests += 1
        if request.form.get("grant_type") in USER_GRANTS:
            return user_token(store, request.form)
        if request.form.get("grant_type") != JWT_BEARER:
            return oauth_error("unsupported_grant_type", "Invalid grant_type: " + str(request.form.get("grant_type")))
        claims = _verified_claims(store, request.form.get("assertion", ""))
        if isinstance(claims, Response):
            return claims
        scopes = frozenset(str(claims.get("scope") or "").split())
        account = store.accounts[str(claims["iss"])]
        if not scopes or not scopes <= account.scopes:
            return oauth_error("unauthorized_client", "Client is unauthorized to retrieve access tokens using this "
                               "method, or client not authorized for any of the scopes requested.", 401)
        user = str(claims.get("sub") or "").lower()
        if user not in store.calendars:
            return oauth_error("invalid_grant", "Invalid email or User ID")
        return ok({"access_token": store.issue_token(user, scopes), "expires_in": 3599, "token_type": "Bearer"})

    def api(handler: Callable[..., Response]) -> Callable[..., Response]:
        def wrapped(calendar_id: str, **kwargs: Any) -> Response:
            with store.lock:
                refusal = store.quota_refusal(method=request.method, path=request.path)
            if refusal is not None:
                return api_error(refusal)
            auth = request.headers.get("Authorization", "")
            user, _ = store.tokens.get(auth.removeprefix("Bearer ").strip(), ("", frozenset()))
            if not auth.startswith("Bearer ") or not user:
                return api_error(ApiError(401, "authError", "Invalid Credentials"))
            if calendar_id not in ("primary", user):
                return api_error(ApiError(404, "notFound", "Not Found"))
            try:
                return handler(user, **kwargs)
            except ApiError as exc:
                return api_error(exc)
        wrapped.__name__ = handler.__name__
        return wrapped

    @app.get(API)
    @api
    def list_events(user: str) -> Response:
        args = request.args
        if args.get("singleEvents", "false").lower() == "true":
            raise ApiError(400, "invalid", "singleEvents=true is not supported by this fake")
        size = min(int(args.get("maxResults") or DEFAULT_PAGE), MAX_PAGE)
        if size < 1:
            raise ApiError(400, "invalid", "Invalid value for: maxResults")
        state = _page_state(store, user, args)
        if state["mode"] == "sync":
            entries = store.changed(user, int(state["since"]))
        else:
            entries = store.listing(user, bool(state["deleted"]), _time(state.get("min")), _time(state.get("max")),
                                    state.get("prop") and tuple(state["prop"]), state.get("uid"))
        offset = int(state.get("offset") or 0)
        page = entries[offset:offset + size]
        body: dict[str, Any] = {"kind": "calendar#events", "summary": user, "timeZone": "UTC",
                                "updated": datetime.now().strftime("%Y-%m-%dT%H:%M:%S.000Z"), "items": page}
        if offset + size < len(entries):
            body["nextPageToken"] = encode_token({**state, "offset": offset + size})
        else:
            body["nextSyncToken"] = encode_token({"u": user, "s": state["snapshot"], "e": store.sync_epoch})
        return ok(body)

    @app.post(API)
    @api
    def insert_event(user: str) -> Response:
        return ok(store.insert_event(user, _json_body(), _send_updates()))

    @app.get(API + "/<event_id>")
    @api
    def get_event(user: str, event_id: str) -> Response:
        return ok(store.get_event(user, event_id))

    @app.route(API + "/<event_id>", methods=["PATCH", "PUT"])
    @api
    def patch_event(user: str, event_id: str) -> Response:
        return ok(store.patch_event(user, event_id, _json_body(), request.headers.get("If-Match"), _send_updates(),
                                    replace=request.method == "PUT"))

    @app.delete(API + "/<event_id>")
    @api
    def delete_event(user: str, event_id: str) -> Response:
        store.delete_event(user, event_id, request.headers.get("If-Match"), _send_updates())
        return Response(b"", 204)

    @app.get(API + "/<event_id>/instances")
    @api
    def instances(user: str, event_id: str) -> Response:
        args = request.args
        low = _time(args.get("timeMin")) or datetime.fromisoformat("1970-01-01T00:00:00+00:00")
        high = _time(args.get("timeMax")) or datetime.fromisoformat("2100-01-01T00:00:00+00:00")
        found = store.instances(user, event_id, low, high, args.get("showDeleted", "false").lower() == "true")
        if args.get("originalStart"):
            wanted = args["originalStart"]
            found = [i for i in found if _same_start(i.get("originalStartTime") or {}, wanted)]
        return ok({"kind": "calendar#events", "items": found})

    @app.post(API + "/watch")
    @api
    def watch_events(user: str) -> Response:
        try:
            return ok(store.push.watch(user, _json_body()).shown())
        except KeyError as exc:
            raise ApiError(400, "channelIdNotUnique", str(exc.args[0])) from None
        except ValueError as exc:
            raise ApiError(400, "push.webhookUrlNotHttps" if "HTTPS" in str(exc) else "required", str(exc)) from None

    @app.post("/calendar/v3/channels/stop")
    def stop_channel() -> Response:
        auth = request.headers.get("Authorization", "")
        if not store.tokens.get(auth.removeprefix("Bearer ").strip()):
            return api_error(ApiError(401, "authError", "Invalid Credentials"))
        body = request.get_json(silent=True) or {}
        if not store.push.stop(str(body.get("id") or ""), str(body.get("resourceId") or "")):
            return api_error(ApiError(404, "notFound", f"Channel '{body.get('id')}' not found for project"))
        return Response(b"", 204)

    @app.get("/oauth2/v1/certs")
    def certs() -> Response:
        """The keys Google signs OIDC tokens with (Pub/Sub push tokens among them), as X.509 PEM by key id."""
        answer = ok(store.push.signer.certs())
        answer.headers["Cache-Control"] = "public, max-age=20000, must-revalidate, no-transform"
        return answer

    add_batch_endpoint(app, store, api_error)
    add_people_routes(app, store)
    add_gmail_routes(app, store, api_error)
    add_tasks_routes(app, store, api_error)
    return app


def _page_state(store: GoogleStore, user: str, args: Any) -> dict[str, Any]:
    """Where a listing continues: a page token's state, a sync token's, or a new full listing's."""
    if args.get("pageToken"):
        state = decode_token(args["pageToken"])
        if state is None or state.get("u") != user:
            raise ApiError(400, "invalid", "Invalid page token value.")
        return state
    if args.get("syncToken"):
        clash = [p for p in SYNC_TOKEN_EXCLUSIVE if p in args]
        if clash or args.get("showDeleted", "true").lower() == "false":
            raise ApiError(400, "invalid", "Sync token cannot be used with " + (", ".join(clash) or "showDeleted=false"))
        token = decode_token(args["syncToken"])
        if token is None or token.get("u") != user or token.get("e") != store.sync_epoch:
            raise ApiError(410, "fullSyncRequired", "Sync token is no longer valid, a full sync is required.")
        return {"u": user, "mode": "sync", "since": token["s"], "snapshot": store.last_seq}
    prop = args.get("privateExtendedProperty")
    return {"u": user, "mode": "full", "snapshot": store.last_seq,
            "deleted": args.get("showDeleted", "false").lower() == "true", "min": args.get("timeMin"),
            "max": args.get("timeMax"), "uid": args.get("iCalUID"),
            "prop": prop.split("=", 1) if prop and "=" in prop else None}


def _verified_claims(store: GoogleStore, assertion: str) -> dict[str, Any] | Response:
    try:
        head_b64, claims_b64, signature_b64 = assertion.split(".")
        header, claims = json.loads(_b64(head_b64)), json.loads(_b64(claims_b64))
        signature = _b64(signature_b64)
    except (ValueError, TypeError):
        return oauth_error("invalid_grant", "Invalid JWT: the assertion is not a signed JWT.")
    account = store.accounts.get(str(claims.get("iss")))
    if header.get("alg") != "RS256" or account is None:
        return oauth_error("invalid_grant", "Invalid JWT Signature.")
    try:
        account.public_key.verify(signature, f"{head_b64}.{claims_b64}".encode(), padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        return oauth_error("invalid_grant", "Invalid JWT Signature.")
    now = time.time()
    if claims.get("aud") != AUDIENCE:
        return oauth_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                           "reasonable timeframe. Check your iat and exp values in the JWT claim. (aud)")
    if not (float(claims.get("iat", 0)) - 300 <= now < float(claims.get("exp", 0))) or (
            float(claims.get("exp", 0)) - float(claims.get("iat", 0)) > 3600):
        return oauth_error("invalid_grant", "Invalid JWT: Token must be a short-lived token (60 minutes) and in a "
                           "reasonable timeframe. Check your iat and exp values in the JWT claim.")
    return claims


def _b64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.fromisoformat(str(text).replace("Z", "+00:00"))
    except ValueError:
        raise ApiError(400, "invalid", f"Bad Request: {text!r} is not an RFC 3339 timestamp") from None


def _same_start(original: dict[str, Any], wanted: str) -> bool:
    """``originalStart`` names an occurrence by its RFC 3339 start (all day: its date or that midnight)."""
    if original.get("date"):
        return wanted[:10] == original["date"]
    return _time(original.get("dateTime")) == _time(wanted)


def _send_updates() -> str | None:
    value = request.args.get("sendUpdates")
    if value is None and request.args.get("sendNotifications", "").lower() == "true":
        return "all"
    if value is not None and value not in ("all", "externalOnly", "none"):
        raise ApiError(400, "invalid", f"Invalid value for: sendUpdates: {value}")
    return value


def _json_body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ApiError(400, "parseError", "Parse Error")
    return body
