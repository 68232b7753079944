"""Saving emails one-way to Salesforce, once per message per org.

A message is saved when the user puts it in the Salesforce category or folder. Its sync key
comes from the Message-ID, so the same email in several mailboxes (a cc) becomes ONE
EmailMessage, and re-tagging or editing a message never saves it twice.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping, Sequence

from app.sync.actions import Action, CreateInCrm, RecordEntry, Skip
from app.sync.apply import Ports, apply_actions
from app.sync.engine_support import (
    finalize_entries, held_streams, pull_mailbox, reconcile_pending, record_outcome,
)
from app.sync.idmap import CursorStore, IdMapEntry, IdMapStore, PendingWrite, mailbox_stream, sync_key
from app.sync.items import EmailMessage, FolderKind
from app.sync.mapping import MappingTable, field_lengths
from app.sync.outcome import OutcomeBuilder, SyncOutcome
from app.sync.policy import SyncPolicy, SyncSession
from app.sync.ports import SYNC_KEY_FIELD, CrmPort, CrmRecord, MailboxChanges, MailboxPort
from app.sync.transforms import format_sf_datetime, truncate

EMAIL_TABLE = MappingTable("email_as_email_message", FolderKind.MAIL, "EmailMessage", ())
SAVE_MARKER = "Salesforce"
SENT, RECEIVED = "3", "0"  # EmailMessage.Status picklist: 3 = Sent, 0 = New


def email_key(org_id: str, message: EmailMessage) -> str:
    """Org-wide key from the Message-ID (angle brackets and case do not matter)."""
    return sync_key(org_id, "msgid:" + message.message_id.strip().strip("<>").lower())


def wants_saving(message: EmailMessage, marker: str = SAVE_MARKER) -> bool:
    return marker in message.categories or message.folder == marker


def email_fields(message: EmailMessage, session: SyncSession, lengths: Mapping[str, int]) -> dict[str, Any]:
    """EmailMessage field values, truncated to the org's lengths."""
    incoming = message.sender.lower() != session.owner_email.lower()
    fields = {
        "Subject": message.subject, "TextBody": message.body_text, "HtmlBody": message.body_html,
        "FromAddress": message.sender, "ToAddress": "; ".join(message.to), "CcAddress": "; ".join(message.cc),
        "MessageIdentifier": message.message_id, "ThreadIdentifier": message.conversation_id,
        "Incoming": incoming, "Status": RECEIVED if incoming else SENT,
        "MessageDate": format_sf_datetime(message.sent_at) if message.sent_at else None,
    }
    return {k: truncate(v, lengths.get(k)) if isinstance(v, str) else v for k, v in fields.items()}


def plan_email_saves(changes: MailboxChanges, entries: Sequence[IdMapEntry], session: SyncSession,
                     existing_by_key: Mapping[str, CrmRecord], lengths: Mapping[str, int]) -> list[Action]:
    """Pure: a create for each newly marked message, a link when another mailbox saved it first."""
    known = {e.sync_key: e for e in entries if not e.awaiting_create}
    actions: list[Action] = []
    origin = frozenset({mailbox_stream(FolderKind.MAIL)})
    for message in changes.items:
        if not isinstance(message, EmailMessage) or not wants_saving(message):
            continue
        key = email_key(session.org_id, message)
        entry = IdMapEntry(session.org_id, session.mailbox_id, key, FolderKind.MAIL, EMAIL_TABLE.object_type,
                           mailbox_item_id=message.item_id, uid=message.message_id, mailbox_version=message.version)
        if key in known:
            actions.append(Skip(key, "already saved to Salesforce", None, origin, ref=message.item_id))
        elif key in existing_by_key:
            record = existing_by_key[key]
            actions.append(RecordEntry(key, "saved from another mailbox", _linked(entry, record), origin))
        else:
            fields = {**email_fields(message, session, lengths), SYNC_KEY_FIELD: key, "OwnerId": session.owner_id}
            pending = _pending(entry)
            actions.append(CreateInCrm(key, "marked for Salesforce", pending, origin, fields=fields))
    return actions


def _linked(entry: IdMapEntry, record: CrmRecord) -> IdMapEntry:
    return replace(entry, crm_id=record.record_id, crm_version=record.version)


def _pending(entry: IdMapEntry) -> IdMapEntry:
    return replace(entry, pending=PendingWrite.CREATE_IN_CRM)


def save_emails(session: SyncSession, mailbox: MailboxPort, crm: CrmPort, id_map: IdMapStore, cursors: CursorStore,
                policy: SyncPolicy, describe: Mapping[str, Any] | None = None) -> SyncOutcome:
    """The engine shell for one-way email saving; same crash guarantees as ``run_sync``."""
    ports, outcome = Ports(mailbox, crm, id_map), OutcomeBuilder()
    entries = reconcile_pending(ports, session, EMAIL_TABLE)
    changes = pull_mailbox(mailbox, cursors, session.mailbox_id, FolderKind.MAIL, outcome)
    keys = [email_key(session.org_id, m) for m in changes.items if isinstance(m, EmailMessage) and wants_saving(m)]
    existing = crm.find_by_sync_keys(EMAIL_TABLE.object_type, keys) if keys else {}
    actions = plan_email_saves(changes, entries, session, existing, field_lengths(describe or {}))
    applied = apply_actions(actions, ports, FolderKind.MAIL, EMAIL_TABLE.object_type, policy)
    id_map.put(finalize_entries(actions, applied, entries))
    record_outcome(outcome, FolderKind.MAIL, actions, applied)
    held = held_streams(applied)
    if mailbox_stream(FolderKind.MAIL) not in held:
        cursors.save(session.mailbox_id, mailbox_stream(FolderKind.MAIL), changes.cursor)
    outcome.held.extend(sorted(held))
    return outcome.build()
