"""People: the caller (/me) and, for admins, the users of their org."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema, page_schema
from schemas.settings import UserSettingsSchema


class OrgSummarySchema(StrictSchema):
    id = fields.Integer(required=True)
    sf_org_id = fields.String(required=True)
    name = fields.String(required=True)
    instance_url = fields.String(allow_none=True)


class UserSchema(StrictSchema):
    id = fields.Integer(required=True)
    org_id = fields.Integer(required=True)
    sf_user_id = fields.String(required=True)
    email = fields.String(required=True)
    name = fields.String(required=True)
    role = fields.String(required=True, validate=validate.OneOf(("user", "admin")))
    role_source = fields.String(required=True, metadata={"description": "salesforce | grant | none"})
    is_active = fields.Boolean(required=True)
    auto_sync_enabled = fields.Boolean(required=True, metadata={"description": "Set by an admin"})
    created_at = fields.DateTime(required=True)
    salesforce_connection = fields.String(
        required=True, metadata={"description": "connected | needs_reauth | revoked | none"})
    salesforce_connection_reason = fields.String(
        allow_none=True, metadata={"description": "Why the connection needs attention (never a token)"})


class MeSchema(UserSchema):
    org = fields.Nested(OrgSummarySchema, required=True)
    auto_sync_effective = fields.Boolean(
        required=True, metadata={"description": "Org switch AND user switch: whether scheduled sync runs"})
    settings = fields.Nested(UserSettingsSchema, required=True)
    settings_locked = fields.Boolean(
        required=True, metadata={"description": "True when the admin forbids personal sync overrides"})


class MePatchSchema(StrictSchema):
    name = fields.String(validate=validate.Length(min=1, max=255))
    settings = fields.Nested(UserSettingsSchema)


class UserPatchSchema(StrictSchema):
    role = fields.String(validate=validate.OneOf(("user", "admin")))
    auto_sync_enabled = fields.Boolean()
    is_active = fields.Boolean()


UserPageSchema = page_schema(UserSchema, "UserPageSchema")
