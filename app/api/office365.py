"""Office 365 (Microsoft Graph) connection: certificate credential, test connection, delegated sign-in."""
from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar, cast

from flask import jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy.orm import Session

from app.api.auth import admin_required, current_user, login_required
from app.api.scoping import mailbox_for, own_org
from app.api.sign_in_answers import signed_in_answer
from app.models import ServerProfile
from app.providers.graph.certificates import BadCertificate
from app.providers.graph.delegated import SignInRefused
from app.runtime import db_session, runtime
from app.services import graph_signin
from app.services.graph_connection import check_connection, set_auth_mode, store_certificate
from app.services.graph_profiles import NotAGraphProfile
from app.sync.errors import SyncError
from schemas.base import ErrorSchema
from schemas.mailboxes import (
    AuthModeSchema,
    CertificateSchema,
    ConnectionTestSchema,
    GraphCallbackArgsSchema,
    GraphSignedInSchema,
    GraphSignInSchema,
    ServerProfileSchema,
)

T = TypeVar("T")
blp = Blueprint("office365", __name__, url_prefix="", description="Office 365 (Microsoft Graph) connection")


def _on_profile(org_id: int, profile_id: int, act: Callable[[Session, ServerProfile], T]) -> T:
    """Run an admin's action on one graph profile of their org and commit it: 404 for another org's
    or no profile, 400 (with the reason) for a profile that is not graph or a certificate that cannot sign."""
    org, session = own_org(org_id, current_user()), db_session()
    profile = session.get(ServerProfile, profile_id)
    if profile is None or profile.org_id != org.id:
        abort(404, message=f"server profile {profile_id} not found in this org")
    try:
        result = act(session, cast(ServerProfile, profile))
    except NotAGraphProfile as exc:
        abort(400, message=str(exc))
    except BadCertificate as exc:
        abort(400, message=str(exc), errors={"certificate": [str(exc)]})
    session.commit()
    return result


def _redirect_uri() -> str:
    return runtime().config.public_url + url_for("office365.GraphCallback")


@blp.route("/orgs/<int:org_id>/server-profiles/<int:profile_id>/certificate")
class ProfileCertificate(MethodView):
    @admin_required
    @blp.arguments(CertificateSchema)
    @blp.response(200, ServerProfileSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Not a graph profile, or the key and certificate "
                                                           "do not parse or do not match")
    @blp.alt_response(404, schema=ErrorSchema, description="No such server profile in this org")
    def put(self, data: dict, org_id: int, profile_id: int):
        """Store the app registration's certificate (PEM key + certificate; SHA-256 thumbprint derived).
        Sessions then sign client assertions with it instead of sending the client secret; mailboxes
        waiting for re-authorisation resume."""
        def store(session: Session, profile: ServerProfile) -> ServerProfile:
            store_certificate(runtime(), session, profile, data["private_key"], data["certificate"], current_user())
            return profile

        return _on_profile(org_id, profile_id, store)


@blp.route("/orgs/<int:org_id>/server-profiles/<int:profile_id>/auth-mode")
class ProfileAuthMode(MethodView):
    @admin_required
    @blp.arguments(AuthModeSchema)
    @blp.response(200, ServerProfileSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="The profile is not a graph profile")
    @blp.alt_response(404, schema=ErrorSchema, description="No such server profile in this org")
    def put(self, data: dict, org_id: int, profile_id: int):
        """Switch between application permissions and each mailbox's own sign-in (delegated); after a switch
        to delegated, each mailbox waits for its owner's sign-in."""
        def switch(session: Session, profile: ServerProfile) -> ServerProfile:
            set_auth_mode(session, profile, data["auth_mode"], current_user())
            return profile

        return _on_profile(org_id, profile_id, switch)


@blp.route("/orgs/<int:org_id>/server-profiles/<int:profile_id>/test")
class ProfileTest(MethodView):
    @admin_required
    @blp.response(200, ConnectionTestSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="The profile is not a graph profile")
    @blp.alt_response(404, schema=ErrorSchema, description="No such server profile in this org")
    def post(self, org_id: int, profile_id: int):
        """Test connection: get a token as sessions do and name each Graph permission the org's enabled
        folder kinds need that it lacks (the token's `roles`, or `scp` for delegated sign-in); a refused
        token is reported as a sentence with Entra ID's AADSTS code."""
        return _on_profile(org_id, profile_id,
                           lambda session, profile: check_connection(runtime(), session, profile, current_user()))


@blp.route("/mailboxes/<int:mailbox_id>/graph-sign-in")
class GraphSignIn(MethodView):
    @login_required
    @blp.response(302, GraphSignInSchema, description="Redirect to Microsoft's authorize page (also in the body)")
    @blp.alt_response(400, schema=ErrorSchema, description="The mailbox's profile does not use delegated sign-in")
    @blp.alt_response(404, schema=ErrorSchema, description="No such mailbox of yours")
    @blp.alt_response(503, schema=ErrorSchema, description="Entra ID did not answer")
    def get(self, mailbox_id: int):
        """Start the mailbox owner's Microsoft sign-in (authorization code + PKCE, offline access) for a
        graph profile with `auth_mode` delegated. Microsoft returns to `/api/v1/auth/microsoft/callback`."""
        url = _sign_in_url(mailbox_id)
        response = jsonify({"authorize_url": url})
        response.status_code, response.headers["Location"] = 302, url
        return response

    @login_required
    @blp.response(200, GraphSignInSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="The mailbox's profile does not use delegated sign-in")
    @blp.alt_response(404, schema=ErrorSchema, description="No such mailbox of yours")
    @blp.alt_response(503, schema=ErrorSchema, description="Entra ID did not answer")
    def post(self, mailbox_id: int):
        """The same start for scripts and the sidebar: the authorize URL to open, as JSON (a page's `fetch`
        cannot read a redirect's body)."""
        return {"authorize_url": _sign_in_url(mailbox_id)}


def _sign_in_url(mailbox_id: int) -> str:
    mailbox = mailbox_for(mailbox_id, current_user())
    try:
        return graph_signin.begin(runtime(), mailbox, _redirect_uri())
    except graph_signin.NotDelegated as exc:
        abort(400, message=str(exc))
    except SyncError as exc:
        abort(503 if exc.code == "temporary" else 400, message=f"Microsoft sign-in cannot start: {exc}")
    raise AssertionError("abort() raised")


@blp.route("/auth/microsoft/callback")
class GraphCallback(MethodView):
    @blp.arguments(GraphCallbackArgsSchema, location="form")
    @blp.response(200, GraphSignedInSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Microsoft refused the sign-in, the state is unknown "
                                                           "or used, or another account signed in")
    @blp.alt_response(503, schema=ErrorSchema, description="Entra ID did not answer")
    def post(self, args: dict):
        """Microsoft's browser form (`response_mode=form_post`) after a mailbox sign-in; the mailbox's token
        cache is stored encrypted, a mailbox waiting for re-authorisation resumes, and (with an https
        `SYNCLINE_PUBLIC_URL`) its Graph change notifications are subscribed at once. Register this URL
        (`SYNCLINE_PUBLIC_URL` + `/api/v1/auth/microsoft/callback`) as a Web redirect URI of the app."""
        return _complete(args)

    @blp.arguments(GraphCallbackArgsSchema, location="query")
    @blp.response(200, GraphSignedInSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Microsoft refused the sign-in, the state is unknown "
                                                           "or used, or another account signed in")
    @blp.alt_response(503, schema=ErrorSchema, description="Entra ID did not answer")
    def get(self, args: dict):
        """The same answer as a query redirect (Entra ID sends errors of an unknown response mode this way)."""
        return _complete(args)


def _complete(args: dict) -> dict:
    answer = signed_in_answer(lambda session: graph_signin.complete(runtime(), session, args), SignInRefused, "Microsoft")
    graph_signin.subscribe_at_once(runtime(), answer["mailbox_id"])     # committed: the job sees it active
    return answer
