"""What a Read-mode save writes: the engine's Task/EmailMessage shape, the user's chosen links.

The fields come from the sync engine's own `task_fields` / `email_fields` and the relation
rows from its `chosen_links` (the Compose-mode rule: the same roles, the same shared-activity
shape), so a sidebar save and a sync save of one email look alike. The HTML body is
sanitised here, once (`clean_html`), before it leaves for Salesforce.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC

from app.security.html import clean_html
from app.sync.email_links import Directory, chosen_links
from app.sync.email_plan import email_fields, task_fields
from app.sync.email_rules import ComposeRule
from app.sync.items import EmailMessage
from app.sync.policy import SyncSession
from app.sync.ports import SYNC_KEY_FIELD, ActivityRelationSpec, PersonMatch
from app.sync.salesforce_fields import MANUAL_SAVE_FIELD
from app.sync.sidebar_ports import WHAT_TYPES, ActivitySave, FileUpload, LinkCheck, type_of

MANUAL_FLAG = MANUAL_SAVE_FIELD
SAVE_FIELDS = (SYNC_KEY_FIELD, MANUAL_FLAG)     # the custom fields a sidebar save writes


class InvalidLinks(Exception):
    """The chosen Name/Related To records do not exist or break the shared-activity rule."""

    def __init__(self, message: str, ids: list[str] | None = None):
        super().__init__(message)
        self.ids = ids or []


def check_what_type(what_id: str | None) -> None:
    """Related To must be an Account, Opportunity or Case (known from the id before any call)."""
    if what_id and type_of(what_id) not in WHAT_TYPES:
        raise InvalidLinks(f"Related To must be an Account, Opportunity or Case; {what_id} is not.", [what_id])


def check_links(found: LinkCheck, who_ids: Sequence[str], what_id: str | None) -> None:
    """Every chosen record exists; one Lead alone, or Contacts only (Salesforce's shared activities)."""
    missing = [i for i in who_ids if i[:15] not in found.who_types]
    if what_id and not found.what_found:
        missing.append(what_id)
    if missing:
        raise InvalidLinks(f"No such Salesforce record: {', '.join(missing)} (deleted, or not visible to you).",
                           missing)
    leads = [i for i in who_ids if found.who_types[i[:15]] == "Lead"]
    if leads and len(who_ids) > 1:
        raise InvalidLinks("Salesforce links an activity to one Lead, or to Contacts only — not both.", leads)


def sidebar_message(item: dict, edits: dict) -> EmailMessage:
    """The open email as the engine's EmailMessage, with the user's subject/description edits."""
    sent_at = item.get("date")
    if sent_at is not None and sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=UTC)     # a date without a zone is taken as UTC
    return EmailMessage(item_id=item.get("message_ref") or "", message_id=item.get("message_id") or "",
                        conversation_id=item.get("thread_id") or "",
                        sender=item["from_"]["email"] if item.get("from_") else "",
                        to=tuple(p["email"] for p in item["to"]), cc=tuple(p["email"] for p in item["cc"]),
                        sent_at=sent_at, subject=edits["subject"], body_text=edits["description"],
                        body_html=clean_html(item.get("body_html")) or "")


def _directory(found: LinkCheck, who_ids: Sequence[str]) -> Directory:
    people = {found.who_emails[w[:15]]: PersonMatch(w, found.who_types[w[:15]])
              for w in who_ids if found.who_emails.get(w[:15])}
    return Directory(people, {})


def activity_save(session: SyncSession, object_type: str, item: dict, edits: dict, key: str,
                  links: tuple[Sequence[str], str | None, LinkCheck], files: Sequence[dict]) -> ActivitySave:
    """The record, its relation rows and its files, as the sidebar port writes them in one call."""
    who_ids, what_id, found = links
    message = sidebar_message(item, edits)
    chosen = chosen_links(ComposeRule("sidebar", who_ids=tuple(who_ids), what_id=what_id), message,
                          _directory(found, who_ids), object_type)
    if object_type == "Task":
        fields = {**task_fields(message, session, {}), "WhoId": chosen.who_id, "WhatId": chosen.what_id}
    else:
        fields = {**email_fields(message, session, {}), "RelatedToId": chosen.what_id,
                  "FromName": (item.get("from_") or {}).get("name")}
    fields.update({SYNC_KEY_FIELD: key, MANUAL_FLAG: True})
    relations = tuple(ActivityRelationSpec("", r.relation_id, r.role, r.address) for r in chosen.relations)
    return ActivitySave(object_type, key, {k: v for k, v in fields.items() if v not in (None, "")}, relations,
                        tuple(FileUpload(f["filename"], f["content_base64"]) for f in files))
