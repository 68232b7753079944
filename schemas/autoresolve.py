"""Autoresolve's listing and undo: what was created for whom, and what undo did with it."""
from __future__ import annotations

from marshmallow import ValidationError, fields, validate, validates_schema

from schemas.base import StrictSchema

RECORD_ID = r"^[0-9A-Za-z]{15}(?:[0-9A-Za-z]{3})?$"


class AutoresolvedArgsSchema(StrictSchema):
    session_id = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "Only what this sync session created (default: every session, newest first)"})


class AutoresolvedRecordSchema(StrictSchema):
    session_id = fields.Integer(allow_none=True, metadata={
        "description": "The sync session that created it; null: a sidebar Save now (undo it by record_ids)"})
    sobject = fields.String(required=True, metadata={"description": "Lead, Contact, Account"})
    record_id = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "The participant it was created for"})
    status = fields.String(required=True, metadata={"description": "created | undone | kept"})
    reason = fields.String(allow_none=True, metadata={"description": "Why undo kept it (or how it went)"})
    created_at = fields.DateTime(required=True)


class UndoRequestSchema(StrictSchema):
    session_id = fields.Integer(load_default=None, validate=validate.Range(min=1), metadata={
        "description": "Undo what this sync session created"})
    record_ids = fields.List(fields.String(validate=validate.Regexp(RECORD_ID, error="not a Salesforce record id")),
                             load_default=None, validate=validate.Length(min=1, max=200), metadata={
        "description": "Or undo these records (what a sidebar Save now created: its answer's `autoresolved`)"})

    @validates_schema
    def _one_target(self, data: dict, **_) -> None:
        if (data.get("session_id") is None) == (data.get("record_ids") is None):
            raise ValidationError("Give either session_id or record_ids.", "session_id")


class UndoOutcomeSchema(StrictSchema):
    sobject = fields.String(required=True)
    record_id = fields.String(required=True)
    email = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "undone (deleted) | kept"})
    reason = fields.String(allow_none=True)


class UndoResultSchema(StrictSchema):
    undone = fields.Integer(required=True)
    kept = fields.Integer(required=True)
    records = fields.List(fields.Nested(UndoOutcomeSchema), required=True)
