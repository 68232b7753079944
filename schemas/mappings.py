"""Mapping tables: which mailbox attribute mirrors which Salesforce field, which way, how."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema

DIRECTIONS = ("both", "to_salesforce", "to_mailbox", "none")
API_NAME = validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,79}$", error="not a Salesforce API name")


class MappingRowSchema(StrictSchema):
    mailbox_field = fields.String(required=True, validate=validate.Length(min=1, max=64))
    salesforce_field = fields.String(required=True, validate=API_NAME)
    direction = fields.String(load_default="both", validate=validate.OneOf(DIRECTIONS))
    transform = fields.String(load_default="text", metadata={"description": "text, html_to_text, bool, date, "
                              "datetime, picklist, event_timing, start_date, attendees"})
    options = fields.Dict(load_default=dict, metadata={"description": "e.g. picklist {'values': {...}}"})


class MappingTableSchema(StrictSchema):
    name = fields.String(required=True)
    kind = fields.String(required=True, metadata={"description": "calendar | tasks | contacts"})
    object_type = fields.String(required=True)
    rows = fields.List(fields.Nested(MappingRowSchema), required=True)
    customized = fields.Boolean(required=True, metadata={"description": "False: Syncline's default table"})
    scope = fields.String(required=True, metadata={"description": "default | org | user"})


class MappingTablePutSchema(StrictSchema):
    object_type = fields.String(validate=API_NAME, metadata={"description": "Defaults to the table's object"})
    rows = fields.List(fields.Nested(MappingRowSchema), required=True, validate=validate.Length(min=1, max=200))
