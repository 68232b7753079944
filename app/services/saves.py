"""Save now (Read mode): one Salesforce record per email per org, whoever saves it and however often.

The SavedEmail row is claimed (committed) before Salesforce is called, so a concurrent second
save answers "already saved"/"in progress" instead of writing twice; the Salesforce write is an
upsert by the same `Syncline_Key__c` the sync engine uses, so a sidebar save and a sync save of
the same message end as ONE record even when they race.
"""
from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import SavedEmail, SavedEmailSaver, User
from app.models.base import utcnow
from app.services import blocklists, save_writes
from app.services.autoresolve import Created
from app.services.session_fields import fix_hint
from app.services.settings import org_settings
from app.services.sidebar_autoresolve import Resolver, merged
from app.sync.blocklist import AddressBlocklist
from app.sync.email_plan import email_key
from app.sync.email_rules import normalized_message_id
from app.sync.errors import SetupRequired, SyncError
from app.sync.idmap import sync_key
from app.sync.items import EmailMessage
from app.sync.policy import SyncSession
from app.sync.salesforce_fields import field_problems, setup_message
from app.sync.sidebar_ports import LinkCheck, SidebarCrmPort

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024      # decoded, in total (the sidebar refuses more too)
CLAIM_TIMEOUT = timedelta(minutes=2)         # a pending claim older than this was abandoned


class SaveInProgress(Exception):
    """Another request is saving this email right now."""


class AttachmentProblem(Exception):
    """Attachments that cannot be accepted; `status` is 400 (unreadable) or 413 (too large)."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.status = status


def message_key(user: User, item: dict) -> str:
    """The SavedEmail key: the normalised Message-ID, else the user's own provider id (Gmail)."""
    if item.get("message_id"):
        return normalized_message_id(item["message_id"])
    return f"ref:{user.id}:{item['message_ref']}"


def record_key(user: User, item: dict) -> str:
    """`Syncline_Key__c`: the sync engine's email key when there is a Message-ID."""
    if item.get("message_id"):
        return email_key(user.org.sf_org_id, EmailMessage(item_id="", message_id=item["message_id"]))
    return sync_key(user.org.sf_org_id, message_key(user, item))


def _view(row: SavedEmail, status: str, url_for: Callable[[str], str]) -> dict:
    url = url_for(row.record_id) if row.record_id else None
    return {"status": status, "record_type": row.record_type, "record_id": row.record_id, "url": url}


def saved_state(session: Session, user: User, item: dict) -> dict | None:
    """"Already saved" for the sidebar when this message (by Message-ID, else ref) has a record."""
    if not (item.get("message_id") or item.get("message_ref")):
        return None
    row = session.scalar(select(SavedEmail).where(SavedEmail.org_id == user.org_id,
                                                  SavedEmail.message_id == message_key(user, item)[:998]))
    if row is None or row.status != "saved":
        return None
    instance_url = (user.org.instance_url or "").rstrip("/")
    return _view(row, "already_saved", lambda record_id: f"{instance_url}/{record_id}")


def check_attachments(attachments: list[dict]) -> list[str]:
    """Decode and size-check; returns the file names. Raises AttachmentProblem."""
    total = 0
    for attachment in attachments:
        try:
            total += len(base64.b64decode(attachment["content_base64"], validate=True))
        except (binascii.Error, ValueError):
            raise AttachmentProblem(f"Attachment {attachment['filename']!r} is not valid base64.", 400) from None
    if total > MAX_ATTACHMENT_BYTES:
        raise AttachmentProblem(f"Attachments total {total / 1048576:.1f} MB; the limit is "
                                f"{MAX_ATTACHMENT_BYTES // 1048576} MB.", 413)
    return [a["filename"] for a in attachments]


def _record_saver(session: Session, row: SavedEmail, user: User) -> None:
    exists = session.scalar(select(SavedEmailSaver.id).where(SavedEmailSaver.saved_email_id == row.id,
                                                             SavedEmailSaver.user_id == user.id))
    if exists is None:
        session.add(SavedEmailSaver(saved_email_id=row.id, user_id=user.id, relation_done=True))


def _claim(session: Session, user: User, key: str, sf_key: str, sobject: str) -> tuple[SavedEmail, bool]:
    """(row, claimed): claimed=False means it is already saved. Commits the claim."""
    for _ in range(2):
        row = session.scalar(select(SavedEmail).where(SavedEmail.org_id == user.org_id, SavedEmail.message_id == key))
        if row is not None and row.status == "saved":
            return row, False
        if row is not None and row.status == "pending" and utcnow() - row.saved_at < CLAIM_TIMEOUT:
            raise SaveInProgress("This email is being saved right now; try again in a moment.")
        if row is None:
            row = SavedEmail(org_id=user.org_id, message_id=key, sync_key=sf_key)
            session.add(row)
        row.status, row.record_type, row.manual, row.first_saved_by = "pending", sobject, True, user.id
        row.saved_at, row.last_error = utcnow(), None
        try:
            session.commit()
            return row, True
        except IntegrityError:      # another request claimed it between our read and our insert
            session.rollback()
    raise SaveInProgress("This email is being saved right now; try again in a moment.")


def save_email_now(session: Session, user: User, crm: SidebarCrmPort, data: dict,
                   resolve: Resolver | None = None) -> tuple[dict, bool]:
    """Save the email (201 view, True) or report the existing record (200 view, False); ``resolve``:
    the org's autoresolve (``sidebar_autoresolve``), None when it is off.

    Raises SaveInProgress, AttachmentProblem, save_writes.InvalidLinks or the core's errors.
    """
    item = data["item"]
    file_names = check_attachments(data["attachments"])
    sobject = org_settings(user.org)["save_emails_as"]
    key, sf_key = message_key(user, item)[:998], record_key(user, item)
    row, claimed = _claim(session, user, key, sf_key, sobject)
    if not claimed:
        _record_saver(session, row, user)
        session.commit()
        return _view(row, "already_saved", crm.record_url), False
    try:
        record_id, created, made = _write(user, crm, sobject, sf_key, data, blocklists.for_user(session, user),
                                          resolve)
    except (SyncError, save_writes.InvalidLinks) as exc:
        row.status, row.last_error = "failed", str(exc)[:1024]
        session.commit()
        raise
    row.status, row.record_id = "saved", record_id
    _record_saver(session, row, user)
    session.commit()
    view = _view(row, "saved" if created else "already_saved", crm.record_url)
    return {**view, "attachments_stored": file_names if created else [],
            "autoresolved": [{"sobject": c.sobject, "record_id": c.record_id, "email": c.email} for c in made]}, created


def _check_fields(user: User, crm: SidebarCrmPort, sobject: str) -> None:
    """The org has Syncline's fields for this save (else one sentence naming them and the fix)."""
    problems = field_problems({sobject: set(save_writes.SAVE_FIELDS)}, crm.describe)
    if problems:
        raise SetupRequired(setup_message(problems, user.email, fix_hint(user.org_id, user.org.sf_org_id)))


def _unblocked(found: LinkCheck, who_ids: list[str], blocked: AddressBlocklist) -> list[str]:
    """The chosen Names minus blocklisted people: the user's Save still saves, they are just not linked."""
    return [w for w in who_ids if not blocked.blocks(found.who_emails.get(w[:15], ""))]


def _write(user: User, crm: SidebarCrmPort, sobject: str, sf_key: str, data: dict, blocked: AddressBlocklist,
           resolve: Resolver | None) -> tuple[str, bool, tuple[Created, ...]]:
    item, who_ids, what_id = data["item"], data["who_ids"], data["what_id"]
    save_writes.check_what_type(what_id)
    _check_fields(user, crm, sobject)
    found = crm.check_links(sobject, sf_key, who_ids, what_id)
    save_writes.check_links(found, who_ids, what_id)
    if found.existing_id:
        return found.existing_id, False, ()
    edits = {"subject": data["subject"] if data["subject"] is not None else item.get("subject") or "",
             "description": data["description"] if data["description"] is not None else item.get("body_text") or ""}
    made: tuple[Created, ...] = ()
    if resolve is not None:     # the engine's autoresolve for the participants, before the links are checked
        resolved = resolve(save_writes.sidebar_message(item, edits), sobject)
        made = resolved.created
        more_who, more_what = merged(who_ids, what_id, resolved)
        if (more_who, more_what) != (list(who_ids), what_id):
            who_ids, what_id = more_who, more_what
            found = crm.check_links(sobject, sf_key, who_ids, what_id)
            save_writes.check_links(found, who_ids, what_id)
    who_ids = _unblocked(found, who_ids, blocked)
    session = SyncSession(sf_org_id=user.org.sf_org_id, mailbox_id="sidebar", owner_id=user.sf_user_id or "",
                          owner_email=user.email)
    save = save_writes.activity_save(session, sobject, item, edits, sf_key, (who_ids, what_id, found),
                                     data["attachments"])
    saved = crm.save_activity(save)
    return saved.record_id, saved.created, made
