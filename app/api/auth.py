"""Bearer-token authentication and the admin gate for API views.

Every authenticated view receives the caller through `current_user()`; every query a
view makes is scoped to `current_user().org_id`, which is what keeps tenants apart.
"""
from __future__ import annotations

from functools import wraps

from flask import g, request
from flask_smorest import abort
from sqlalchemy import select

from app.models import ApiToken, User
from app.models.base import utcnow
from app.runtime import db_session
from app.security.api_tokens import hash_token

BEARER_SECURITY = [{"bearerAuth": []}]
LAST_USED_RESOLUTION_SECONDS = 300
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="syncline"'}


def _token_from_header() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        abort(401, message="Missing 'Authorization: Bearer <token>' header.", headers=_CHALLENGE)
    if scheme.lower() != "bearer" or not token.strip():
        abort(401, message="The Authorization header must be 'Bearer <token>'.", headers=_CHALLENGE)
    return token.strip()


def authenticate() -> User:
    token = _token_from_header()
    row = db_session().scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    now = utcnow()
    if row is None or row.revoked_at is not None:
        abort(401, message="The API token is invalid or has been revoked.", headers=_CHALLENGE)
    if not row.is_usable(now):
        abort(401, message="The API token has expired; sign in again to get a new one.", headers=_CHALLENGE)
    if row.last_used_at is None or (now - row.last_used_at).total_seconds() > LAST_USED_RESOLUTION_SECONDS:
        row.last_used_at = now  # throttled: a token used every second costs one write per 5 minutes
        db_session().commit()
    user = row.user
    if not user.is_active:
        abort(403, message="This user is disabled in Syncline; ask your Syncline admin.")
    g.api_token_id = row.id
    return user


def current_user() -> User:
    return g.current_user


def _documented_as_bearer(wrapper):
    """Put the bearer requirement into the OpenAPI operation smorest builds from `_apidoc`."""
    apidoc = dict(getattr(wrapper, "_apidoc", {}))
    apidoc["manual_doc"] = {**apidoc.get("manual_doc", {}), "security": BEARER_SECURITY}
    wrapper._apidoc = apidoc
    return wrapper


def login_required(view):
    """Outermost decorator of a view: authenticate before any body is parsed."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.current_user = authenticate()
        return view(*args, **kwargs)

    return _documented_as_bearer(wrapper)


def admin_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        g.current_user = authenticate()
        if not g.current_user.is_admin:
            abort(403, message="This needs a Syncline admin of your org.")
        return view(*args, **kwargs)

    return _documented_as_bearer(wrapper)
