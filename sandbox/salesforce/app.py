"""The WSGI application: OAuth endpoints, identity, and the versioned REST API.

Every REST call (not OAuth/identity) counts once against the org's daily allocation and
carries `Sforce-Limit-Info: api-usage=N/M`; a composite counts once however many
subrequests it has.
"""
from __future__ import annotations

import json
import re
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus

from werkzeug.wrappers import Request, Response

from .api import ApiRequest, ApiResponse, dispatch
from .dml import Ctx
from .errors import ApiError, invalid_session
from .faults import fault_body
from .oauth import OAuthError, Session

if TYPE_CHECKING:
    from .emulator import SalesforceEmulator

MAX_URI = 16_384
_API = re.compile(r"^/services/data/v(\d+\.\d+)(/.*)?$")
_COMETD = re.compile(r"^/cometd/(?:replay/)?(\d+\.\d+)(/.*)?$")
_ID_URL = re.compile(r"^/id/(00D\w{12,15})/(005\w{12,15})/?$")
VERSIONS = ["58.0", "59.0", "60.0", "61.0", "62.0", "63.0", "64.0"]


def _json(status: int, body: Any, headers: dict[str, str] | None = None) -> Response:
    data = "" if body is None else json.dumps(body)
    resp = Response(data, status=status, headers=headers or {},
                    content_type=None if body is None else "application/json;charset=UTF-8")
    if body is None:
        resp.headers.pop("Content-Type", None)
    return resp


class EmulatorApp:
    """WSGI callable serving one emulator (all orgs share the host, like a pod)."""

    def __init__(self, emu: SalesforceEmulator) -> None:
        self.emu = emu

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        request = Request(environ)
        if self.emu.faults.latency_ms:
            time.sleep(self.emu.faults.latency_ms / 1000)
        uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or request.full_path
        if len(uri) > MAX_URI:
            html = "<html><body><h1>414 Request-URI Too Long</h1></body></html>"
            return Response(html, 414, content_type="text/html")(environ, start_response)
        return self.route(request)(environ, start_response)

    def route(self, request: Request) -> Response:
        path = request.path
        if path.startswith("/services/oauth2/"):
            return self.oauth(request, path.rsplit("/", 1)[-1])
        if (m := _ID_URL.match(path)):
            return self.identity(request, m.group(1), m.group(2))
        if path.rstrip("/") == "/services/data":
            return _json(200, [{"label": f"v{v}", "url": f"/services/data/v{v}", "version": v}
                               for v in VERSIONS])
        if (m := _API.match(path)):
            return self.api(request, m.group(1), m.group(2) or "/")
        if _COMETD.match(path):
            return self.streaming(request)
        return _json(404, [{"errorCode": "NOT_FOUND",
                            "message": "The requested resource does not exist"}])

    # ---- OAuth ----------------------------------------------------------------------
    def oauth(self, request: Request, action: str) -> Response:
        oauth = self.emu.oauth
        params = {**request.args.to_dict(), **request.form.to_dict()}
        try:
            if action == "authorize":
                org_id, user_id = self.emu.login_user(params.get("login_hint"))
                return Response(status=302, headers={"Location": oauth.authorize(
                    params, org_id, user_id)})
            if action == "token" and request.method == "POST":
                if params.get("grant_type") == "refresh_token" and self.emu.faults.take_refresh_refusal():
                    raise OAuthError("invalid_grant", "expired access/refresh token")
                return _json(200, oauth.token(params))
            if action == "revoke":
                if not oauth.revoke(params.get("token", "")):
                    raise OAuthError("unsupported_token_type", "this token type is not supported")
                return Response(status=200)
            if action == "userinfo":
                session = self._bearer(request)
                if session is None:
                    return Response("Bad_OAuth_Token", 403)
                return _json(200, self.emu.userinfo(session.org_id, session.user_id))
        except OAuthError as err:
            return _json(err.status, err.body())
        return _json(404, [{"errorCode": "NOT_FOUND",
                            "message": "The requested resource does not exist"}])

    def _bearer(self, request: Request) -> Session | None:
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() not in ("bearer", "oauth"):
            token = request.args.get("oauth_token", "")
        return self.emu.oauth.session(token.strip()) if token else None

    def identity(self, request: Request, org_id: str, user_id: str) -> Response:
        session = self._bearer(request)
        if session is None:
            return Response("Bad_OAuth_Token", 403)
        if session.org_id[:15] != org_id[:15]:
            return Response("Bad_Id", 403)
        try:
            return _json(200, self.emu.identity(session.org_id, user_id))
        except KeyError:
            return Response("Bad_Id", 403)

    # ---- REST API -----------------------------------------------------------------------
    def api(self, request: Request, version: str, rest: str) -> Response:
        emu = self.emu
        status = emu.faults.take_failure(f"{rest} {request.args.get('q', '')}")
        if status is not None:
            return _json(status, fault_body(status))
        session = self._bearer(request)
        if session is None or session.org_id not in emu.orgs:
            return _json(401, invalid_session().body())
        with emu.lock:
            org = emu.orgs[session.org_id]
            if org.api_calls >= org.daily_api_max:
                err = ApiError(403, "REQUEST_LIMIT_EXCEEDED", "TotalRequests Limit exceeded.")
                return _json(403, err.body(), self._usage(org))
            org.api_calls += 1
            emu.record_request(session.org_id, unquote_plus(
                f"{request.method} {rest} {request.query_string.decode('latin-1')} "
                f"{(request.get_data() or b'').decode('utf-8', 'replace')}"))
            ctx = Ctx(org, session.user_id, emu.now(), emu.faults, version)
            req = ApiRequest(request.method, rest, request.args.to_dict(),
                             request.get_data() or None,
                             {k.lower(): v for k, v in request.headers.items()})
            result: ApiResponse = dispatch(ctx, req)
            org.store.clear_journal()
            if request.method != "GET":
                emu.mark_dirty()
            headers = {**result.headers, **self._usage(org)}
        return _json(result.status, result.body, headers)

    # ---- Streaming API (CometD) -----------------------------------------------------------
    def streaming(self, request: Request) -> Response:
        """A batch of Bayeux messages (a JSON object or array) POSTed to /cometd/{version}."""
        if request.method != "POST":
            return _json(405, [{"errorCode": "METHOD_NOT_ALLOWED", "message": "HTTP Method 'GET' not allowed."}])
        try:
            body = json.loads(request.get_data() or b"null")
        except ValueError:
            return _json(400, [{"channel": None, "successful": False, "error": "400::Invalid JSON"}])
        messages = body if isinstance(body, list) else [body] if isinstance(body, dict) else []
        if not messages or not all(isinstance(m, dict) for m in messages):
            return _json(400, [{"channel": None, "successful": False, "error": "400::Invalid message"}])
        session = self._bearer(request)
        known = session is not None and session.org_id in self.emu.orgs
        status, replies = self.emu.cometd.handle(session.org_id if known and session else None,
                                                 session.user_id if known and session else None, messages)
        return _json(status, replies)

    @staticmethod
    def _usage(org: Any) -> dict[str, str]:
        return {"Sforce-Limit-Info": f"api-usage={org.api_calls}/{org.daily_api_max}"}
