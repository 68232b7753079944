"""Google's OAuth 2.0 for web server applications, as the fake answers it (per-user sign-in).

Follows "Using OAuth 2.0 for Web Server Applications" (developers.google.com/identity/protocols/oauth2/web-server)
and RFC 7636 (PKCE):

* ``GET /o/oauth2/v2/auth`` (accounts.google.com in production): checks ``client_id``, ``redirect_uri``
  (registered for the client), ``response_type=code``, a non-empty ``scope`` and the PKCE challenge
  (``S256``), then consents at once as the browser's user (``login_hint``, or ``browser_user`` when a
  test sets it) and redirects to ``redirect_uri?state=..&code=..&scope=..`` - or ``error=access_denied``
  when ``deny_next`` is set. Google asks for consent again (and only then returns a refresh token)
  when ``prompt=consent`` is sent or the user never consented to this client.
* ``POST /token`` with ``grant_type=authorization_code`` (code used once, same ``redirect_uri``,
  ``code_verifier`` matching the challenge: else ``invalid_grant``) or ``refresh_token``
  (``invalid_grant`` "Token has been expired or revoked." once revoked); a wrong client secret is
  401 ``invalid_client``. The ``id_token`` carries ``email``/``sub`` (``openid email`` scopes).
  Google does not rotate refresh tokens; ``rotate_refresh_tokens`` makes the fake do so (as RFC 6749
  section 6 allows), retiring the old one, to prove the product keeps the new one.
* ``POST /revoke`` (oauth2.googleapis.com/revoke): ``token`` = a refresh or access token; 200, or
  400 ``invalid_token``.
"""
from __future__ import annotations

import base64
import hashlib
import json
import secrets
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from flask import Flask, Response, redirect, request

USER_GRANTS = ("authorization_code", "refresh_token")
ISSUER = "https://accounts.google.com"


@dataclass
class UserGrant:
    client_id: str
    user: str
    scopes: frozenset[str]


@dataclass
class UserOAuthState:
    """OAuth clients (web application credentials) and what users granted them."""

    clients: dict[str, tuple[str, frozenset[str]]] = field(default_factory=dict)  # id → (secret, redirect URIs)
    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh_tokens: dict[str, UserGrant] = field(default_factory=dict)
    consented: set[tuple[str, str]] = field(default_factory=set)                 # (client id, user)
    browser_user: str | None = None
    deny_next: bool = False
    rotate_refresh_tokens: bool = False
    authorize_requests: list[dict[str, str]] = field(default_factory=list)

    def register_client(self, redirect_uris: tuple[str, ...]) -> tuple[str, str]:
        """A new web-application OAuth client: (client id, client secret)."""
        client_id = f"{secrets.randbelow(10**12):012d}-{secrets.token_hex(8)}.apps.googleusercontent.com"
        secret = "GOCSPX-" + secrets.token_urlsafe(21)
        self.clients[client_id] = (secret, frozenset(redirect_uris))
        return client_id, secret

    def revoke_user(self, user: str) -> int:
        """The user removed the app's access (myaccount.google.com → Security): every refresh token dies."""
        gone = [t for t, g in self.refresh_tokens.items() if g.user == user.lower()]
        for token in gone:
            del self.refresh_tokens[token]
        self.consented = {c for c in self.consented if c[1] != user.lower()}
        return len(gone)


def add_user_oauth_endpoints(app: Flask, store: Any) -> None:
    state: UserOAuthState = store.user_oauth

    @app.get("/o/oauth2/v2/auth")
    def authorize() -> Any:
        args = request.args.to_dict()
        state.authorize_requests.append(args)
        client = state.clients.get(args.get("client_id", ""))
        if client is None:
            return _page(401, "Error 401: invalid_client", "The OAuth client was not found.")
        if args.get("redirect_uri") not in client[1]:
            return _page(400, "Error 400: redirect_uri_mismatch", "The redirect URI is not registered for the client.")
        back = args["redirect_uri"]
        if args.get("response_type") != "code":
            return redirect(f"{back}?{urlencode({'error': 'unsupported_response_type', 'state': args.get('state', '')})}")
        if not args.get("scope") or args.get("code_challenge_method") != "S256" or not args.get("code_challenge"):
            return redirect(f"{back}?{urlencode({'error': 'invalid_request', 'state': args.get('state', '')})}")
        user = (state.browser_user or args.get("login_hint") or "").lower()
        if state.deny_next or user not in store.calendars:
            state.deny_next = False
            return redirect(f"{back}?{urlencode({'error': 'access_denied', 'state': args.get('state', '')})}")
        scopes = frozenset(args["scope"].split())
        if args.get("include_granted_scopes") == "true":
            scopes |= frozenset().union(*(g.scopes for g in state.refresh_tokens.values()
                                          if g.user == user and g.client_id == args["client_id"]))
        code = "4/0A" + secrets.token_urlsafe(40)
        state.codes[code] = {"client_id": args["client_id"], "redirect_uri": back, "user": user, "scopes": scopes,
                             "challenge": args["code_challenge"], "expires": time.time() + 600,
                             "consent": args.get("prompt") == "consent"
                             or (args["client_id"], user) not in state.consented}
        state.consented.add((args["client_id"], user))
        return redirect(f"{back}?{urlencode({'state': args.get('state', ''), 'code': code, 'scope': ' '.join(sorted(scopes))})}")

    @app.post("/revoke")
    def revoke() -> Response:
        token = request.form.get("token") or request.args.get("token") or ""
        with store.lock:
            if state.refresh_tokens.pop(token, None) is None and store.tokens.pop(token, None) is None:
                return _json({"error": "invalid_token", "error_description": "Token expired or revoked"}, 400)
        return _json({})


def user_token(store: Any, form: Any) -> Response:
    """The token endpoint's answer to the two user grants (the service-account grant stays in app.py)."""
    state: UserOAuthState = store.user_oauth
    client = state.clients.get(form.get("client_id", ""))
    if client is None or form.get("client_secret") != client[0]:
        return _json({"error": "invalid_client", "error_description": "Unauthorized"}, 401)
    with store.lock:
        if form.get("grant_type") == "authorization_code":
            return _redeem_code(store, state, form)
        grant = state.refresh_tokens.get(form.get("refresh_token", ""))
        if grant is None or grant.client_id != form["client_id"]:
            return _json({"error": "invalid_grant", "error_description": "Token has been expired or revoked."}, 400)
        body = _access(store, grant)
        if state.rotate_refresh_tokens:
            del state.refresh_tokens[form["refresh_token"]]
            body["refresh_token"] = _new_refresh_token(state, grant)
        return _json(body)


def _redeem_code(store: Any, state: UserOAuthState, form: Any) -> Response:
    pending = state.codes.pop(form.get("code", ""), None)
    if pending is None or pending["client_id"] != form["client_id"] or pending["expires"] < time.time():
        return _json({"error": "invalid_grant", "error_description": "Bad Request"}, 400)
    if form.get("redirect_uri") != pending["redirect_uri"]:
        return _json({"error": "redirect_uri_mismatch", "error_description": "Bad Request"}, 400)
    verifier = form.get("code_verifier", "")
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    if not verifier or challenge != pending["challenge"]:
        return _json({"error": "invalid_grant", "error_description": "Invalid code verifier."}, 400)
    grant = UserGrant(pending["client_id"], pending["user"], pending["scopes"])
    body = _access(store, grant)
    if pending["consent"]:        # Google returns a refresh token only with the consent that granted it
        body["refresh_token"] = _new_refresh_token(state, grant)
    if "openid" in grant.scopes:
        body["id_token"] = _id_token(grant)
    return _json(body)


def _access(store: Any, grant: UserGrant) -> dict[str, Any]:
    return {"access_token": store.issue_token(grant.user, grant.scopes), "expires_in": 3599,
            "scope": " ".join(sorted(grant.scopes)), "token_type": "Bearer"}


def _new_refresh_token(state: UserOAuthState, grant: UserGrant) -> str:
    token = "1//0" + secrets.token_urlsafe(48)
    state.refresh_tokens[token] = grant
    return token


def _id_token(grant: UserGrant) -> str:
    """An OpenID Connect ID token (its RS256 signature is not checked by a client that got it straight
    from the token endpoint over TLS: OpenID Connect Core 1.0 section 3.1.3.7)."""
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": grant.client_id, "azp": grant.client_id,
              "sub": str(int(hashlib.sha256(grant.user.encode()).hexdigest()[:15], 16)),
              "email": grant.user, "email_verified": True, "iat": now, "exp": now + 3600}
    parts = [{"alg": "RS256", "kid": "fake", "typ": "JWT"}, claims]
    encoded = [base64.urlsafe_b64encode(json.dumps(p).encode()).rstrip(b"=").decode() for p in parts]
    return ".".join([*encoded, base64.urlsafe_b64encode(secrets.token_bytes(256)).rstrip(b"=").decode()])


def _json(body: dict[str, Any], status: int = 200) -> Response:
    return Response(json.dumps(body), status, content_type="application/json; charset=utf-8")


def _page(status: int, title: str, text: str) -> Response:
    return Response(f"<html><body><h1>{title}</h1><p>{text}</p></body></html>", status, content_type="text/html")
