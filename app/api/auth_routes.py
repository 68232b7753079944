"""Sign-in with Salesforce (OAuth web-server flow + PKCE) and the caller's API tokens."""
from __future__ import annotations

from flask import redirect, url_for
from flask.views import MethodView
from flask_smorest import Blueprint, abort
from sqlalchemy import select

from app.api.auth import current_user, login_required
from app.api.views import me_view
from app.models import ApiToken
from app.providers.salesforce.oauth import SignInFailed
from app.runtime import db_session, runtime
from app.services import signin, signin_return
from app.services.tokens import issue_token, revoke_token
from schemas.auth import (
    CallbackArgsSchema,
    LoginArgsSchema,
    NewTokenSchema,
    SignInSchema,
    TokenCreateSchema,
    TokenSchema,
)
from schemas.base import ErrorSchema

blp = Blueprint("auth", __name__, url_prefix="/auth", description="Sign-in and API tokens")


def _redirect_uri() -> str:
    return runtime().config.public_url + url_for("auth.SalesforceCallback")


def _require_client_configured() -> None:
    if not runtime().config.salesforce_client_id:
        abort(503, message="Salesforce sign-in is not configured: set SALESFORCE_CLIENT_ID "
                           "and SALESFORCE_CLIENT_SECRET (or use `syncline token create`).")


@blp.route("/salesforce/login")
class SalesforceLogin(MethodView):
    @blp.arguments(LoginArgsSchema, location="query")
    @blp.response(302, description="Redirect to Salesforce's authorization page")
    @blp.alt_response(503, schema=ErrorSchema, description="Salesforce sign-in is not configured on this server")
    def get(self, args: dict):
        """Start signing in with Salesforce; with `return_to` (allow-listed) the callback redirects there."""
        _require_client_configured()
        return_to = args.get("return_to")
        if return_to and not signin_return.allowed_return_to(runtime().config, return_to):
            abort(400, message="return_to is not an allowed sidebar address.", errors={"return_to": ["not allowed"]})
        url = signin.begin(runtime(), _redirect_uri(), args.get("login_hint"))
        if return_to:
            signin_return.remember(runtime(), url, return_to)
        return redirect(url, code=302)


@blp.route("/salesforce/callback")
class SalesforceCallback(MethodView):
    @blp.arguments(CallbackArgsSchema, location="query")
    @blp.response(200, SignInSchema)
    @blp.alt_response(302, description="Sign-in started with return_to: redirect to return_to#token=… or #error=…")
    @blp.alt_response(401, schema=ErrorSchema, description="Salesforce refused the sign-in, or the code was not accepted")
    @blp.alt_response(503, schema=ErrorSchema, description="Salesforce sign-in is not configured on this server")
    def get(self, args: dict):
        """Salesforce redirects here; answers with a Syncline API token and the user."""
        _require_client_configured()
        return_to = signin_return.recall(runtime(), args["state"])
        if return_to:
            return _complete_for_sidebar(args, return_to)
        if "error" in args:
            abort(401, message=f"Salesforce refused the sign-in: {args['error']}"
                               + (f" ({args['error_description']})" if args.get("error_description") else ""))
        if not args.get("code"):
            abort(400, message="The callback needs a 'code' parameter from Salesforce.")
        session = db_session()
        try:
            done = signin.complete(runtime(), session, _redirect_uri(), args["code"], args["state"])
        except SignInFailed as exc:
            session.rollback()
            abort(401, message=str(exc))
        session.commit()
        return {"token": {**_token_view(done.row), "token": done.token}, "user": me_view(done.user),
                "warnings": done.warnings}


def _complete_for_sidebar(args: dict, return_to: str):
    """The sidebar's sign-in: the token (or the reason it failed) goes back in the URL fragment."""
    if "error" in args or not args.get("code"):
        signin_return.forget(runtime(), args["state"])
        code = args.get("error") or "invalid_request"
        description = args.get("error_description") or ("Salesforce refused the sign-in." if "error" in args
                                                         else "Salesforce sent no authorisation code.")
        return redirect(signin_return.with_error(return_to, code, description), code=302)
    session = db_session()
    try:
        plaintext = signin.complete(runtime(), session, _redirect_uri(), args["code"], args["state"]).token
    except SignInFailed as exc:
        session.rollback()
        return redirect(signin_return.with_error(return_to, "sign_in_failed", str(exc)), code=302)
    session.commit()
    return redirect(signin_return.with_token(return_to, plaintext), code=302)


@blp.route("/tokens")
class Tokens(MethodView):
    @login_required
    @blp.response(200, TokenSchema(many=True))
    def get(self):
        """My API tokens that are still usable (the secret itself is never shown again)."""
        rows = db_session().scalars(select(ApiToken).where(
            ApiToken.user_id == current_user().id, ApiToken.revoked_at.is_(None)).order_by(ApiToken.id))
        return [_token_view(r) for r in rows]

    @login_required
    @blp.arguments(TokenCreateSchema)
    @blp.response(201, NewTokenSchema)
    def post(self, args: dict):
        """Create a token for automation; the response is the only time it is shown."""
        session = db_session()
        row, plaintext = issue_token(session, current_user(), name=args["name"], ttl_days=args["expires_in_days"])
        session.commit()
        return {**_token_view(row), "token": plaintext}


@blp.route("/tokens/<int:token_id>")
class TokenItem(MethodView):
    @login_required
    @blp.response(204)
    def delete(self, token_id: int):
        """Revoke one of my tokens."""
        session = db_session()
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != current_user().id:
            abort(404, message=f"No API token {token_id} of yours.")
        revoke_token(session, row, current_user())
        session.commit()


def _token_view(row: ApiToken) -> dict:
    return {"id": row.id, "name": row.name, "prefix": row.prefix, "created_at": row.created_at,
            "expires_at": row.expires_at, "last_used_at": row.last_used_at}
