"""Liveness and readiness."""
from __future__ import annotations

from marshmallow import fields

from schemas.base import StrictSchema


class HealthSchema(StrictSchema):
    status = fields.String(required=True)


class ReadySchema(StrictSchema):
    status = fields.String(required=True)
    checks = fields.Dict(keys=fields.String(), values=fields.String(), required=True)
