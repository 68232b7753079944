"""Google Workspace per-user sign-in: the profile's auth mode and OAuth client, each mailbox's sign-in."""
from __future__ import annotations

from typing import cast

from flask import jsonify, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort

from app.api.auth import admin_required, current_user, login_required
from app.api.scoping import mailbox_for, own_org
from app.api.sign_in_answers import signed_in_answer
from app.models import ServerProfile
from app.providers.google.user_oauth import SignInRefused
from app.runtime import db_session, runtime
from app.services import google_signin
from app.services.google_accounts import set_google_auth
from app.services.google_profiles import NotAGoogleProfile
from app.sync.errors import SyncError
from schemas.base import ErrorSchema
from schemas.google_oauth import GoogleAuthSchema, GoogleCallbackArgsSchema, GoogleSignedInSchema, GoogleSignInSchema
from schemas.mailboxes import ServerProfileSchema

blp = Blueprint("google_workspace", __name__, url_prefix="", description="Google Workspace per-user sign-in")


@blp.route("/orgs/<int:org_id>/server-profiles/<int:profile_id>/google-auth")
class GoogleAuthMode(MethodView):
    @admin_required
    @blp.arguments(GoogleAuthSchema)
    @blp.response(200, ServerProfileSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="Not a gmail profile, or user_oauth without a client")
    @blp.alt_response(404, schema=ErrorSchema, description="No such server profile in this org")
    def put(self, data: dict, org_id: int, profile_id: int):
        """Switch a gmail profile between domain-wide delegation and each mailbox's own Google sign-in
        (user_oauth, for orgs without delegation), storing the OAuth client (secret encrypted)."""
        org, session = own_org(org_id, current_user()), db_session()
        profile = session.get(ServerProfile, profile_id)
        if profile is None or profile.org_id != org.id:
            abort(404, message=f"server profile {profile_id} not found in this org")
        try:
            set_google_auth(runtime(), session, cast(ServerProfile, profile), data, current_user())
        except (NotAGoogleProfile, ValueError) as exc:
            abort(400, message=str(exc))
        session.commit()
        return profile


@blp.route("/mailboxes/<int:mailbox_id>/google-sign-in")
class GoogleSignIn(MethodView):
    @login_required
    @blp.response(302, GoogleSignInSchema, description="Redirect to Google's consent page (also in the body)")
    @blp.alt_response(400, schema=ErrorSchema, description="The mailbox's profile does not use per-user sign-in")
    @blp.alt_response(404, schema=ErrorSchema, description="No such mailbox of yours")
    def get(self, mailbox_id: int):
        """Start the mailbox owner's Google sign-in (authorization code + PKCE, offline access) for a gmail
        profile with `auth_mode` user_oauth. Google returns to `/api/v1/auth/google/callback`."""
        url = _sign_in_url(mailbox_id)
        response = jsonify({"authorize_url": url})
        response.status_code, response.headers["Location"] = 302, url
        return response

    @login_required
    @blp.response(200, GoogleSignInSchema)
    @blp.alt_response(400, schema=ErrorSchema, description="The mailbox's profile does not use per-user sign-in")
    @blp.alt_response(404, schema=ErrorSchema, description="No such mailbox of yours")
    def post(self, mailbox_id: int):
        """The same start for scripts and the sidebar: the authorize URL to open, as JSON."""
        return {"authorize_url": _sign_in_url(mailbox_id)}


def _sign_in_url(mailbox_id: int) -> str:
    mailbox = mailbox_for(mailbox_id, current_user())
    try:
        return google_signin.begin(runtime(), mailbox, runtime().config.public_url
                                   + url_for("google_workspace.GoogleCallback"))
    except google_signin.NotUserOAuth as exc:
        abort(400, message=str(exc))
    except SyncError as exc:
        abort(400, message=f"Google sign-in cannot start: {exc}")
    raise AssertionError("abort() raised")


@blp.route("/auth/google/callback")
class GoogleCallback(MethodView):
    @blp.arguments(GoogleCallbackArgsSchema, location="query")
    @blp.response(200, GoogleSignedInSchema)
    @blp.alt_response(401, schema=ErrorSchema, description="Google refused the sign-in, the state is unknown "
                                                           "or used, or another account signed in")
    @blp.alt_response(503, schema=ErrorSchema, description="Google's token endpoint did not answer")
    def get(self, args: dict):
        """Google's redirect after a mailbox sign-in; the refresh token is stored encrypted on the mailbox
        and a mailbox waiting for re-authorisation resumes. Register this URL (`SYNCLINE_PUBLIC_URL` +
        `/api/v1/auth/google/callback`) as an authorized redirect URI of the OAuth client."""
        return signed_in_answer(lambda session: google_signin.complete(runtime(), session, args), SignInRefused,
                                "Google")
