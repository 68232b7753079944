"""Pure planning of email saves: one record per org per Message-ID, as a Task or an EmailMessage.

The sync key comes from the Message-ID, so the same email in several mailboxes (a cc) becomes
ONE record; a second saver only adds their own relation. Relations are planned as intents
keyed by sync key because the record id is known only after the upsert.
"""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from app.sync.actions import Action, CreateInCrm, RecordEntry, Skip
from app.sync.email_links import (
    EMAIL_RELATION,
    TASK_RELATION,
    Directory,
    EmailLinks,
    RelationIntent,
    auto_links,
    chosen_links,
    ladder_links,
    link_subject,
    saver_relation,
)
from app.sync.email_rules import SaveReason, SaveRules, normalized_message_id
from app.sync.idmap import IdMapEntry, PendingWrite, mailbox_stream, sync_key
from app.sync.items import EmailMessage, FolderKind
from app.sync.link_facts import LinkFacts
from app.sync.link_ladder import LadderRules, decide
from app.sync.policy import SyncSession
from app.sync.ports import SYNC_KEY_FIELD, CrmRecord
from app.sync.transforms import format_sf_datetime, truncate

SENT, RECEIVED = "3", "0"  # EmailMessage.Status picklist: 3 = Sent, 0 = New
RELATION_OBJECT = {"Task": TASK_RELATION, "EmailMessage": EMAIL_RELATION}
ORIGIN = frozenset({mailbox_stream(FolderKind.MAIL)})


def email_key(sf_org_id: str, message: EmailMessage) -> str:
    """Org-wide key from the Message-ID (angle brackets and case do not matter)."""
    return sync_key(sf_org_id, "msgid:" + normalized_message_id(message.message_id))


def email_fields(message: EmailMessage, session: SyncSession, lengths: Mapping[str, int]) -> dict[str, Any]:
    """EmailMessage field values, truncated to the org's lengths (EmailMessage has no OwnerId).
    HtmlBody is not: the Salesforce port cleans it first and then cuts it, since the styles at
    the head of Outlook mail, dropped by the cleaner, would otherwise fill the cut."""
    incoming = message.sender.lower() != session.owner_email.lower()
    fields = {
        "Subject": message.subject, "TextBody": message.body_text, "HtmlBody": message.body_html,
        "FromAddress": message.sender, "ToAddress": "; ".join(message.to), "CcAddress": "; ".join(message.cc),
        "MessageIdentifier": message.message_id, "ThreadIdentifier": message.conversation_id,
        "Incoming": incoming, "Status": RECEIVED if incoming else SENT,
        "MessageDate": format_sf_datetime(message.sent_at) if message.sent_at else None,
    }
    return {k: truncate(v, lengths.get(k)) if isinstance(v, str) and k != "HtmlBody" else v
            for k, v in fields.items()}


def task_fields(message: EmailMessage, session: SyncSession, lengths: Mapping[str, int]) -> dict[str, Any]:
    """A completed Email-type Task "Email: <subject>", as the sidebar's Save writes it."""
    fields = {"Subject": truncate(f"Email: {message.subject}", lengths.get("Subject", 255)),
              "Description": truncate(message.body_text, lengths.get("Description")),
              "Status": "Completed", "TaskSubtype": "Email", "OwnerId": session.owner_id,
              "ActivityDate": message.sent_at.date().isoformat() if message.sent_at else None}
    return {k: v for k, v in fields.items() if v not in (None, "")}


@dataclass(frozen=True)
class EmailLookups:
    """What Salesforce knows for this session's messages: records by sync key and the people."""

    existing: Mapping[str, CrmRecord]
    directory: Directory
    facts: LinkFacts | None = None       # the ladder's look-up; None: plain participant linking
    ladder: LadderRules = LadderRules()


@dataclass(frozen=True)
class SavedNote:
    """A message the user now has in Salesforce: the SavedEmail/SavedEmailSaver bookkeeping."""

    message_id: str
    sync_key: str
    object_type: str
    record_id: str | None = None
    compose_rule: str | None = None


@dataclass(frozen=True)
class EmailSavePlan:
    """Actions to apply, relation intents and bookkeeping notes, both by sync key."""

    actions: list[Action]
    relations: dict[str, tuple[RelationIntent, ...]]
    notes: dict[str, SavedNote]


def plan_email_saves(wanted: Sequence[tuple[EmailMessage, SaveReason]], entries: Sequence[IdMapEntry],
                     session: SyncSession, rules: SaveRules, lookups: EmailLookups,
                     lengths: Mapping[str, int]) -> EmailSavePlan:
    """Pure: create what is new, link what exists (finishing our own interrupted creates), skip the rest."""
    known = {e.sync_key: e for e in entries if e.crm_id and e.pending is None and not e.deleted}
    resumed = {e.sync_key for e in entries if e.pending is PendingWrite.CREATE_IN_CRM}
    plan = EmailSavePlan([], {}, {})
    for message, reason in wanted:
        key = email_key(session.sf_org_id, message)
        if key in plan.notes:
            continue                      # the same message listed twice (INBOX and Sent, tag and folder)
        rule = reason.compose.rule_id if reason.compose else None
        note = SavedNote(normalized_message_id(message.message_id), key, rules.save_as, None, rule)
        entry = IdMapEntry(session.sf_org_id, session.mailbox_id, key, FolderKind.MAIL, rules.save_as,
                           mailbox_item_id=message.item_id, uid=message.message_id, mailbox_version=message.version)
        if key in known:
            plan.actions.append(Skip(key, "already saved to Salesforce", None, ORIGIN, ref=message.item_id))
            plan.notes[key] = replace(note, object_type=known[key].object_type, record_id=known[key].crm_id)
        elif key in lookups.existing:
            _link_existing(plan, message, reason, session, rules, lookups, entry, note, own=key in resumed)
        else:
            _create(plan, message, reason, session, rules, lookups, entry, lengths)
            plan.notes[key] = note
    return plan


def links_for(message: EmailMessage, reason: SaveReason, session: SyncSession, directory: Directory,
              object_type: str, facts: LinkFacts | None = None, ladder: LadderRules = LadderRules()) -> EmailLinks:
    """The user's Compose-mode choice, else auto-linking; the saver's relation on EmailMessages."""
    if reason.compose:
        links = chosen_links(reason.compose, message, directory, object_type)
        links = replace(links, reasons=("who/what: chosen by the user",))
    elif facts is not None:
        decision = decide(link_subject(message, session.owner_email), facts, ladder,
                          what_with_lead=object_type == "EmailMessage")
        links = ladder_links(message, decision, directory, object_type)
    else:
        links = auto_links(message, session.owner_email, directory, object_type)
    if object_type == "EmailMessage" and session.owner_id:
        links = replace(links, relations=links.relations + (
            saver_relation(message, session.owner_id, session.owner_email),))
    return links


def _create(plan: EmailSavePlan, message: EmailMessage, reason: SaveReason, session: SyncSession,
            rules: SaveRules, lookups: EmailLookups, entry: IdMapEntry, lengths: Mapping[str, int]) -> None:
    links = links_for(message, reason, session, lookups.directory, rules.save_as, lookups.facts, lookups.ladder)
    if rules.save_as == "Task":
        fields = {**task_fields(message, session, lengths), "WhoId": links.who_id, "WhatId": links.what_id}
    else:
        fields = {**email_fields(message, session, lengths), "RelatedToId": links.what_id}
    fields = {k: v for k, v in fields.items() if v is not None}
    fields[SYNC_KEY_FIELD] = entry.sync_key
    pending = replace(entry, pending=PendingWrite.CREATE_IN_CRM, link_reasons=links.reasons)
    plan.actions.append(CreateInCrm(entry.sync_key, reason.reason, pending, ORIGIN, fields=fields))
    plan.relations[entry.sync_key] = links.relations


def _link_existing(plan: EmailSavePlan, message: EmailMessage, reason: SaveReason, session: SyncSession,
                   rules: SaveRules, lookups: EmailLookups, entry: IdMapEntry, note: SavedNote, own: bool) -> None:
    """Our own interrupted create gets all its relations; someone else's record only this saver's."""
    record = lookups.existing[entry.sync_key]
    linked = replace(entry, object_type=record.object_type, crm_id=record.record_id, crm_version=record.version)
    why = "finishing an interrupted save" if own else "saved from another mailbox"
    plan.actions.append(RecordEntry(entry.sync_key, why, linked, ORIGIN))
    if own:
        relations = links_for(message, reason, session, lookups.directory, record.object_type,
                              lookups.facts, lookups.ladder).relations
    elif record.object_type == "EmailMessage" and session.owner_id:
        relations = (saver_relation(message, session.owner_id, session.owner_email),)
    else:
        relations = ()
    plan.relations[entry.sync_key] = relations
    plan.notes[entry.sync_key] = replace(note, object_type=record.object_type, record_id=record.record_id)
