"""The open mail item as the sidebar sends it, and the Initial Search (related records) answer."""
from __future__ import annotations

from marshmallow import ValidationError, fields, post_load, validate, validates_schema

from app.sync.identifiers import MESSAGE_ID_MAX, REF_MAX, THREAD_ID_MAX
from schemas.base import StrictSchema
from schemas.identifiers import identifier, message_id

RECORD_TYPES = ("Contact", "Lead", "Account", "Opportunity", "Case", "User")
REASON_KINDS = ("address_match", "address_in_body", "domain_account", "signature", "subject_number")
MAX_BODY_CHARS = 100_000
MAX_PEOPLE = 500


class PersonSchema(StrictSchema):
    email = fields.String(required=True, validate=validate.Length(min=3, max=320))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=320))

    @post_load
    def _lower(self, data: dict, **_) -> dict:
        return {**data, "email": data["email"].strip().lower()}


def _people(**kw) -> fields.List:
    return fields.List(fields.Nested(PersonSchema), load_default=list, validate=validate.Length(max=MAX_PEOPLE), **kw)


class ItemSchema(StrictSchema):
    """One email or meeting (extension/API.md "The item"); unknown values are null or []."""

    kind = fields.String(required=True, validate=validate.OneOf(("email", "meeting")))
    mode = fields.String(required=True, validate=validate.OneOf(("read", "compose")))
    message_id = fields.String(load_default=None, allow_none=True,
                               validate=[validate.Length(max=MESSAGE_ID_MAX), message_id])
    message_ref = fields.String(load_default=None, allow_none=True,
                                validate=[validate.Length(max=REF_MAX), identifier(REF_MAX)],
                                metadata={"description": "The provider's own message id (Gmail: the hex API id); "
                                                         "for a Google mailbox the server reads the message's "
                                                         "Message-ID from Gmail with it"})
    thread_id = fields.String(load_default=None, allow_none=True,
                              validate=[validate.Length(max=THREAD_ID_MAX), identifier(THREAD_ID_MAX)])
    subject = fields.String(load_default="", allow_none=True, validate=validate.Length(max=3000))
    from_ = fields.Nested(PersonSchema, data_key="from", load_default=None, allow_none=True)
    to = _people()
    cc = _people()
    attendees = _people()
    date = fields.DateTime(load_default=None, allow_none=True)
    body_text = fields.String(load_default="", allow_none=True, validate=validate.Length(max=MAX_BODY_CHARS))
    body_html = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=MAX_BODY_CHARS),
                              metadata={"description": "Optional; sanitised with nh3 before it is stored; its "
                                                      "signature is read when body_text is empty"})
    ical_uid = fields.String(load_default=None, allow_none=True,
                             validate=[validate.Length(max=REF_MAX), identifier(REF_MAX)])

    @post_load
    def _defaults(self, data: dict, **_) -> dict:
        return {**data, "subject": data.get("subject") or "", "body_text": data.get("body_text") or ""}


class SavedItemSchema(ItemSchema):
    """The item of a Read-mode save: only its identity is essential (kind/mode default to email/read)."""

    kind = fields.String(load_default="email", validate=validate.Equal(
        "email", error="Only emails are saved here; meetings go to /meeting-saves."))
    mode = fields.String(load_default="read", validate=validate.Equal(
        "read", error="Drafts are saved when sent: use /compose-saves."))

    @validates_schema
    def _identified(self, data: dict, **_) -> None:
        if not (data.get("message_id") or data.get("message_ref")):
            raise ValidationError("The item needs a message_id or a message_ref.", "message_id")


class RelatedRequestSchema(StrictSchema):
    item = fields.Nested(ItemSchema, required=True)


class ReasonSchema(StrictSchema):
    kind = fields.String(required=True, validate=validate.OneOf(REASON_KINDS))
    detail = fields.String(allow_none=True)


class RecordHitSchema(StrictSchema):
    id = fields.String(required=True)
    name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    account_name = fields.String(allow_none=True)
    detail = fields.String(allow_none=True)
    url = fields.String(required=True)
    reasons = fields.List(fields.Nested(ReasonSchema), required=True)


class SuggestedPersonSchema(StrictSchema):
    email = fields.String(required=True)
    first_name = fields.String(allow_none=True)
    last_name = fields.String(allow_none=True)
    title = fields.String(allow_none=True)
    company = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)


class SavedStateSchema(StrictSchema):
    status = fields.String(required=True, validate=validate.OneOf(("saved", "already_saved")))
    record_type = fields.String(allow_none=True)
    record_id = fields.String(allow_none=True)
    url = fields.String(allow_none=True)
    attachments_stored = fields.List(fields.String(), metadata={
        "description": "File names stored as Salesforce Files shared with the saved record"})
    autoresolved = fields.List(fields.Dict(keys=fields.String(), values=fields.String()), metadata={
        "description": "With the org's autoresolve on: the Leads/Contacts/Accounts this save created "
                       "(`sobject`, `record_id`, `email`); undo them with POST "
                       "/mailboxes/{id}/autoresolved/undo and their `record_ids`"})


class GroupsSchema(StrictSchema):
    Contact = fields.List(fields.Nested(RecordHitSchema), required=True)
    Lead = fields.List(fields.Nested(RecordHitSchema), required=True)
    Account = fields.List(fields.Nested(RecordHitSchema), required=True)
    Opportunity = fields.List(fields.Nested(RecordHitSchema), required=True)
    Case = fields.List(fields.Nested(RecordHitSchema), required=True)
    User = fields.List(fields.Nested(RecordHitSchema), required=True)


class AutoLinkSchema(StrictSchema):
    who_id = fields.String(allow_none=True, required=True)
    what_id = fields.String(allow_none=True, required=True)
    reasons = fields.List(fields.String(), required=True, metadata={"description": (
        "Why, one line per rung: `who: exact_email Contact ann@client.com`, `what: domain_account client.com`, "
        "`what: open_newest_opportunity`, `what: subject_case 00001234`…")})
    skipped = fields.List(fields.String(), required=True, metadata={
        "description": "Participants a shared activity leaves out (over 50 Contacts, Leads beside Contacts), with why"})


class RelatedRecordsSchema(StrictSchema):
    groups = fields.Nested(GroupsSchema, required=True)
    auto_link = fields.Nested(AutoLinkSchema, required=True, metadata={
        "description": "What an automatic save of this item links to (the sync engine's resolution ladder)"})
    suggested_new = fields.List(fields.Nested(SuggestedPersonSchema), required=True)
    saved = fields.Nested(SavedStateSchema, allow_none=True, required=True)
    thread_autosave = fields.Boolean(required=True)
