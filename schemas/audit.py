"""The org's audit log as the API shows it."""
from __future__ import annotations

from marshmallow import fields

from schemas.base import StrictSchema, page_schema


class AuditEventSchema(StrictSchema):
    id = fields.Integer(required=True)
    action = fields.String(required=True)
    actor_user_id = fields.Integer(allow_none=True)
    target_type = fields.String(required=True)
    target_id = fields.String(required=True)
    details = fields.Dict(required=True)
    request_id = fields.String(allow_none=True)
    created_at = fields.DateTime(required=True)


AuditPageSchema = page_schema(AuditEventSchema, "AuditPageSchema")
