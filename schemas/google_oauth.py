"""Request/response shapes of per-user Google sign-in (app/api/google_workspace.py)."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema
from schemas.mailboxes import GraphSignedInSchema, GraphSignInSchema

GOOGLE_AUTH_MODES = ("domain_wide", "user_oauth")


class GoogleAuthSchema(StrictSchema):
    auth_mode = fields.String(required=True, validate=validate.OneOf(GOOGLE_AUTH_MODES), metadata={
        "description": "domain_wide (default: the service account acts as every user) or user_oauth (each "
                       "mailbox's owner signs in with Google once: GET /api/v1/mailboxes/{id}/google-sign-in)"})
    client_id = fields.String(validate=validate.Length(min=1, max=255), metadata={
        "description": "user_oauth: the OAuth client id of a Google Cloud 'Web application' credential"})
    client_secret = fields.String(load_only=True, validate=validate.Length(min=1, max=1024), metadata={
        "description": "user_oauth: that client's secret; stored encrypted, never shown"})


class GoogleSignInSchema(GraphSignInSchema):
    """The same start answer as Microsoft's sign-in."""


class GoogleCallbackArgsSchema(StrictSchema):
    state = fields.String(required=True, validate=validate.Length(min=1, max=512))
    code = fields.String(validate=validate.Length(max=4096))
    scope = fields.String(validate=validate.Length(max=8192))
    authuser = fields.String(validate=validate.Length(max=64))
    hd = fields.String(validate=validate.Length(max=255))
    prompt = fields.String(validate=validate.Length(max=255))
    iss = fields.String(validate=validate.Length(max=255))
    error = fields.String(validate=validate.Length(max=256))
    error_description = fields.String(validate=validate.Length(max=4096))


class GoogleSignedInSchema(GraphSignedInSchema):
    """The same callback answer as Microsoft's sign-in (app/api/sign_in_answers.py)."""
