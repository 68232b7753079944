"""Autoresolve's journal per session, its listing, and the one-click undo.

Undo deletes a created record only while it is untouched: its SystemModstamp is still the one
read right after the create, and nothing names it but Syncline's own activities (no one else's
Task, Event or email, no other Contact under a created Account). A Person Account's Contact (its
``PersonContactId``) counts as part of it. Syncline's activities are
unlinked first (Salesforce deletes a person's activities with it: the saved meetings and emails
must survive). Everything else is kept, with the reason.
"""
from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db import Database
from app.models import AutoresolvedRecord, SyncSessionRecord, User
from app.services import audit
from app.services.autoresolve import Created, Journal
from app.sync.ports import CrmPort, RecordTie, RecordWrite

DELETE_ORDER = ("Contact", "Lead", "Account")   # a created Account goes after the Contacts under it


def session_journal(db: Database, org_pk: int, mailbox_id: int) -> Journal:
    """Records created are written at once, against the mailbox's running session."""

    def remember(created: Sequence[Created]) -> None:
        with db.session_scope() as s:
            session_id = s.scalar(select(SyncSessionRecord.id).where(
                SyncSessionRecord.mailbox_id == mailbox_id, SyncSessionRecord.status == "running")
                .order_by(SyncSessionRecord.id.desc()).limit(1))
            s.add_all(AutoresolvedRecord(org_id=org_pk, mailbox_id=mailbox_id, session_id=session_id,
                                         sobject=c.sobject, record_id=c.record_id, email=c.email,
                                         system_modstamp=c.stamp, last_modified=c.modified) for c in created)

    return remember


def sidebar_journal(db: Database, org_pk: int, mailbox_id: int, made: list[Created]) -> Journal:
    """A sidebar Save now's creations: under the user's mailbox, no session (undone by record id);
    also collected in ``made`` for the save's answer."""

    def remember(created: Sequence[Created]) -> None:
        made.extend(created)
        with db.session_scope() as s:
            s.add_all(AutoresolvedRecord(org_id=org_pk, mailbox_id=mailbox_id, session_id=None, sobject=c.sobject,
                                         record_id=c.record_id, email=c.email, system_modstamp=c.stamp,
                                         last_modified=c.modified) for c in created)

    return remember


def listing(session: Session, org_pk: int, mailbox_id: int, session_id: int | None = None,
            record_ids: Sequence[str] | None = None) -> list[AutoresolvedRecord]:
    """Newest first; only this org's rows, whatever mailbox id is asked for (one session's, or these records)."""
    query = select(AutoresolvedRecord).where(AutoresolvedRecord.org_id == org_pk,
                                             AutoresolvedRecord.mailbox_id == mailbox_id)
    if session_id is not None:
        query = query.where(AutoresolvedRecord.session_id == session_id)
    if record_ids is not None:
        query = query.where(AutoresolvedRecord.record_id.in_(list(record_ids)))
    return list(session.scalars(query.order_by(AutoresolvedRecord.id.desc())))


def _why_kept(row: AutoresolvedRecord, stamp: str | None, ties: Sequence[RecordTie], created: set[str]) -> str | None:
    if stamp is None:
        return None
    if stamp != row.system_modstamp:
        return "changed in Salesforce since autoresolve created it"
    foreign = [t for t in ties if not t.ours and t.record_id not in created]
    if foreign:
        return f"{foreign[0].object_type} {foreign[0].record_id} not written by Syncline refers to it"
    return None


def undo(crm: CrmPort, rows: Sequence[AutoresolvedRecord]) -> list[dict]:
    """Delete the untouched ones; each row's outcome (``undone`` or ``kept`` with the reason)."""
    todo = [r for r in rows if r.status == "created"]
    ids = [r.record_id for r in todo]
    read = {rec.record_id: rec for obj in {r.sobject for r in todo}
            for rec in crm.get_records(obj, [r.record_id for r in todo if r.sobject == obj])}
    stamps = {i: rec.version for i, rec in read.items()}
    person = {i: str(c) for i, rec in read.items() if (c := rec.fields.get("PersonContactId"))}
    found = crm.record_ties([*ids, *person.values()]) if ids else {}
    ties = {i: [*found.get(i, ()), *found.get(person.get(i, ""), ())] for i in ids}   # a Person Account's Contact's too
    created = set(ids) | set(person.values())
    for row in todo:
        why = _why_kept(row, stamps.get(row.record_id), ties.get(row.record_id, ()), created)
        row.status, row.note = ("kept", why) if why else ("undone", None if row.record_id in stamps else
                                                           "already deleted in Salesforce")
    doomed = [r for r in todo if r.status == "undone" and r.record_id in stamps]
    stuck = _unlink_ours(crm, {r.record_id: [t for t in ties.get(r.record_id, ()) if t.ours] for r in doomed})
    for row in doomed:
        if row.record_id in stuck:
            row.status, row.note = "kept", "Syncline's own activity could not be unlinked from it"
    doomed = [r for r in doomed if r.status == "undone"]
    for obj in sorted({r.sobject for r in doomed}, key=lambda o: DELETE_ORDER.index(o) if o in DELETE_ORDER else 9):
        batch = [r for r in doomed if r.sobject == obj]
        for row, result in zip(batch, crm.delete_records(obj, [r.record_id for r in batch])):
            if not result.ok:
                row.status, row.note = "kept", f"Salesforce refused the delete: {result.error or result.error_code}"
    return [{"sobject": r.sobject, "record_id": r.record_id, "email": r.email, "status": r.status,
             "reason": r.note} for r in todo]


def _unlink_ours(crm: CrmPort, ties: dict[str, list[RecordTie]]) -> set[str]:
    """Clear Syncline's own Tasks' and Events' Who/What that name the records about to go (an
    email's relation row goes with the record); the records whose activities could not be unlinked."""
    stuck: set[str] = set()
    for obj in ("Task", "Event"):
        clears: dict[str, dict[str, None]] = {}
        targets: dict[str, set[str]] = {}
        for target, found in ties.items():
            for tie in found:
                if tie.object_type == obj:
                    clears.setdefault(tie.record_id, {})[tie.field] = None
                    targets.setdefault(tie.record_id, set()).add(target)
        writes = [RecordWrite(fields, record_id=rid) for rid, fields in clears.items()]
        for write, result in zip(writes, crm.update_records(obj, writes) if writes else []):
            if not result.ok:
                stuck |= targets[str(write.record_id)]
    return stuck


def undo_session(crm: CrmPort, session: Session, actor: User, mailbox_id: int, session_id: int | None,
                 record_ids: Sequence[str] | None = None) -> list[dict]:
    """Undo one session's creations of one mailbox, or these records (a sidebar save's), the actor's
    org's rows only; audited, committed by the caller."""
    rows = [r for r in listing(session, actor.org_id, mailbox_id, session_id, record_ids) if r.status == "created"]
    outcome = undo(crm, rows)
    audit.record(session, actor.org_id, "autoresolve.undone", actor_id=actor.id, target_type="mailbox",
                 target_id=mailbox_id, details={"session_id": session_id, "record_ids": list(record_ids or []),
                                                "undone": sum(o["status"] == "undone" for o in outcome),
                                                "kept": sum(o["status"] == "kept" for o in outcome)})
    return outcome
