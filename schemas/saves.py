"""Saving from the sidebar: Read-mode saves now, Compose/meeting saves and thread autosaves via the sync."""
from __future__ import annotations

from marshmallow import fields, validate

from app.sync.identifiers import MESSAGE_ID_MAX, REF_MAX
from schemas.base import StrictSchema
from schemas.identifiers import identifier, message_id
from schemas.sidebar import SavedItemSchema

SALESFORCE_ID = validate.Regexp(r"^[a-zA-Z0-9]{15}(?:[a-zA-Z0-9]{3})?$", error="not a Salesforce record id")
MAX_WHO = 50
MAX_DESCRIPTION = 32_000
MAX_ATTACHMENTS = 20


def _who_ids() -> fields.List:
    return fields.List(fields.String(validate=SALESFORCE_ID), load_default=list,
                       validate=validate.Length(max=MAX_WHO, error="Salesforce links an activity to at most "
                                                                  f"{MAX_WHO} Contacts."))


def _what_id() -> fields.String:
    return fields.String(load_default=None, allow_none=True, validate=SALESFORCE_ID)


class AttachmentSchema(StrictSchema):
    filename = fields.String(required=True, validate=validate.Length(min=1, max=255))
    content_type = fields.String(load_default="application/octet-stream", validate=validate.Length(max=255))
    content_base64 = fields.String(required=True, validate=validate.Length(max=16 * 1024 * 1024))


class SaveEmailSchema(StrictSchema):
    item = fields.Nested(SavedItemSchema, required=True)
    who_ids = _who_ids()
    what_id = _what_id()
    subject = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=3000))
    description = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_DESCRIPTION))
    attachments = fields.List(fields.Nested(AttachmentSchema), load_default=list,
                              validate=validate.Length(max=MAX_ATTACHMENTS))


class ComposeSaveSchema(StrictSchema):
    message_id = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=MESSAGE_ID_MAX), message_id],
                               metadata={"description": "RFC 5322 Message-ID, `<left@right>`"})
    marker = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{8,64}$",
                                                                   error="marker is a UUID-like token"))
    who_ids = _who_ids()
    what_id = _what_id()


class MeetingSaveSchema(StrictSchema):
    ical_uid = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=REF_MAX), identifier(REF_MAX)])
    item_ref = fields.String(load_default=None, allow_none=True, validate=[validate.Length(max=REF_MAX), identifier(REF_MAX)])
    who_ids = _who_ids()
    what_id = _what_id()


class QueuedSchema(StrictSchema):
    status = fields.String(required=True, metadata={"description": "queued: the next sync session acts on it"})
    id = fields.Integer(required=True)


class EmptySchema(StrictSchema):
    """A body that must be `{}` (PUT /thread-autosaves/{id})."""
