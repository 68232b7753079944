"""Org (admin) settings and a user's personal settings."""
from __future__ import annotations

import re

from marshmallow import ValidationError, fields, validate, validates, validates_schema

from app.sync.auto_save import MAX_BACKFILL_DAYS
from app.sync.auto_save import MODES as AUTO_SAVE_MODES
from app.sync.autoresolve import ACCOUNT_ID, ACCOUNT_RULES, MODES
from app.sync.link_ladder import OPPORTUNITY_RULES
from schemas.base import StrictSchema

SYNC_DIRECTIONS = ("off", "to_salesforce", "to_mailbox", "two_way")
CONFLICT_POLICIES = ("last_writer_wins", "salesforce_wins", "mailbox_wins")
CONTACT_SCOPES = ("salesforce", "all", "address_book", "category")
DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$", re.IGNORECASE)


def _direction(**kw):
    return fields.String(validate=validate.OneOf(SYNC_DIRECTIONS), **kw)


def _contacts_scope(**kw):
    return fields.String(validate=validate.OneOf(CONTACT_SCOPES), **kw, metadata={"description": (
        "Which cards sync. salesforce (default): every card of the address book named like salesforce_folder "
        "(or contacts_address_book) if the account has one, plus the cards of the default address book "
        "carrying the salesforce_category category; Salesforce's new Contacts go to that book, else to the "
        "default one, with the category. all: every card of the default address book. address_book: only the "
        "cards of the chosen address book (see contacts_address_book). category: only the default book's "
        "cards carrying the salesforce_category category")})


def _auto_save(meetings: bool, **kw):
    what = ("meetings: inbound = invitations received, outbound = meetings the user organises, "
            "saved as linked Events" if meetings else "mail: inbound = arriving in the Inbox, outbound = the Sent folder")
    return fields.String(validate=validate.OneOf(AUTO_SAVE_MODES), **kw, metadata={"description": (
        f"Save all new {what}; off (default), inbound, outbound or both. Only items with at least one external "
        "participant who is not blocklisted are saved, once per Message-ID (or meeting) like category saves; "
        "the others are counted as skipped with the reason. " + (
            "Meetings within the calendar window; with sync_calendar off they sync one way, to Salesforce"
            if meetings else "Switching it on starts from auto_save_backfill_days back")
        + (" (null: the org default)" if kw.get("allow_none") else ""))})


def _backfill_days(**kw):
    return fields.Integer(validate=validate.Range(min=0, max=MAX_BACKFILL_DAYS), **kw, metadata={"description": (
        f"Days of past mail (0 to {MAX_BACKFILL_DAYS}) saved once when save_all_new_mail is switched on; read at "
        "activation (switching off and on again never saves anything twice)")})


def _address_book(**kw):
    return fields.String(allow_none=True, validate=validate.Length(min=1, max=1024), **kw, metadata={
        "description": "The address book contacts_scope address_book or salesforce syncs: its display name, "
                       "last path segment, path or URL (null: the one named like salesforce_folder)"})


class OrgSettingsSchema(StrictSchema):
    auto_sync_enabled = fields.Boolean(metadata={"description": "Org-wide switch for scheduled sync"})
    sync_interval_minutes = fields.Integer(validate=validate.Range(min=5, max=1440))
    save_emails_as = fields.String(validate=validate.OneOf(("Task", "EmailMessage")))
    salesforce_category = fields.String(validate=validate.Length(min=1, max=64))
    salesforce_folder = fields.String(validate=validate.Length(min=1, max=128))
    conflict_policy = fields.String(validate=validate.OneOf(CONFLICT_POLICIES), metadata={"description": (
        "Who keeps a field both sides changed to different values. last_writer_wins compares real "
        "modification times (LAST-MODIFIED/REV vs LastModifiedDate) and keeps the Salesforce value when one "
        "is missing. A first link never blanks: an empty field takes the other side's value")})
    cancelled_meeting_policy = fields.String(validate=validate.OneOf(("delete", "keep_marked")))
    suspend_after_failures = fields.Integer(validate=validate.Range(min=1, max=100))
    allow_user_overrides = fields.Boolean()
    calendar_days_back = fields.Integer(validate=validate.Range(min=0, max=365), metadata={"description": (
        "Sync window, days before today (default 14): meetings and Events starting earlier are not created on "
        "the other side; linked pairs keep syncing. Widening it backfills what was skipped on the next session, "
        "both directions; narrowing never deletes")})
    calendar_days_ahead = fields.Integer(validate=validate.Range(min=1, max=730), metadata={"description": (
        "Sync window, days after today (default 60); items the window reaches later (wider setting, or as "
        "days pass) are created then. Completed tasks sync when changed in the last 30 days; contacts always")})
    sync_calendar = _direction()
    sync_tasks = _direction()
    sync_contacts = _direction()
    calendar_sync_as = fields.String(validate=validate.OneOf(("Event", "Task")),
                                     metadata={"description": "Mirror calendar items as Events or as Tasks"})
    contacts_scope = _contacts_scope()
    contacts_address_book = _address_book()
    link_opportunity_rule = fields.String(validate=validate.OneOf(OPPORTUNITY_RULES), metadata={"description": (
        "Which open Opportunity of the linked Account becomes an auto-linked item's Related To: open_newest "
        "(default), largest (Amount), by_stage (the first of link_opportunity_stages that has one), none "
        "(the Account itself)")})
    link_opportunity_stages = fields.List(fields.String(validate=validate.Length(min=1, max=255)),
                                          validate=validate.Length(max=20), metadata={"description": (
                                              "Stage names in preference order, for the by_stage rule")})
    link_org_domains = fields.List(fields.String(validate=validate.Regexp(
        DOMAIN, error="must be a domain name like example.com")), validate=validate.Length(max=50), metadata={
        "description": "The org's own mail domains besides its users' (never linked to an Account)"})
    save_all_new_mail = _auto_save(False)
    save_all_new_meetings = _auto_save(True)
    auto_save_backfill_days = _backfill_days()
    autoresolve = fields.String(validate=validate.OneOf(MODES), metadata={"description": (
        "Create a missing person for unresolved external participants of saved emails and synced meetings: "
        "off (default), leads, contacts (with an Account, see autoresolve_account_rule) or person_accounts. "
        "Filled from their signature; never for the org's own domains or blocklisted addresses; the ladder's "
        "look-up by email and Salesforce duplicate rules are honoured (a match is linked, never duplicated). "
        "What was created is listed per session and can be undone: GET/POST /mailboxes/{id}/autoresolved")})
    autoresolve_account_rule = fields.String(validate=validate.OneOf(ACCOUNT_RULES), metadata={"description": (
        "The Account of an autoresolved Contact: by_domain (default: the one Account whose Website is on the "
        "participant's domain, else a new one; none for free-mail), fixed (autoresolve_account_id) or none")})
    autoresolve_account_id = fields.String(allow_none=True, validate=validate.Regexp(
        ACCOUNT_ID, error="must be a 15- or 18-character Account id (starting 001)"), metadata={
        "description": "The Account every autoresolved Contact joins, for the fixed rule"})

    @validates_schema
    def _account_for_fixed(self, data, **_):
        if data.get("autoresolve_account_rule") == "fixed" and not data.get("autoresolve_account_id"):
            raise ValidationError("the fixed rule needs autoresolve_account_id in the same request",
                                  "autoresolve_account_id")

    @validates_schema
    def _stages_for_by_stage(self, data, **_):
        if data.get("link_opportunity_rule") == "by_stage" and not data.get("link_opportunity_stages"):
            raise ValidationError("the by_stage rule needs link_opportunity_stages in the same request",
                                  "link_opportunity_stages")


class UserSettingsSchema(StrictSchema):
    """Personal choices; a null direction means "use the org default"."""

    timezone = fields.String(allow_none=True, validate=validate.Length(max=64))
    sync_calendar = _direction(allow_none=True)
    sync_tasks = _direction(allow_none=True)
    sync_contacts = _direction(allow_none=True)
    contacts_scope = _contacts_scope(allow_none=True)
    contacts_address_book = _address_book()
    save_all_new_mail = _auto_save(False, allow_none=True)
    save_all_new_meetings = _auto_save(True, allow_none=True)
    auto_save_backfill_days = _backfill_days(allow_none=True)

    @validates("timezone")
    def _known_timezone(self, value, **_):
        if value is None:
            return
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValidationError(f"unknown IANA time zone {value!r}") from None


class SalesforceStatusSchema(StrictSchema):
    """The org's Salesforce link as Syncline sees it: connection, API budget, rate-limit pause."""

    connection = fields.String(required=True, metadata={"description": "connected | needs_reauth | revoked | none"})
    connection_reason = fields.String(allow_none=True)
    api_used = fields.Integer(allow_none=True, metadata={"description": "From the last Sforce-Limit-Info header"})
    api_max = fields.Integer(allow_none=True)
    api_reserve = fields.Float(required=True, metadata={"description": "Share kept free for user actions"})
    paused_until = fields.DateTime(allow_none=True, metadata={
        "description": "Background work waits until then: a REQUEST_LIMIT_EXCEEDED pause, or (usage over the "
                       "reserve) the next cheap re-read of /limits"})
    integration_user_id = fields.Integer(allow_none=True, metadata={
        "description": "The user whose connection background sync borrows for users without their own"})
    integration_connection = fields.String(allow_none=True, metadata={
        "description": "That user's connection: connected | needs_reauth | revoked | none"})


class IntegrationUserSchema(StrictSchema):
    """The org's integration user for server-side sync (null: none, users must sign in themselves)."""

    user_id = fields.Integer(required=True, allow_none=True, validate=validate.Range(min=1))
