"""A session's skipped items, one by one."""
from __future__ import annotations

from marshmallow import fields

from schemas.base import StrictSchema


class SkippedItemSchema(StrictSchema):
    kind = fields.String(required=True, metadata={"description": "mail, calendar, tasks or contacts"})
    side = fields.String(required=True, metadata={
        "description": "mailbox (a mailbox item was not saved to Salesforce) or salesforce (a record was not "
                       "mirrored to the mailbox)"})
    item = fields.String(required=True, metadata={
        "description": "The mailbox item's id (an IMAP folder/UID, a CalDAV href, a Graph or Gmail id), or the "
                       "Salesforce record id when side is salesforce"})
    sync_key = fields.String(required=True, metadata={"description": "Syncline's key of the item (may be empty)"})
    subject = fields.String(required=True, metadata={"description": "Subject, or a contact's name"})
    when = fields.String(required=True, metadata={
        "description": "ISO 8601: a meeting's start, a task's due date, an email's arrival (else its Date); "
                       "empty when the item has none"})
    reason = fields.String(required=True, metadata={
        "description": "Why it was skipped, as counted in the session's skipped_because"})
