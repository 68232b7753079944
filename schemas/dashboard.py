"""The sync dashboard's answer: the mailbox, its folder kinds, recent sessions with counts and
per-item errors, live progress, push freshness and whether Salesforce changes reach the org."""
from __future__ import annotations

from marshmallow import fields, validate

from schemas.base import StrictSchema
from schemas.mailboxes import MailboxSchema


class KindCountsSchema(StrictSchema):
    unavailable = fields.String(metadata={
        "description": "Set when this folder kind was not synced because the mail server does not offer it "
                       "(\"not available on this server: ...\"); not an error"})
    created = fields.Integer()
    updated = fields.Integer()
    deleted = fields.Integer()
    skipped = fields.Integer()
    skipped_because = fields.Dict(keys=fields.String(), values=fields.Integer(), metadata={
        "description": "Why items were skipped, with how many (e.g. a card outside the contact scope)"})
    failed = fields.Integer()
    recorded = fields.Integer()


class SessionErrorSchema(StrictSchema):
    kind = fields.String(required=True)
    item = fields.String(required=True)
    action = fields.String()
    code = fields.String()
    reason = fields.String(required=True)
    will_retry = fields.Boolean()


class SessionSchema(StrictSchema):
    id = fields.Integer(required=True)
    trigger = fields.String(required=True)
    status = fields.String(required=True, metadata={"description": "running | succeeded | partial | failed"})
    started_at = fields.DateTime(required=True)
    finished_at = fields.DateTime(allow_none=True)
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(KindCountsSchema), required=True)
    errors = fields.List(fields.Nested(SessionErrorSchema), required=True)
    conflicts = fields.List(fields.Dict(), required=True)
    failure = fields.String(allow_none=True)
    checked_only = fields.Boolean(metadata={
        "description": "True for a scheduled check that asked the servers whether anything changed and found "
                       "nothing (no items read or written); false for a sync session"})


class FolderStateSchema(StrictSchema):
    state = fields.String(required=True, metadata={
        "description": "synced | off (the org's or your sync setting) | not available on this server"})
    reason = fields.String(allow_none=True)


class LinkedItemSchema(StrictSchema):
    kind = fields.String(required=True, metadata={"description": "mail, calendar, tasks or contacts"})
    object_type = fields.String(required=True)
    record_id = fields.String(required=True, metadata={"description": "The Salesforce record"})
    uid = fields.String(allow_none=True, metadata={"description": "Message-ID or iCalendar UID"})
    link_reasons = fields.List(fields.String(), required=True, metadata={"description": (
        "One line per rung, e.g. `who: exact_email Contact ann@client.com`, `what: domain_account client.com`, "
        "`what: open_newest_opportunity`, `what: subject_case 00001234`, `skipped: … (over the 50-Contact limit)`")})


class PushFreshnessSchema(StrictSchema):
    live = fields.Boolean(required=True, metadata={"description": (
        "The push watcher holds this IMAP+DAV mailbox now (IMAP IDLE/NOOP on every mail folder its rules read, "
        "CalDAV/CardDAV polling); false: only the schedule syncs it (Office 365 and Google push are not shown here)")})
    mode = fields.String(allow_none=True, metadata={"description": "How it is watched, e.g. imap-idle+dav-poll"})
    last_change_at = fields.DateTime(allow_none=True, metadata={"description": "When push last saw a change"})
    last_sync_at = fields.DateTime(allow_none=True, metadata={"description": "When the last successful session ended"})
    synced = fields.Boolean(required=True, metadata={"description": "A session ended after the last change seen"})
    lag_seconds = fields.Float(allow_none=True, metadata={"description": (
        "From the last change seen to the end of the session after it; while none has ended, the wait so far")})


class FeedHealthSchema(StrictSchema):
    receiving = fields.Boolean(required=True, metadata={"description": (
        "False when the org's Salesforce change poll has stopped: Salesforce edits reach no mailbox of the org")})
    last_poll_at = fields.DateTime(allow_none=True, metadata={"description": "The org's last change poll"})
    connection = fields.String(required=True, metadata={
        "description": "The org-wide connection the poll runs as: connected | needs_reauth | revoked | none"})
    reason = fields.String(allow_none=True, metadata={"description": "Why changes are not arriving, and the fix"})


class DashboardSchema(StrictSchema):
    mailbox = fields.Nested(MailboxSchema, required=True)
    folders = fields.Dict(keys=fields.String(), values=fields.Nested(FolderStateSchema), metadata={
        "description": "Per folder kind (mail, calendar, tasks, contacts): whether this mailbox syncs it"})
    sessions = fields.List(fields.Nested(SessionSchema), required=True)
    progress = fields.Dict(allow_none=True, metadata={"description": "Live progress while a session runs"})
    push = fields.Nested(PushFreshnessSchema, metadata={"description": "Freshness: push live, last change, lag"})
    salesforce_changes = fields.Nested(FeedHealthSchema, metadata={
        "description": "Whether the org's Salesforce change poll is running (it routes Salesforce edits here)"})
    linked_items = fields.List(fields.Nested(LinkedItemSchema), metadata={
        "description": "Recently saved/mirrored items (newest first, up to 50) and why they link where they do"})


class DashboardArgsSchema(StrictSchema):
    sessions = fields.Integer(load_default=10, validate=validate.Range(min=1, max=100))
