"""Sign-in results and API tokens."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema
from schemas.users import MeSchema


class TokenSchema(StrictSchema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "First characters, to recognise it"})
    created_at = fields.DateTime(required=True)
    expires_at = fields.DateTime(allow_none=True)
    last_used_at = fields.DateTime(allow_none=True)


class NewTokenSchema(TokenSchema):
    token = fields.String(required=True, metadata={"description": "Shown once; store it now"})


class TokenCreateSchema(StrictSchema):
    name = fields.String(load_default="", validate=validate.Length(max=255))
    expires_in_days = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(min=1, max=3650))


class SignInSchema(StrictSchema):
    token = fields.Nested(NewTokenSchema, required=True)
    user = fields.Nested(MeSchema, required=True)
    warnings = fields.List(fields.String(), metadata={
        "description": "What went wrong without stopping the sign-in, e.g. a failed permission look-up "
                       "(the user then signs in as a plain user)"})


class LoginArgsSchema(StrictSchema):
    login_hint = fields.String(validate=validate.Length(max=320))
    return_to = fields.String(validate=validate.Length(min=1, max=2048), metadata={
        "description": "Sidebar sign-in: where the callback redirects with #token=… (allow-listed)"})


class CallbackArgsSchema(StrictSchema):
    code = fields.String(validate=validate.Length(min=1, max=2048))
    state = fields.String(required=True, validate=validate.Length(min=1, max=256))
    error = fields.String()
    error_description = fields.String()
