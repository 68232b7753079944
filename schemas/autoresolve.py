"""Autoresolve's listing and undo: what was created for whom, and what undo did with it."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema


class AutoresolvedArgsSchema(StrictSchema):
    session_id = fields.Integer(validate=validate.Range(min=1), metadata={
        "description": "Only what this sync session created (default: every session, newest first)"})


class AutoresolvedRecordSchema(StrictSchema):
    session_id = fields.Integer(allow_none=True)
    sobject = fields.String(required=True, metadata={"description": "Lead, Contact, Account"})
    record_id = fields.String(required=True)
    email = fields.String(required=True, metadata={"description": "The participant it was created for"})
    status = fields.String(required=True, metadata={"description": "created | undone | kept"})
    reason = fields.String(allow_none=True, metadata={"description": "Why undo kept it (or how it went)"})
    created_at = fields.DateTime(required=True)


class UndoRequestSchema(StrictSchema):
    session_id = fields.Integer(required=True, validate=validate.Range(min=1))


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
