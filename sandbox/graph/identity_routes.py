"""The fake Entra ID's sign-in surface: ``/authorize`` and the token endpoint's four ways in.

Shapes follow Microsoft Learn ("OAuth 2.0 authorization code flow", "client credentials flow",
"certificate credentials", "refresh the access token"): client authentication by ``client_secret``
or a ``client_assertion`` JWT signed with a registered certificate (``x5t#S256``/``x5t`` header,
``aud`` = this token endpoint, ``iss`` = ``sub`` = the client id); codes single use and bound to
``redirect_uri`` and the PKCE challenge; errors as ``{"error", "error_description": "AADSTS…",
"error_codes"}``. The authorize step consents at once for ``browser_user`` (the person signed in at
the browser), so tests follow the redirect without a page.
"""
from __future__ import annotations

import time
from datetime import datetime
from html import escape
from urllib.parse import urlencode

import jwt
from flask import Flask, Response, redirect, request

from sandbox.graph.identity import (
    CODE_SECONDS,
    OIDC_SCOPES,
    REFRESH_REFUSALS,
    TOKEN_SECONDS,
    PendingCode,
    RefreshGrant,
    client_info,
    pkce_matches,
)
from sandbox.graph.store import GraphStore

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


def register_identity(app: Flask, store: GraphStore) -> None:
    """Add the authorize and token endpoints, and keep a user's token inside that user's mailbox."""
    ident = store.identity

    @app.get("/<tenant>/oauth2/v2.0/authorize")
    def authorize(tenant: str) -> Response:
        args = request.args
        client, back, state = args.get("client_id", ""), args.get("redirect_uri", ""), args.get("state", "")
        if not _known(store, client):      # Entra shows its own page here: it never redirects to an unknown app
            return Response(f"AADSTS700016: Application with identifier '{client}' was not found in the directory.",
                            400, content_type="text/plain")
        if not back:
            return Response("AADSTS900144: The request body must contain the following parameter: 'redirect_uri'.",
                            400, content_type="text/plain")
        if args.get("response_type") != "code":
            return _back(back, state, error="unsupported_response_type",
                         error_description="AADSTS70005: response_type 'token' is not enabled for the application.")
        method = args.get("code_challenge_method", "plain")
        if args.get("code_challenge") and method not in ("S256", "plain"):
            return _back(back, state, error="invalid_request",
                         error_description="AADSTS501491: Invalid code_challenge_method.")
        user = ident.browser_user or args.get("login_hint")
        if not user or store.mailbox(user) is None:
            return _back(back, state, error="invalid_request",
                         error_description=f"AADSTS50034: The user account {user or '(none)'} does not exist in "
                                           "the tenant directory.")
        code = ident.new_code(PendingCode(client, back, user.lower(), _granted(ident.scopes_of(client), args.get("scope")),
                                          args.get("code_challenge", ""), method, args.get("nonce", ""),
                                          time.time() + CODE_SECONDS))
        return _back(back, state, code=code, session_state="fake-session")

    @app.post("/<tenant>/oauth2/v2.0/token")
    def token(tenant: str) -> Response:
        form = request.form
        client = form.get("client_id", "")
        if not _known(store, client):
            return oauth_error("unauthorized_client", f"AADSTS700016: Application with identifier '{client}' was not "
                               "found in the directory.", 700016)
        refused = _client_refused(store, client, form)
        if refused is not None:
            return refused
        grant = form.get("grant_type")
        if grant == "client_credentials":
            if not str(form.get("scope", "")).endswith("/.default"):
                return oauth_error("invalid_scope", "AADSTS1002012: The provided value for scope is not valid.", 1002012)
            token_ = ident.access_token(tenant, client, roles=ident.roles_of(client))
            store.access_tokens.add(token_)
            return _tokens({"access_token": token_})
        if grant == "authorization_code":
            return _redeem_code(store, tenant, client, form)
        if grant == "refresh_token":
            return _redeem_refresh(store, tenant, client, form)
        return oauth_error("unsupported_grant_type", "AADSTS70003: the grant type is not supported.", 70003)

    @app.before_request
    def own_mailbox_only() -> Response | None:
        """A delegated token reaches its own user only (Graph answers 403 ErrorAccessDenied otherwise)."""
        auth = request.headers.get("Authorization", "")
        user = ident.token_users.get(auth[7:]) if auth.startswith("Bearer ") else None
        parts = request.path.split("/")
        if user and len(parts) > 3 and parts[2] == "users" and parts[3].lower() != user:
            from sandbox.graph.app import graph_error
            return graph_error(403, "ErrorAccessDenied", "Access is denied. Check credentials and try again.")
        return None


def _redeem_code(store: GraphStore, tenant: str, client: str, form) -> Response:
    ident, code = store.identity, form.get("code", "")
    if code in ident.redeemed:
        return oauth_error("invalid_grant", "AADSTS54005: OAuth2 Authorization code was already redeemed, please "
                           "retry with a new valid code or use an existing refresh token.", 54005)
    pending = ident.codes.pop(code, None)
    if pending is None or pending.client_id != client:
        return oauth_error("invalid_grant", "AADSTS70000: The provided value for the 'code' parameter is not valid.",
                           70000)
    ident.redeemed.add(code)
    if pending.expires < time.time():
        return oauth_error("invalid_grant", REFRESH_REFUSALS[70008], 70008)
    if form.get("redirect_uri") != pending.redirect_uri:
        return oauth_error("invalid_grant", "AADSTS500112: The reply address does not match the reply address "
                           "provided when requesting Authorization code.", 500112)
    if pending.challenge and not pkce_matches(form.get("code_verifier", ""), pending.challenge, pending.method):
        return oauth_error("invalid_grant", "AADSTS501481: The Code_Verifier does not match the code_challenge "
                           "supplied in the authorization request.", 501481)
    issuer = f"{request.host_url.rstrip('/')}/{tenant}/v2.0"
    return _user_tokens(store, tenant, client, pending.user, pending.scopes,
                        id_token=ident.id_token(issuer, tenant, client, pending.user, pending.nonce))


def _redeem_refresh(store: GraphStore, tenant: str, client: str, form) -> Response:
    grant = store.identity.refresh.get(form.get("refresh_token", ""))
    if grant is None or grant.client_id != client:
        return oauth_error("invalid_grant", "AADSTS9002313: Invalid request. Request is malformed or invalid.",
                           9002313)
    if grant.refusal is not None:
        return oauth_error("invalid_grant", REFRESH_REFUSALS[grant.refusal], grant.refusal)
    asked = _granted(grant.scopes, form.get("scope"))
    return _user_tokens(store, tenant, client, grant.user, asked)


def _user_tokens(store: GraphStore, tenant: str, client: str, user: str, scopes: frozenset[str],
                 id_token: str = "") -> Response:
    """Entra ID's answer to a user's grant: a new refresh token each time (the old one stays valid)."""
    ident = store.identity
    access = ident.access_token(tenant, client, user=user, scopes=scopes)
    store.access_tokens.add(access)
    body = {"access_token": access, "scope": " ".join(sorted(f"https://graph.microsoft.com/{s}" for s in scopes
                                                             if s not in OIDC_SCOPES)),
            "refresh_token": ident.new_refresh_token(RefreshGrant(client, user, scopes)),
            "client_info": client_info(user, tenant)}
    if id_token:
        body["id_token"] = id_token
    return _tokens(body)


def _granted(allowed: set[str] | frozenset[str], scope: str | None) -> frozenset[str]:
    """``.default`` means every permission the registration holds; named scopes, those of them it holds."""
    asked = {s.rsplit("/", 1)[-1] for s in str(scope or "").split()}
    if ".default" in asked:
        return frozenset(allowed) | (asked & OIDC_SCOPES)
    lowered = {a.lower(): a for a in allowed}
    return frozenset(lowered[s.lower()] for s in asked if s.lower() in lowered) | (asked & OIDC_SCOPES)


def _client_refused(store: GraphStore, client: str, form) -> Response | None:
    """Client authentication: the secret, or a certificate-signed assertion (private_key_jwt)."""
    assertion = form.get("client_assertion")
    if assertion:
        if form.get("client_assertion_type") != ASSERTION_TYPE:
            return oauth_error("invalid_client", "AADSTS700025: Client assertion type is invalid.", 700025)
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.PyJWTError:
            return oauth_error("invalid_client", "AADSTS50027: JWT token is invalid or malformed.", 50027)
        cert = store.identity.certificate_for(client, header)
        if cert is None:
            return oauth_error("invalid_client", "AADSTS700027: Client assertion contains an invalid signature. "
                               "[Reason - The key was not found.]", 700027)
        token_url = request.host_url.rstrip("/") + request.path
        try:
            claims = jwt.decode(assertion, cert.public_key(), algorithms=["RS256", "PS256"],  # type: ignore[arg-type]
                                audience=token_url, options={"require": ["exp", "aud", "iss", "sub"]})
        except jwt.InvalidAudienceError:
            return oauth_error("invalid_client", "AADSTS700023: Client assertion audience claim does not match "
                               "Realm issuer.", 700023)
        except jwt.ExpiredSignatureError:
            return oauth_error("invalid_client", "AADSTS700024: Client assertion is not within its valid time "
                               "range.", 700024)
        except jwt.PyJWTError:
            return oauth_error("invalid_client", "AADSTS700027: Client assertion failed signature validation.",
                               700027)
        if claims.get("iss") != client or claims.get("sub") != client:
            return oauth_error("invalid_client", "AADSTS700021: Client assertion application identifier doesn't "
                               "match 'client_id' parameter.", 700021)
        return None
    secret = form.get("client_secret")
    if not secret:
        return oauth_error("invalid_client", "AADSTS7000218: The request body must contain the following parameter: "
                           "'client_assertion' or 'client_secret'.", 7000218)
    if store.clients.get(client) != secret:
        return oauth_error("invalid_client", "AADSTS7000215: Invalid client secret provided.", 7000215)
    return None


def _known(store: GraphStore, client: str) -> bool:
    return client in store.clients or client in store.identity.certificates


def _tokens(body: dict) -> Response:
    from sandbox.graph.app import ok
    return ok({"token_type": "Bearer", "expires_in": TOKEN_SECONDS, "ext_expires_in": TOKEN_SECONDS, **body})


def _back(redirect_uri: str, state: str, **params: str) -> Response:
    """The answer to the app: a query redirect, or with ``response_mode=form_post`` Entra ID's page
    that POSTs the fields to the redirect URI as soon as it loads."""
    fields = {**params, "state": state}
    if request.args.get("response_mode") == "form_post":
        inputs = "".join(f'<input type="hidden" name="{escape(k)}" value="{escape(v)}"/>' for k, v in fields.items())
        return Response(f'<html><body onload="document.forms[0].submit()"><form method="POST" '
                        f'action="{escape(redirect_uri)}">{inputs}</form></body></html>', 200, content_type="text/html")
    sep = "&" if "?" in redirect_uri else "?"
    return redirect(redirect_uri + sep + urlencode(fields), code=302)


def oauth_error(code: str, description: str, number: int) -> Response:
    """Entra ID's error body; invalid_client answers 401, the others 400."""
    from sandbox.graph.app import ok
    return ok({"error": code, "error_description": description, "error_codes": [number],
               "timestamp": datetime.now().isoformat(timespec="seconds"),
               "error_uri": f"https://login.microsoftonline.com/error?code={number}"},
              401 if code == "invalid_client" else 400)


def revoke_sign_ins(store: GraphStore, user: str, code: int = 50173) -> None:
    """What an admin's "revoke sessions" (or a password reset) does: the user's refresh tokens answer
    ``invalid_grant`` with ``code`` and the user's access tokens stop working at once."""
    with store.lock:
        store.access_tokens.difference_update(store.identity.refuse_refresh(user, code))
